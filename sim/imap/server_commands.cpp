// IMAP commands of any state, the NOT AUTHENTICATED state and the AUTHENTICATED state
// (RFC 3501 6.1-6.3, RFC 2177 IDLE, RFC 4959 SASL-IR for AUTHENTICATE PLAIN).

#include <algorithm>
#include <array>

#include <fmt/format.h>

#include "sim/core/bytes.hpp"
#include "sim/imap/mailbox_name.hpp"
#include "sim/imap/server_session.hpp"
#include "sim/mime/date.hpp"

namespace maillab::imap {
namespace {
constexpr std::uint32_t bit(server_state s) { return 1u << static_cast<unsigned>(s); }
constexpr std::uint32_t any = bit(server_state::not_authenticated) |
                              bit(server_state::authenticated) | bit(server_state::selected);
constexpr std::uint32_t not_auth = bit(server_state::not_authenticated);
constexpr std::uint32_t authed = bit(server_state::authenticated) | bit(server_state::selected);
constexpr std::uint32_t selected = bit(server_state::selected);

// LIST wildcards (RFC 3501 6.3.8): "*" matches anything, "%" anything but the delimiter.
bool wildcard_match(std::string_view pattern, std::string_view name) {
    if (pattern.empty()) return name.empty();
    if (pattern[0] == '*') {
        for (std::size_t i = 0; i <= name.size(); ++i)
            if (wildcard_match(pattern.substr(1), name.substr(i))) return true;
        return false;
    }
    if (pattern[0] == '%') {
        for (std::size_t i = 0; i <= name.size(); ++i) {
            if (wildcard_match(pattern.substr(1), name.substr(i))) return true;
            if (i < name.size() && name[i] == '.') return false;
        }
        return false;
    }
    return !name.empty() && pattern[0] == name[0] && wildcard_match(pattern.substr(1), name.substr(1));
}

}  // namespace

std::span<const server_session::command_spec> server_session::command_table() {
    using s = server_session;
    static const std::array<command_spec, 27> table{{
        {"CAPABILITY", any, &s::on_capability},
        {"NOOP", any, &s::on_noop},
        {"LOGOUT", any, &s::on_logout},
        {"STARTTLS", not_auth, &s::on_starttls},
        {"LOGIN", not_auth, &s::on_login},
        {"AUTHENTICATE", not_auth, &s::on_authenticate},
        {"SELECT", authed, &s::on_select},
        {"EXAMINE", authed, &s::on_select},
        {"CREATE", authed, &s::on_create},
        {"DELETE", authed, &s::on_delete},
        {"RENAME", authed, &s::on_rename},
        {"SUBSCRIBE", authed, &s::on_subscribe},
        {"UNSUBSCRIBE", authed, &s::on_subscribe},
        {"LIST", authed, &s::on_list},
        {"LSUB", authed, &s::on_list},
        {"STATUS", authed, &s::on_status},
        {"APPEND", authed, &s::on_append},
        {"IDLE", authed, &s::on_idle},
        {"CHECK", selected, &s::on_check},
        {"CLOSE", selected, &s::on_close},
        {"EXPUNGE", selected, &s::on_expunge},
        {"SEARCH", selected, &s::on_search},
        {"FETCH", selected, &s::on_fetch},
        {"STORE", selected, &s::on_store},
        {"COPY", selected, &s::on_copy},
        {"UID", selected, &s::on_uid},
        {"UNSELECT", selected, &s::on_close},
    }};
    return table;
}

void server_session::on_capability(const command&, bool) {
    untagged("CAPABILITY " + capabilities());
    ok("CAPABILITY completed");
}

void server_session::on_noop(const command&, bool) { ok("NOOP completed"); }

void server_session::on_logout(const command&, bool) {
    untagged(fmt::format("BYE {} logging out", config_.hostname));
    ok("LOGOUT completed");
    want_close_ = true;
    enter_state(server_state::logout, "LOGOUT");
}

void server_session::on_starttls(const command& cmd, bool) {
    if (!cmd.args.empty()) return bad("STARTTLS takes no arguments");
    if (tls_active_) return bad("TLS is already active");
    if (!config_.tls_available) return no("TLS is not available");
    ok("Begin TLS negotiation now");
    if (!parser_.buffer().empty()) {
        note("imap.note.starttls_discarded",
             fmt::format("{} bytes pipelined after STARTTLS were discarded", parser_.buffer().size()),
             {{"bytes", parser_.buffer().size()}});
        parser_.buffer().clear();
    }
    want_tls_ = true;
    enter_state(server_state::tls_handshake, "STARTTLS accepted");
}

void server_session::finish_login(const std::string& user, std::string_view how) {
    user_ = user;
    enter_state(server_state::authenticated, fmt::format("{} accepted", how));
    ok(fmt::format("[CAPABILITY {}] {} logged in", capabilities(), user));
}

void server_session::on_login(const command& cmd, bool) {
    if (cmd.args.size() != 2 || !cmd.args[0].is_astring() || !cmd.args[1].is_astring())
        return bad("syntax: LOGIN user password");
    if (!tls_active_)
        note("imap.note.password_in_clear",
             fmt::format("LOGIN sends {}'s password as plain text", cmd.args[0].text),
             {{"user", cmd.args[0].text}});
    auto canonical = store_.authenticate(cmd.args[0].text, cmd.args[1].text);
    if (!canonical) {
        no("[AUTHENTICATIONFAILED] invalid user name or password");
        return count_auth_failure();
    }
    finish_login(*canonical, "LOGIN");
}

void server_session::on_authenticate(const command& cmd, bool) {
    if (cmd.args.empty() || !cmd.args[0].is_atom()) return bad("syntax: AUTHENTICATE mechanism");
    if (!iequals(cmd.args[0].text, "PLAIN"))
        return no(fmt::format("[CANNOT] mechanism {} is not supported (PLAIN is)", cmd.args[0].text));
    if (cmd.args.size() > 1) return finish_authenticate(cmd.args[1].text);  // RFC 4959 SASL-IR
    auth_tag_ = cmd.tag;
    continuation("");
}

void server_session::finish_authenticate(std::string_view line) {
    auth_tag_.clear();
    if (line == "*") return bad("AUTHENTICATE cancelled");
    auto decoded = base64_decode(line == "=" ? std::string_view() : trim(line));
    if (!decoded) return bad("cannot decode the base64 response");
    auto first = decoded->find('\0');
    auto second = first == std::string::npos ? first : decoded->find('\0', first + 1);
    if (second == std::string::npos) return bad("PLAIN response must be authzid NUL user NUL password");
    std::string user = decoded->substr(first + 1, second - first - 1);
    std::string password = decoded->substr(second + 1);
    note("imap.note.auth_decoded",
         fmt::format("PLAIN data decoded from base64: user=\"{}\" password=\"{}\"",
                     visible_bytes(user), visible_bytes(password)),
         {{"mechanism", "PLAIN"}, {"decoded", {{"user", user}, {"password", password}}}});
    auto canonical = store_.authenticate(user, password);
    if (!canonical) {
        no("[AUTHENTICATIONFAILED] invalid user name or password");
        return count_auth_failure();
    }
    finish_login(*canonical, "AUTHENTICATE PLAIN");
}

void server_session::on_select(const command& cmd, bool) {
    if (cmd.args.size() != 1) return bad(fmt::format("syntax: {} mailbox", cmd.name));
    auto name = mailbox_arg(cmd.args[0]);
    if (!name) return;
    // RFC 3501 6.3.1: a SELECT deselects the current mailbox first, even if it fails.
    bool had = !selected_.empty();
    selected_.clear();
    view_.clear();
    recent_.clear();
    if (had) enter_state(server_state::authenticated, "SELECT closes the mailbox first");
    const mailbox* box = store_.find_mailbox(user_, *name);
    if (!box) {
        return no(fmt::format("[NONEXISTENT] no mailbox \"{}\"", *name));
    }
    selected_ = *name;
    read_only_ = cmd.name == "EXAMINE";
    std::uint32_t recent_from = read_only_ ? UINT32_MAX : store_.claim_recent(user_, *name);
    box = store_.find_mailbox(user_, *name);
    std::size_t first_unseen = 0;
    for (const auto& m : box->messages) {
        view_.push_back({m.uid, m.flags});
        if (m.uid >= recent_from) recent_.insert(m.uid);
        if (!first_unseen && !m.flags.count("\\Seen")) first_unseen = view_.size();
    }
    untagged("FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)");
    untagged(fmt::format("{} EXISTS", view_.size()));
    untagged(fmt::format("{} RECENT", recent_.size()));
    if (first_unseen)
        untagged(fmt::format("OK [UNSEEN {}] message {} is the first unseen", first_unseen,
                             first_unseen));
    untagged(fmt::format("OK [UIDVALIDITY {}] UIDs valid", box->uid_validity),
             {{"uidvalidity", box->uid_validity}});
    note("imap.note.uidvalidity",
         fmt::format("UIDVALIDITY {}: while it stays the same, a UID always names the same message",
                     box->uid_validity),
         {{"value", box->uid_validity}});
    untagged(fmt::format("OK [UIDNEXT {}] predicted next UID", box->next_uid));
    untagged(read_only_ ? "OK [PERMANENTFLAGS ()] read-only mailbox"
                        : "OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)] "
                          "flags can be changed");
    ok(fmt::format("[{}] {} completed", read_only_ ? "READ-ONLY" : "READ-WRITE", cmd.name));
    enter_state(server_state::selected, fmt::format("{} {}", cmd.name, *name));
}

void server_session::on_create(const command& cmd, bool) {
    if (cmd.args.size() != 1) return bad("syntax: CREATE mailbox");
    auto name = mailbox_arg(cmd.args[0]);
    if (!name) return;
    std::string wanted = *name;
    if (!wanted.empty() && wanted.back() == '.') wanted.pop_back();  // "A." creates A (6.3.3)
    if (store_.find_mailbox(user_, wanted))
        return no(fmt::format("[ALREADYEXISTS] \"{}\" exists already", wanted));
    if (!store_.create_mailbox(user_, wanted))
        return no(fmt::format("[CANNOT] \"{}\" is not a valid mailbox name", wanted));
    ok("CREATE completed");
}

void server_session::on_delete(const command& cmd, bool) {
    if (cmd.args.size() != 1) return bad("syntax: DELETE mailbox");
    auto name = mailbox_arg(cmd.args[0]);
    if (!name) return;
    if (*name == "INBOX") return no("[CANNOT] INBOX cannot be deleted");
    if (!store_.delete_mailbox(user_, *name))
        return no(fmt::format("[NONEXISTENT] no mailbox \"{}\"", *name));
    if (*name == selected_) {
        selected_.clear();
        view_.clear();
        enter_state(server_state::authenticated, "the selected mailbox was deleted");
    }
    ok("DELETE completed");
}

void server_session::on_rename(const command& cmd, bool) {
    if (cmd.args.size() != 2) return bad("syntax: RENAME from to");
    auto from = mailbox_arg(cmd.args[0]);
    if (!from) return;
    auto to = mailbox_arg(cmd.args[1]);
    if (!to) return;
    if (!store_.find_mailbox(user_, *from))
        return no(fmt::format("[NONEXISTENT] no mailbox \"{}\"", *from));
    if (store_.find_mailbox(user_, *to))
        return no(fmt::format("[ALREADYEXISTS] \"{}\" exists already", *to));
    if (!store_.rename_mailbox(user_, *from, *to))
        return no(fmt::format("[CANNOT] cannot rename \"{}\" to \"{}\"", *from, *to));
    ok("RENAME completed");
}

void server_session::on_subscribe(const command& cmd, bool) {
    if (cmd.args.size() != 1) return bad(fmt::format("syntax: {} mailbox", cmd.name));
    auto name = mailbox_arg(cmd.args[0]);
    if (!name) return;
    if (cmd.name == "SUBSCRIBE") store_.subscribe(user_, *name);
    else store_.unsubscribe(user_, *name);
    ok(fmt::format("{} completed", cmd.name));
}

void server_session::on_list(const command& cmd, bool) {
    if (cmd.args.size() != 2 || !cmd.args[0].is_astring() || !cmd.args[1].is_astring())
        return bad(fmt::format("syntax: {} reference pattern", cmd.name));
    std::string pattern = cmd.args[0].text + cmd.args[1].text;
    if (cmd.args[1].text.empty()) {
        untagged(fmt::format("{} (\\Noselect) \".\" \"\"", cmd.name));
        return ok(fmt::format("{} completed", cmd.name));
    }
    auto decoded_pattern = decode_mailbox_name(pattern).value_or(pattern);
    std::vector<std::string> names =
        cmd.name == "LSUB" ? store_.subscriptions(user_) : store_.mailbox_names(user_);
    std::vector<std::string> all = store_.mailbox_names(user_);
    for (const auto& name : names) {
        bool match = wildcard_match(decoded_pattern, name) ||
                     (name == "INBOX" && wildcard_match(to_upper(decoded_pattern), "INBOX"));
        if (!match) continue;
        bool children = std::any_of(all.begin(), all.end(), [&](const std::string& other) {
            return other.size() > name.size() + 1 && other.rfind(name + ".", 0) == 0;
        });
        std::string wire = encode_mailbox_name(name);
        if (has_8bit(name))
            note("imap.note.modified_utf7", fmt::format("\"{}\" travels as \"{}\"", name, wire),
                 {{"name", name}});
        untagged(fmt::format("{} ({}) \".\" \"{}\"", cmd.name,
                             children ? "\\HasChildren" : "\\HasNoChildren", wire));
    }
    ok(fmt::format("{} completed", cmd.name));
}

void server_session::on_status(const command& cmd, bool) {
    if (cmd.args.size() != 2 || !cmd.args[1].is_list()) return bad("syntax: STATUS mailbox (items)");
    auto name = mailbox_arg(cmd.args[0]);
    if (!name) return;
    const mailbox* box = store_.find_mailbox(user_, *name);
    if (!box) return no(fmt::format("[NONEXISTENT] no mailbox \"{}\"", *name));
    std::string items;
    for (const auto& item : cmd.args[1].items) {
        std::string key = to_upper(item.text);
        std::size_t value = 0;
        if (key == "MESSAGES") value = box->messages.size();
        else if (key == "RECENT") value = 0;  // RFC 3501: only a SELECT claims \Recent
        else if (key == "UIDNEXT") value = box->next_uid;
        else if (key == "UIDVALIDITY") value = box->uid_validity;
        else if (key == "UNSEEN")
            value = static_cast<std::size_t>(std::count_if(
                box->messages.begin(), box->messages.end(),
                [](const stored_message& m) { return !m.flags.count("\\Seen"); }));
        else return bad(fmt::format("unknown STATUS item {}", item.text));
        items += fmt::format("{}{} {}", items.empty() ? "" : " ", key, value);
    }
    untagged(fmt::format("STATUS \"{}\" ({})", encode_mailbox_name(*name), items));
    ok("STATUS completed");
}

void server_session::on_append(const command& cmd, bool) {
    if (cmd.args.size() < 2 || !cmd.args.back().is_string())
        return bad("syntax: APPEND mailbox [(flags)] [\"date\"] {literal}");
    auto name = mailbox_arg(cmd.args[0]);
    if (!name) return;
    std::set<std::string> flags;
    std::int64_t date_us = tracer_.now_us();
    for (std::size_t i = 1; i + 1 < cmd.args.size(); ++i) {
        const token& t = cmd.args[i];
        if (t.is_list()) {
            for (const auto& f : t.items) {
                if (iequals(f.text, "\\Recent")) return bad("\\Recent cannot be set");
                flags.insert(f.text);
            }
        } else if (t.is_string()) {
            // "06-Jan-2025 09:00:00 -0700": the two dashes of the date become spaces, as RFC 5322
            // writes "6 Jan 2025"; the zone keeps its sign.
            std::string text = t.text;
            for (int dashes = 0, i = 0; i < static_cast<int>(text.size()) && dashes < 2; ++i)
                if (text[static_cast<std::size_t>(i)] == '-') {
                    text[static_cast<std::size_t>(i)] = ' ';
                    ++dashes;
                }
            auto when = mime::parse_mail_date(text);
            if (!when) return bad(fmt::format("\"{}\" is not a date-time like 06-Jan-2025 09:00:00 +0800", t.text));
            date_us = when->unix_seconds * 1000000;
        } else {
            return bad("syntax: APPEND mailbox [(flags)] [\"date\"] {literal}");
        }
    }
    try {
        std::uint32_t uid = store_.append(user_, *name, cmd.args.back().text, flags, date_us);
        const mailbox* box = store_.find_mailbox(user_, *name);
        event e;
        e.kind = event_kind::store;
        e.cause = current_command_;
        e.text = fmt::format("appended to {} {} as UID {} ({} octets)", user_, *name, uid,
                             cmd.args.back().text.size());
        e.raw = cmd.args.back().text;
        e.explain = "net.store.append";
        e.fields = {{"action", "append"}, {"user", user_}, {"mailbox", *name}, {"uid", uid},
                    {"size", cmd.args.back().text.size()}};
        tracer_.local(std::move(e));
        ok(fmt::format("[APPENDUID {} {}] APPEND completed", box->uid_validity, uid));
    } catch (const std::invalid_argument&) {
        no(fmt::format("[TRYCREATE] no mailbox \"{}\"", *name));
    }
}

void server_session::on_idle(const command&, bool) {
    idle_tag_ = current_tag_;
    current_tag_.clear();
    continuation("idling");
    note("imap.note.idle", "the client waits; new mail and flag changes are pushed to it now");
    // What changed before IDLE is told at once (after the "+"), not at the next change.
    if (!selected_.empty()) report_changes(true);
    enter_state(server_state::idle, "IDLE");
}

}  // namespace maillab::imap
