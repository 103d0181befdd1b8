// POP3 server session: theory of operation.
//
// RFC 1939 4: AUTHORIZATION -> TRANSACTION -> UPDATE. The greeting carries an APOP timestamp.
// Lines are cut (CRLF; bare LF accepted with a note), traced as command events and dispatched
// through the command table, which checks the state first; every refusal is "-ERR" with a text
// and the session goes on. Logging in takes the maildrop lock (RFC 1939 8) and fixes the list
// of messages for the session. DELE only marks; QUIT in TRANSACTION enters UPDATE, removes the
// marked messages through the host (which traces each removal), releases the lock and closes.
// A connection lost in TRANSACTION releases the lock and deletes nothing.
// Responses leave through send_response(), the one choke point that traces them; multi-line
// responses are dot-stuffed and end with "." (RFC 1939 3). States change only in enter_state().

#include "sim/pop3/server_session.hpp"

#include <fmt/format.h>

#include "sim/core/bytes.hpp"
#include "sim/core/command_line.hpp"
#include "sim/pop3/trace_events.hpp"

namespace maillab::pop3 {

std::string_view to_string(server_state s) {
    switch (s) {
        case server_state::authorization: return "AUTHORIZATION";
        case server_state::transaction: return "TRANSACTION";
        case server_state::update: return "UPDATE";
        case server_state::tls_handshake: return "TLS_HANDSHAKE";
        case server_state::closed: return "CLOSED";
    }
    return "?";
}

server_session::server_session(server_config config, maildrop_host& host,
                               connection_tracer& tracer)
    : config_(std::move(config)), host_(host), tracer_(tracer) {
    tls_active_ = config_.tls_active;
}

server_session::~server_session() { release_lock(); }

void server_session::start() {
    if (started_) return;
    started_ = true;
    // RFC 1939 7: a timestamp unique to this greeting, the salt of the APOP digest.
    timestamp_ = fmt::format("<{}.{}@{}>", tracer_.conn(), tracer_.now_us(), config_.hostname);
    ok(fmt::format("maillab POP3 server ready {}", timestamp_));
    // The session starts in AUTHORIZATION; trace the start so the diagram has its first node.
    tracer_.state("pop3.server", "CONNECTED", to_string(state_), "greeting sent", current_command_);
    flush_responses();
}

void server_session::receive(std::string_view bytes) {
    if (state_ == server_state::closed || state_ == server_state::tls_handshake) return;
    in_.append(bytes);
    process_input();
}

void server_session::process_input() {
    while (!in_.empty() && state_ != server_state::closed &&
           state_ != server_state::tls_handshake) {
        line_reader::result got = lines_.next(in_);
        if (got.type == line_reader::result::kind::none) return;
        ++inputs_;
        if (got.type == line_reader::result::kind::too_long) {
            std::size_t length = got.length;
            current_command_ = std::nullopt;
            note("pop3.note.line_too_long",
                 fmt::format("command line of {} octets is over the {}-octet limit", length,
                             config_.max_command_line),
                 {{"length", length}});
            err("line too long");
            flush_responses();
            continue;
        }
        bool crlf = got.crlf;
        if (awaiting_auth_response_) handle_auth_line(got.raw, got.content());
        else handle_command_line(got.raw, got.content());
        if (!crlf && !noted_bare_lf_ && state_ != server_state::closed) {
            noted_bare_lf_ = true;
            note("pop3.note.bare_lf", "line ended with a bare LF instead of CRLF");
        }
        flush_responses();
    }
}

void server_session::handle_command_line(std::string_view raw, std::string_view line) {
    command_words words = split_command_line(line);
    auto& [verb_as_sent, verb, args] = words;
    const command_spec* spec = nullptr;
    for (const auto& c : command_table())
        if (c.verb == verb) spec = &c;
    current_command_ = tracer_.incoming(command_event("pop3", spec, words, line, raw));
    if (++commands_ > config_.limits.max_commands) {
        note("pop3.note.too_many_commands",
             fmt::format("{} commands in one session, over the limit of {}", commands_,
                         config_.limits.max_commands),
             {{"limit", config_.limits.max_commands}});
        close_with_err("[SYS/TEMP] too many commands in one session, closing connection",
                       "too many commands");
        return;
    }

    if (!spec) {
        err(verb.empty() ? "empty command" : fmt::format("unknown command \"{}\"", verb_as_sent));
        return;
    }
    if (verb != verb_as_sent && !noted_lowercase_) {
        noted_lowercase_ = true;
        note("pop3.note.lowercase_verb",
             fmt::format("\"{}\" in lower case: POP3 keywords are case-insensitive",
                         verb_as_sent),
             {{"verb", std::string(verb_as_sent)}});
    }
    if (!(spec->allowed_states & (1u << static_cast<unsigned>(state_)))) {
        err(fmt::format("{} is not allowed in the {} state: {}", verb, to_string(state_),
                        spec->out_of_state));
        return;
    }
    (this->*spec->handler)(args);
}

void server_session::send_response(std::string wire, bool positive, std::string text,
                                   nlohmann::json fields) {
    event e = response_event(wire, positive, std::move(text), std::move(fields));
    e.cause = current_command_;
    // Traced and sent once the command is fully handled: command, notes, state, response.
    pending_responses_.push_back({std::move(e), std::move(wire)});
}

void server_session::flush_responses() {
    for (auto& [e, wire] : pending_responses_) {
        tracer_.outgoing(std::move(e));
        out_ += wire;
    }
    pending_responses_.clear();
}

void server_session::ok(std::string_view text) {
    std::string line = text.empty() ? "+OK" : fmt::format("+OK {}", text);
    send_response(line + "\r\n", true, line, {});
}

void server_session::err(std::string_view text) {
    std::string line = fmt::format("-ERR {}", text);
    send_response(line + "\r\n", false, line, {});
}

void server_session::multiline(std::string_view first, const std::string& body,
                               nlohmann::json fields) {
    std::string line = fmt::format("+OK {}", first);
    if (!fields.is_object()) fields = nlohmann::json::object();
    fields["multiline"] = true;
    send_response(line + "\r\n" + body + ".\r\n", true, multiline_text(line, body),
                  std::move(fields));
}

void server_session::enter_state(server_state next, std::string_view reason) {
    if (next == state_) return;
    server_state previous = state_;
    state_ = next;
    tracer_.state("pop3.server", to_string(previous), to_string(next), reason, current_command_);
}

void server_session::note(std::string_view key, std::string_view text, nlohmann::json fields) {
    tracer_.note(key, text, std::move(fields), current_command_);
}

void server_session::release_lock() {
    if (!holds_lock_) return;
    host_.unlock(logged_in_);
    holds_lock_ = false;
}

void server_session::tls_established(const tls_info& info) {
    if (state_ != server_state::tls_handshake) return;
    want_tls_ = false;
    tls_active_ = true;
    user_.clear();
    note("pop3.note.tls_fresh_start",
         fmt::format("TLS established ({}, {}); the client should send CAPA again",
                     info.version, info.cipher));
    enter_state(server_state::authorization, "TLS established");
}

void server_session::close_with_err(std::string_view text, std::string_view why) {
    if (state_ == server_state::transaction)
        note("pop3.note.closed_without_update",
             "the server ends the session without UPDATE: messages marked for deletion are kept");
    err(text);
    want_close_ = true;
    release_lock();
    enter_state(server_state::closed, why);
    flush_responses();
}

void server_session::idle_timeout() {
    if (state_ == server_state::closed) return;
    current_command_ = std::nullopt;
    note("pop3.note.idle_timeout", "no command for too long (RFC 1939 3: at least 10 minutes)");
    close_with_err("[SYS/TEMP] idle for too long, closing connection", "idle timeout");
}

void server_session::count_auth_failure() {
    auto verdict = auth_failures_.record_failure();
    output_delay_ms_ = verdict.delay_ms;
    if (!verdict.close) return;
    note("pop3.note.too_many_auth_failures",
         fmt::format("{} failed logins on this connection: the server closes it",
                     auth_failures_.failures()),
         {{"failures", auth_failures_.failures()}});
    // The -ERR for the failed attempt is already pending; RFC 2449 [AUTH] said why.
    want_close_ = true;
    release_lock();
    enter_state(server_state::closed, "too many failed logins");
}

void server_session::connection_lost() {
    if (state_ == server_state::closed) return;
    current_command_ = std::nullopt;
    if (state_ == server_state::transaction) {
        std::size_t marked = 0;
        for (const auto& m : messages_) marked += m.deleted;
        note("pop3.note.dropped_without_quit",
             fmt::format("connection lost without QUIT: no UPDATE state, the {} message(s) "
                         "marked for deletion are kept",
                         marked),
             {{"marked", marked}});
    }
    release_lock();
    enter_state(server_state::closed, "connection lost");
}

std::string server_session::take_output() {
    std::string out;
    out.swap(out_);
    return out;
}

}  // namespace maillab::pop3
