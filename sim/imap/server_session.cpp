// IMAP server session: theory of operation.
//
// RFC 3501 3: NOT AUTHENTICATED -> AUTHENTICATED -> SELECTED -> LOGOUT, one enum, changed only
// in enter_state(). Input goes through the incremental command parser; a literal that is not
// there yet gets "+ " (one over the limit is refused with BAD, or BYE for LITERAL+). Each
// command is traced, dispatched
// through the command table (which checks the state), and answered: untagged data first, the
// tagged OK/NO/BAD last, all through untagged()/tagged() and flushed once the command is done, so
// the trace reads: command, notes, state change, untagged data, tagged status.
//
// Synchronisation (the seeds' point about IMAP): the session keeps the list of messages and
// flags it last reported (`view_`). After each command it compares that view with the store and
// reports what changed (EXPUNGE, EXISTS, RECENT, FETCH FLAGS); in IDLE (RFC 2177) the host calls
// world_changed() and the report is pushed at once. RFC 3501 7.4.1: no EXPUNGE during FETCH,
// STORE or SEARCH, because it would renumber messages under the client's feet.

#include "sim/imap/server_session.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "sim/core/bytes.hpp"
#include "sim/imap/fetch_items.hpp"
#include "sim/imap/mailbox_name.hpp"
#include "sim/imap/trace_events.hpp"

namespace maillab::imap {

std::string_view to_string(server_state s) {
    switch (s) {
        case server_state::connected: return "CONNECTED";
        case server_state::not_authenticated: return "NOT_AUTHENTICATED";
        case server_state::authenticated: return "AUTHENTICATED";
        case server_state::selected: return "SELECTED";
        case server_state::logout: return "LOGOUT";
        case server_state::tls_handshake: return "TLS_HANDSHAKE";
        case server_state::idle: return "IDLE";
    }
    return "?";
}

server_session::server_session(server_config config, mail_store& store, connection_tracer& tracer)
    : config_(std::move(config)), store_(store), tracer_(tracer), parser_(config_.limits) {
    tls_active_ = config_.tls_active;
}

std::string server_session::capabilities() const {
    std::string caps = "IMAP4rev1 LITERAL+ IDLE UIDPLUS UNSELECT AUTH=PLAIN SASL-IR";
    if (config_.tls_available && !tls_active_ && state_ != server_state::authenticated &&
        state_ != server_state::selected)
        caps += " STARTTLS";
    return caps;
}

void server_session::start() {
    if (state_ != server_state::connected) return;
    untagged(fmt::format("OK [CAPABILITY {}] {} maillab IMAP4rev1 ready", capabilities(),
                         config_.hostname));
    enter_state(server_state::not_authenticated, "greeting sent");
    flush();
}

void server_session::receive(std::string_view bytes) {
    if (state_ == server_state::logout || state_ == server_state::tls_handshake) return;
    parser_.feed(bytes);
    // With --store, the flag changes of every command in this chunk (pipelined FETCH BODY[]s,
    // each setting \Seen) are fsynced together when it is processed: the replies leave only
    // after receive() returns (take_output()), so none is sent before its change is on disk.
    mail_store::flag_batch batch(store_);
    process_input();
}

void server_session::process_input() {
    while (state_ != server_state::logout && state_ != server_state::tls_handshake) {
        if (state_ == server_state::idle || !auth_tag_.empty()) {
            auto line = parser_.take_line();
            if (!line) return;
            ++inputs_;
            current_command_ = tracer_.incoming(
                line_command_event(*line, state_ == server_state::idle ? "DONE" : "AUTHENTICATE"));
            if (state_ == server_state::idle) {
                current_tag_ = idle_tag_;
                idle_tag_.clear();
                enter_state(selected_.empty() ? server_state::authenticated : server_state::selected,
                            "IDLE ended");
                if (iequals(trim(*line), "DONE")) {
                    report_changes(true);
                    ok("IDLE terminated");
                } else {
                    bad("expected DONE to end IDLE");
                }
            } else {
                finish_authenticate(*line);
            }
            flush();
            continue;
        }
        parse_result r = parser_.next();
        if (r.state == parse_result::status::need_more) return;
        ++inputs_;
        if (r.state == parse_result::status::continuation) {
            // Nothing is traced as a command yet: the command is not complete.
            current_command_ = std::nullopt;
            continuation(fmt::format("Ready for {} octets", r.literal_size));
            flush();
            continue;
        }
        if (r.state == parse_result::status::error) {
            current_command_ = tracer_.incoming(unparsed_command_event(r));
            current_tag_ = r.tag;
            if (r.fatal) {
                note("imap.note.literal_too_large", r.error, {{"size", r.error}});
                untagged("BYE " + r.error);
                flush();
                want_close_ = true;
                enter_state(server_state::logout, "literal too large");
                return;
            }
            bad(r.error);
            flush();
            continue;
        }
        handle(r.cmd);
        flush();
    }
}

void server_session::handle(const command& cmd) {
    const command_spec* spec = nullptr;
    for (const auto& c : command_table())
        if (c.name == cmd.name) spec = &c;
    current_command_ = tracer_.incoming(command_event(cmd, spec != nullptr));
    current_tag_ = cmd.tag;
    if (++commands_ > config_.session_limits.max_commands) {
        note("imap.note.too_many_commands",
             fmt::format("{} commands in one session, over the limit of {}", commands_,
                         config_.session_limits.max_commands),
             {{"limit", config_.session_limits.max_commands}});
        return say_bye("too many commands in one session", "too many commands");
    }

    if (!spec) return bad(fmt::format("unknown command \"{}\"", cmd.name_as_sent));
    if (cmd.name != cmd.name_as_sent && !noted_lowercase_) {
        noted_lowercase_ = true;
        note("imap.note.lowercase_verb",
             fmt::format("\"{}\": IMAP command names are case-insensitive", cmd.name_as_sent),
             {{"verb", cmd.name_as_sent}});
    }
    if (!(spec->allowed_states & (1u << static_cast<unsigned>(state_)))) {
        constexpr auto bit = [](server_state s) { return 1u << static_cast<unsigned>(s); };
        std::string_view why =
            state_ == server_state::not_authenticated ? "log in first"
            : (spec->allowed_states & bit(server_state::not_authenticated))
                ? "you are already logged in"
                : "select a mailbox first";
        return bad(fmt::format("{} is not allowed in the {} state: {}", cmd.name,
                               to_string(state_), why));
    }
    try {
        (this->*spec->handler)(cmd, false);
    } catch (const std::exception& err) {
        // A store that cannot write (disk full, permissions) refuses the command; the
        // session goes on (RFC 5530 UNAVAILABLE).
        pending_.clear();
        no(fmt::format("[UNAVAILABLE] the mail store failed: {}", err.what()));
    }
    // RFC 3501 5.2: tell the client what changed, before the tagged reply; 7.4.1: no EXPUNGE
    // while the client may be relying on sequence numbers.
    if (state_ == server_state::selected) {
        // UID FETCH/STORE/SEARCH may report expunges (RFC 3501 7.4.1): only the plain forms not.
        bool numbers_in_use = cmd.name == "FETCH" || cmd.name == "STORE" || cmd.name == "SEARCH";
        report_changes(!numbers_in_use);
    }
}

void server_session::say_bye(std::string_view text, std::string_view why) {
    untagged(fmt::format("BYE {}", text));
    want_close_ = true;
    enter_state(server_state::logout, why);
}

void server_session::idle_timeout() {
    if (state_ == server_state::logout) return;
    current_command_ = std::nullopt;
    note("imap.note.idle_timeout",
         "nothing from the client for too long (RFC 3501 5.4: at least 30 minutes; the server's "
         "own updates during IDLE do not count)");
    say_bye("Autologout; idle for too long", "idle timeout");
    flush();
}

void server_session::count_auth_failure() {
    auto verdict = auth_failures_.record_failure();
    output_delay_ms_ = verdict.delay_ms;
    if (!verdict.close) return;
    note("imap.note.too_many_auth_failures",
         fmt::format("{} failed logins on this connection: the server closes it",
                     auth_failures_.failures()),
         {{"failures", auth_failures_.failures()}});
    flush();  // the tagged NO for the attempt first, then the goodbye
    say_bye("too many failed logins", "too many failed logins");
}

void server_session::untagged(std::string text, nlohmann::json fields) {
    std::string wire = "* " + text + "\r\n";
    event e = untagged_event(wire, std::move(fields));
    e.cause = current_command_;
    pending_.push_back({std::move(e), std::move(wire)});
}

void server_session::tagged(std::string_view status, std::string_view text) {
    std::string line = fmt::format("{} {} {}", current_tag_, status, text);
    event e = tagged_event(current_tag_, status, line, line + "\r\n");
    e.cause = current_command_;
    pending_tagged_ = {std::move(e), line + "\r\n"};
}

void server_session::continuation(std::string_view text) {
    std::string wire = fmt::format("+ {}\r\n", text);
    event e = continuation_event("+ " + std::string(text), wire);
    e.cause = current_command_;
    pending_.push_back({std::move(e), std::move(wire)});
}

void server_session::flush() {
    for (auto& [e, wire] : pending_) {
        tracer_.outgoing(std::move(e));
        out_ += wire;
    }
    pending_.clear();
    if (pending_tagged_) {
        tracer_.outgoing(std::move(pending_tagged_->first));
        out_ += pending_tagged_->second;
        pending_tagged_.reset();
    }
}

void server_session::enter_state(server_state next, std::string_view reason) {
    if (next == state_) return;
    server_state previous = state_;
    state_ = next;
    tracer_.state("imap.server", to_string(previous), to_string(next), reason, current_command_);
}

void server_session::note(std::string_view key, std::string_view text, nlohmann::json fields) {
    tracer_.note(key, text, fields.is_object() ? std::move(fields) : nlohmann::json::object(),
                 current_command_);
}

const mailbox* server_session::selected_mailbox() const {
    return selected_.empty() ? nullptr : store_.find_mailbox(user_, selected_);
}

namespace {
// The message with this UID in `box` (messages are in ascending UID order), or nullptr.
const stored_message* message_in(const mailbox& box, std::uint32_t uid) {
    auto it = std::lower_bound(box.messages.begin(), box.messages.end(), uid,
                               [](const stored_message& m, std::uint32_t u) { return m.uid < u; });
    return it != box.messages.end() && it->uid == uid ? &*it : nullptr;
}
}  // namespace

const stored_message* server_session::find_message(std::uint32_t uid) const {
    const mailbox* box = selected_mailbox();
    return box ? message_in(*box, uid) : nullptr;
}

std::optional<std::string> server_session::mailbox_arg(const token& t) {
    if (!t.is_astring()) {
        bad("expected a mailbox name");
        return std::nullopt;
    }
    auto name = decode_mailbox_name(t.text);
    if (!name) {
        bad(fmt::format("\"{}\" is not valid modified UTF-7 (RFC 3501 5.1.3)", t.text));
        return std::nullopt;
    }
    if (iequals(*name, "INBOX")) return std::string("INBOX");
    return name;
}

void server_session::report_changes(bool expunges) {
    // No mailbox: none selected, or it was deleted under us (RFC 3501 7.1.5 allows BYE; this
    // reports nothing).
    // Runs after every command, over the whole view: the mailbox is looked up once here, not
    // by name for each message (that was 90% of 500 FETCHes in a mailbox of 5,000).
    const mailbox* box = selected_mailbox();
    if (!box) return;
    if (expunges) {
        // Walk the view backwards so each EXPUNGE number is right when it is sent.
        for (std::size_t i = view_.size(); i-- > 0;) {
            if (message_in(*box, view_[i].uid)) continue;
            untagged(fmt::format("{} EXPUNGE", i + 1), {{"uid", view_[i].uid}});
            note("imap.note.sync_update", "a message was removed (by this or another client): EXPUNGE",
                 {{"change", "EXPUNGE"}});
            recent_.erase(view_[i].uid);
            view_.erase(view_.begin() + static_cast<std::ptrdiff_t>(i));
        }
    }
    // Flag changes of messages still here.
    // Both the view and the mailbox are in ascending UID order: one walk along both.
    auto next = box->messages.begin();
    for (std::size_t i = 0; i < view_.size(); ++i) {
        while (next != box->messages.end() && next->uid < view_[i].uid) ++next;
        if (next == box->messages.end()) break;
        const stored_message* m = next->uid == view_[i].uid ? &*next : nullptr;
        if (!m || m->flags == view_[i].flags) continue;
        view_[i].flags = m->flags;
        untagged(fmt::format("{} FETCH (FLAGS {} UID {})", i + 1,
                             imap_flag_list(m->flags, recent_.count(m->uid) > 0), m->uid),
                 {{"uid", m->uid}});
        note("imap.note.sync_update", "flags changed (by this or another client): FETCH FLAGS",
             {{"change", "FETCH"}});
    }
    // New messages.
    std::uint32_t last_uid = view_.empty() ? 0 : view_.back().uid;
    std::size_t added = 0;
    for (const auto& m : box->messages)
        if (m.uid > last_uid) {
            view_.push_back({m.uid, m.flags});
            ++added;
        }
    if (added > 0) {
        untagged(fmt::format("{} EXISTS", view_.size()));
        // This session is the first to hear of the new mail: it is recent here (not with
        // EXAMINE, which must not change the mailbox).
        if (!read_only_) {
            std::uint32_t first_recent = store_.claim_recent(user_, selected_);
            for (std::size_t i = view_.size() - added; i < view_.size(); ++i)
                if (first_recent && view_[i].uid >= first_recent) recent_.insert(view_[i].uid);
            untagged(fmt::format("{} RECENT", recent_.size()));
        }
        note("imap.note.sync_update", fmt::format("{} new message(s): EXISTS", added),
             {{"change", "EXISTS"}});
    }
}

void server_session::world_changed() {
    if (state_ != server_state::idle) return;
    report_changes(true);
    flush();
}

void server_session::tls_established(const tls_info& info) {
    if (state_ != server_state::tls_handshake) return;
    want_tls_ = false;
    tls_active_ = true;
    note("imap.note.tls_fresh_start",
         fmt::format("TLS established ({}, {}); ask for CAPABILITY again", info.version,
                     info.cipher));
    enter_state(server_state::not_authenticated, "TLS established");
}

void server_session::connection_lost() {
    if (state_ == server_state::logout) return;
    current_command_ = std::nullopt;
    enter_state(server_state::logout, "connection lost");
}

std::string server_session::take_output() {
    std::string out;
    out.swap(out_);
    return out;
}

}  // namespace maillab::imap
