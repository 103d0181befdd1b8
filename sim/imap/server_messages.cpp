// IMAP commands of the SELECTED state (RFC 3501 6.4): CHECK, CLOSE, EXPUNGE, SEARCH, FETCH,
// STORE, COPY and their UID forms. FETCH reads the stored bytes through the MIME parser, so
// ENVELOPE, BODYSTRUCTURE and BODY[section] show exactly what sim/mime found.

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "sim/core/bytes.hpp"
#include "sim/imap/fetch_items.hpp"
#include "sim/imap/mailbox_name.hpp"
#include "sim/imap/search.hpp"
#include "sim/imap/sequence_set.hpp"
#include "sim/imap/server_session.hpp"
#include "sim/mime/header_lookup.hpp"
#include "sim/mime/imap_structure.hpp"

namespace maillab::imap {
namespace {
std::string literal(const std::string& bytes) { return fmt::format("{{{}}}\r\n{}", bytes.size(), bytes); }

// RFC 3501 2.3.4 and 6.4.5 speak of RFC 5322 messages, whose lines end in CRLF: a message stored
// with bare LF (as the seed's SMTPDemo sent it) is shown with CRLF, as POP3 does, so sizes and
// offsets agree between the two protocols.
//
// It runs for every message of a FETCH 1:* BODY[], so it jumps from LF to LF with memchr and
// copies the runs between whole, rather than looking at each byte in turn. (RFC822.SIZE needs
// no copy: the store keeps the size, stored_message::wire_size.)
bool bare_lf_at(const std::string& bytes, std::size_t i) { return i == 0 || bytes[i - 1] != '\r'; }

std::string with_crlf(const std::string& bytes) {
    std::string out;
    out.reserve(bytes.size() + bytes.size() / 40);
    std::size_t from = 0;
    while (from < bytes.size()) {
        const void* hit = std::memchr(bytes.data() + from, '\n', bytes.size() - from);
        std::size_t lf = hit ? static_cast<std::size_t>(static_cast<const char*>(hit) - bytes.data())
                             : bytes.size();
        out.append(bytes, from, lf - from);
        if (lf == bytes.size()) break;
        if (bare_lf_at(bytes, lf)) out += '\r';
        out += '\n';
        from = lf + 1;
    }
    return out;
}

}  // namespace

std::optional<std::vector<std::size_t>> server_session::resolve(const token& set_token, bool uid) {
    auto set = set_token.is_atom() ? sequence_set::parse(set_token.text) : std::nullopt;
    if (!set) {
        bad(fmt::format("\"{}\" is not a sequence set like 1:3,5,7:*", set_token.text));
        return std::nullopt;
    }
    std::vector<std::size_t> out;
    std::uint32_t largest_uid = view_.empty() ? 0 : view_.back().uid;
    for (std::size_t i = 0; i < view_.size(); ++i) {
        bool in = uid ? set->contains(view_[i].uid, largest_uid)
                      : set->contains(static_cast<std::uint32_t>(i + 1),
                                      static_cast<std::uint32_t>(view_.size()));
        if (in) out.push_back(i);
    }
    // RFC 3501 9 and 6.4.8: message numbers must exist; UIDs that do not are simply left out.
    if (!uid && !view_.empty() && set->largest_written() > view_.size()) {
        bad(fmt::format("no message numbered {} (the mailbox has {})", set->largest_written(),
                        view_.size()));
        return std::nullopt;
    }
    if (!uid && view_.empty()) {
        bad("the mailbox is empty: there are no message numbers");
        return std::nullopt;
    }
    return out;
}

void server_session::on_check(const command&, bool) { ok("CHECK completed"); }

std::vector<std::uint32_t> server_session::expunge_deleted() {
    std::vector<std::uint32_t> deleted;
    const mailbox* box = selected_mailbox();
    if (!box) return deleted;
    for (const auto& m : box->messages)
        if (m.flags.count("\\Deleted")) deleted.push_back(m.uid);
    auto removed = store_.expunge(user_, selected_, deleted);
    for (std::uint32_t uid : removed) {
        event e;
        e.kind = event_kind::store;
        e.cause = current_command_;
        e.text = fmt::format("removed UID {} from {} {}", uid, user_, selected_);
        e.explain = "net.store.expunge";
        e.fields = {{"action", "expunge"}, {"user", user_}, {"mailbox", selected_}, {"uid", uid}};
        tracer_.local(std::move(e));
    }
    return removed;
}

void server_session::on_close(const command& cmd, bool) {
    // CLOSE expunges silently (RFC 3501 6.4.2); UNSELECT (RFC 3691) does not expunge.
    if (cmd.name == "CLOSE" && !read_only_) expunge_deleted();
    selected_.clear();
    view_.clear();
    recent_.clear();
    ok(fmt::format("{} completed", cmd.name));
    enter_state(server_state::authenticated, cmd.name);
}

void server_session::on_expunge(const command&, bool) {
    if (read_only_) return no("[READ-ONLY] the mailbox was opened with EXAMINE");
    auto removed = expunge_deleted();
    if (!removed.empty())
        note("imap.note.expunge_renumbers",
             fmt::format("{} message(s) removed; the messages after each one move down a number",
                         removed.size()));
    // The untagged EXPUNGE responses come from report_changes() after this handler.
    ok("EXPUNGE completed");
}

void server_session::on_search(const command& cmd, bool uid) {
    std::size_t from = 0;
    if (!cmd.args.empty() && iequals(cmd.args[0].text, "CHARSET")) {
        if (cmd.args.size() < 2) return bad("CHARSET needs a name");
        std::string cs = to_upper(cmd.args[1].text);
        if (cs != "UTF-8" && cs != "US-ASCII") return no("[BADCHARSET (UTF-8 US-ASCII)] charset not supported");
        from = 2;
    }
    std::string error;
    auto program = search_program::parse(cmd.args, from, error);
    if (!program) return bad(error);
    std::string hits;
    std::uint32_t max_uid = view_.empty() ? 0 : view_.back().uid;
    for (std::size_t i = 0; i < view_.size(); ++i) {
        const stored_message* m = find_message(view_[i].uid);
        if (!m) continue;
        search_context c{m, static_cast<std::uint32_t>(i + 1), static_cast<std::uint32_t>(view_.size()),
                         max_uid, recent_.count(m->uid) > 0};
        if (program->matches(c)) hits += fmt::format(" {}", uid ? m->uid : i + 1);
    }
    untagged("SEARCH" + hits);
    ok(fmt::format("{}SEARCH completed", uid ? "UID " : ""));
}

void server_session::on_fetch(const command& cmd, bool uid) {
    if (cmd.args.size() != 2) return bad("syntax: FETCH set (items)");
    auto positions = resolve(cmd.args[0], uid);
    if (!positions) return;
    // Items: a macro, one item, or a list.
    std::vector<std::string> items;
    if (cmd.args[1].is_list()) {
        for (const auto& t : cmd.args[1].items) items.push_back(t.text);
    } else {
        std::string one = to_upper(cmd.args[1].text);
        if (one == "ALL") items = {"FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE"};
        else if (one == "FAST") items = {"FLAGS", "INTERNALDATE", "RFC822.SIZE"};
        else if (one == "FULL") items = {"FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE", "BODY"};
        else items = {cmd.args[1].text};
    }
    if (uid && std::none_of(items.begin(), items.end(), [](const std::string& s) { return iequals(s, "UID"); }))
        items.insert(items.begin(), "UID");  // RFC 3501 6.4.8: UID FETCH always returns the UID
    // Validate all items before answering anything.
    for (const auto& item : items) {
        std::string u = to_upper(item);
        static const std::set<std::string> simple{"UID", "FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE",
                                                  "BODYSTRUCTURE", "BODY", "RFC822", "RFC822.HEADER", "RFC822.TEXT"};
        if (simple.count(u)) continue;
        std::string error;
        if (!parse_body_section(item, error)) return bad(error);
    }
    for (std::size_t pos : *positions) {
        const stored_message* m = find_message(view_[pos].uid);
        if (!m) continue;
        // Built only when an item needs the bytes: FETCH FLAGS of a big mailbox copies nothing.
        std::optional<std::string> wire_cache;
        auto wire = [&]() -> const std::string& {
            if (!wire_cache) wire_cache = with_crlf(m->bytes);
            return *wire_cache;
        };
        std::optional<mime::message> parsed;
        auto mime_of = [&]() -> const mime::message& {
            if (!parsed) parsed.emplace(wire());
            return *parsed;
        };
        std::string out;
        bool set_seen = false;
        std::size_t partial_octets = 0;
        // Where the FLAGS item sits in `out`: a body fetch later in the same command may set
        // \Seen, and the answer must report the flags as they are after it (RFC 3501 6.4.5).
        std::optional<std::pair<std::size_t, std::size_t>> flags_at;
        for (const auto& item : items) {
            std::string u = to_upper(item);
            std::string value;
            if (u == "UID") value = fmt::format("UID {}", m->uid);
            else if (u == "FLAGS") {
                value = "FLAGS " + imap_flag_list(m->flags, recent_.count(m->uid) > 0);
                flags_at = {out.empty() ? 0 : out.size() + 1, value.size()};
            }
            else if (u == "INTERNALDATE") value = fmt::format("INTERNALDATE \"{}\"", imap_date_time(m->internal_date_us));
            else if (u == "RFC822.SIZE")
                value = fmt::format("RFC822.SIZE {}", m->wire_size);  // == wire().size()
            else if (u == "ENVELOPE") value = "ENVELOPE " + mime::imap_envelope(mime_of(), mime_of().root());
            else if (u == "BODYSTRUCTURE") value = "BODYSTRUCTURE " + mime::imap_body_structure(mime_of(), mime_of().root(), true);
            else if (u == "BODY") value = "BODY " + mime::imap_body_structure(mime_of(), mime_of().root(), false);
            else if (u == "RFC822") {
                value = "RFC822 " + literal(wire());
                set_seen = true;
            } else if (u == "RFC822.HEADER") {
                value = "RFC822.HEADER " + literal(std::string(mime_of().root().header.range.of(wire())));
            } else if (u == "RFC822.TEXT") {
                value = "RFC822.TEXT " + literal(std::string(mime_of().root().body.of(wire())));
                set_seen = true;
            } else {
                std::string error;
                auto section = parse_body_section(item, error);
                auto bytes = section_bytes(mime_of(), *section);
                std::string label = section->label;
                if (section->start) label += fmt::format("<{}>", *section->start);
                value = label + " " + (bytes ? literal(*bytes) : std::string("NIL"));
                if (!section->peek) set_seen = true;
                if (bytes && (section->start || !section->part.empty() || !section->text.empty()))
                    partial_octets += bytes->size();
            }
            out += (out.empty() ? "" : " ") + value;
        }
        if (set_seen && !read_only_ && !m->flags.count("\\Seen")) {
            auto flags = m->flags;
            flags.insert("\\Seen");
            std::uint32_t the_uid = m->uid;
            store_.set_flags(user_, selected_, the_uid, flags);
            event e;
            e.kind = event_kind::store;
            e.cause = current_command_;
            std::string shown = imap_flag_list(flags, false);
            e.text = fmt::format("flags of UID {} in {} are now {} (set by the fetch)", the_uid,
                                 selected_, shown);
            e.explain = "net.store.flags";
            e.fields = {{"action", "flags"}, {"user", user_}, {"mailbox", selected_},
                        {"uid", the_uid}, {"flags", shown}};
            tracer_.local(std::move(e));
            view_[pos].flags = flags;  // reported here, not again as an update
            m = find_message(the_uid);
            note("imap.note.seen_set", fmt::format("UID {}: a body fetch without .PEEK set \\Seen", the_uid),
                 {{"uid", the_uid}});
            std::string now = "FLAGS " + imap_flag_list(flags, recent_.count(the_uid) > 0);
            if (flags_at) out.replace(flags_at->first, flags_at->second, now);
            else out += " " + now;
        }
        if (partial_octets > 0 && partial_octets < wire().size())
            note("imap.note.partial_fetch",
                 fmt::format("{} of {} octets fetched: only the part asked for (POP3 cannot do this)",
                             partial_octets, wire().size()),
                 {{"octets", partial_octets}});
        untagged(fmt::format("{} FETCH ({})", pos + 1, out),
                 {{"uid", view_[pos].uid}, {"message_id", mime::message_id_of(m->bytes)}});
    }
    ok(fmt::format("{}FETCH completed", uid ? "UID " : ""));
}

void server_session::on_store(const command& cmd, bool uid) {
    if (cmd.args.size() != 3) return bad("syntax: STORE set +FLAGS|-FLAGS|FLAGS[.SILENT] (flags)");
    if (read_only_) return no("[READ-ONLY] the mailbox was opened with EXAMINE");
    auto positions = resolve(cmd.args[0], uid);
    if (!positions) return;
    std::string op = to_upper(cmd.args[1].text);
    bool silent = op.size() > 7 && op.substr(op.size() - 7) == ".SILENT";
    if (silent) op = op.substr(0, op.size() - 7);
    if (op != "FLAGS" && op != "+FLAGS" && op != "-FLAGS") return bad(fmt::format("\"{}\" is not +FLAGS, -FLAGS or FLAGS", cmd.args[1].text));
    std::set<std::string> given;
    if (cmd.args[2].is_list())
        for (const auto& t : cmd.args[2].items) given.insert(t.text);
    else
        given.insert(cmd.args[2].text);
    if (given.count("\\Recent")) return bad("\\Recent cannot be stored");
    {
        // With --store: the renames first, then one fsync per directory (when the batch ends),
        // all before the OK.
        mail_store::flag_batch batch(store_);
        for (std::size_t pos : *positions) {
            const stored_message* m = find_message(view_[pos].uid);
            if (!m) continue;
            std::set<std::string> flags = m->flags;
            if (op == "FLAGS") flags = given;
            else if (op == "+FLAGS") flags.insert(given.begin(), given.end());
            else for (const auto& f : given) flags.erase(f);
            std::uint32_t the_uid = m->uid;
            store_.set_flags(user_, selected_, the_uid, flags);
            event e;
            e.kind = event_kind::store;
            e.cause = current_command_;
            std::string shown = imap_flag_list(flags, false);
            e.text = fmt::format("flags of UID {} in {} are now {}", the_uid, selected_, shown);
            e.explain = "net.store.flags";
            e.fields = {{"action", "flags"}, {"user", user_}, {"mailbox", selected_}, {"uid", the_uid}, {"flags", shown}};
            tracer_.local(std::move(e));
            view_[pos].flags = flags;
            if (!silent)
                untagged(uid ? fmt::format("{} FETCH (UID {} FLAGS {})", pos + 1, the_uid, imap_flag_list(flags, recent_.count(the_uid) > 0))
                             : fmt::format("{} FETCH (FLAGS {})", pos + 1, imap_flag_list(flags, recent_.count(the_uid) > 0)),
                         {{"uid", the_uid}});
        }
    }
    ok(fmt::format("{}STORE completed", uid ? "UID " : ""));
}

void server_session::on_copy(const command& cmd, bool uid) {
    if (cmd.args.size() != 2) return bad("syntax: COPY set mailbox");
    auto positions = resolve(cmd.args[0], uid);
    if (!positions) return;
    auto target = mailbox_arg(cmd.args[1]);
    if (!target) return;
    const mailbox* to = store_.find_mailbox(user_, *target);
    if (!to) return no(fmt::format("[TRYCREATE] no mailbox \"{}\"", *target));
    std::string from_uids, to_uids;
    for (std::size_t pos : *positions) {
        auto copied = store_.copy(user_, selected_, view_[pos].uid, *target);
        if (!copied) continue;
        from_uids += (from_uids.empty() ? "" : ",") + std::to_string(view_[pos].uid);
        to_uids += (to_uids.empty() ? "" : ",") + std::to_string(*copied);
        event e;
        e.kind = event_kind::store;
        e.cause = current_command_;
        e.text = fmt::format("copied UID {} to {} as UID {}", view_[pos].uid, *target, *copied);
        e.explain = "net.store.append";
        e.fields = {{"action", "append"}, {"user", user_}, {"mailbox", *target}, {"uid", *copied}};
        tracer_.local(std::move(e));
    }
    to = store_.find_mailbox(user_, *target);
    if (from_uids.empty()) return ok("COPY completed (nothing to copy)");
    ok(fmt::format("[COPYUID {} {} {}] COPY completed", to->uid_validity, from_uids, to_uids));
}

void server_session::on_uid(const command& cmd, bool) {
    if (cmd.args.empty() || !cmd.args[0].is_atom()) return bad("syntax: UID FETCH|STORE|COPY|SEARCH ...");
    command inner = cmd;
    inner.name = to_upper(cmd.args[0].text);
    inner.args.erase(inner.args.begin());
    if (inner.name == "FETCH") return on_fetch(inner, true);
    if (inner.name == "STORE") return on_store(inner, true);
    if (inner.name == "COPY") return on_copy(inner, true);
    if (inner.name == "SEARCH") return on_search(inner, true);
    if (inner.name == "EXPUNGE") {
        // RFC 4315 2.1: only the \Deleted messages whose UIDs are in the set.
        if (read_only_) return no("[READ-ONLY] the mailbox was opened with EXAMINE");
        if (inner.args.size() != 1) return bad("syntax: UID EXPUNGE set");
        auto positions = resolve(inner.args[0], true);
        if (!positions) return;
        std::vector<std::uint32_t> uids;
        for (std::size_t pos : *positions)
            if (const stored_message* m = find_message(view_[pos].uid); m && m->flags.count("\\Deleted"))
                uids.push_back(m->uid);
        for (std::uint32_t removed : store_.expunge(user_, selected_, uids)) {
            event e;
            e.kind = event_kind::store;
            e.cause = current_command_;
            e.text = fmt::format("removed UID {} from {} {}", removed, user_, selected_);
            e.explain = "net.store.expunge";
            e.fields = {{"action", "expunge"}, {"user", user_}, {"mailbox", selected_}, {"uid", removed}};
            tracer_.local(std::move(e));
        }
        return ok("UID EXPUNGE completed");
    }
    bad(fmt::format("UID {} is not a command", cmd.args[0].text));
}

}  // namespace maillab::imap
