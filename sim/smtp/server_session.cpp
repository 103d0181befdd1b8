// SMTP server session: theory of operation.
//
// Bytes arrive in any split through receive(). Outside DATA the input is cut into lines
// (RFC 5321 2.3.8: CRLF; a bare LF is accepted with a note), each line is traced as a command
// event and dispatched through the command table (server_commands.cpp), which checks the
// current state first: a verb that is out of sequence gets 503 (RFC 5321 4.1.4) and the session
// goes on. Replies leave through reply(), the one choke point that traces them; states change
// only through enter_state(), which traces the transition. Because every command is answered
// as soon as it is parsed, pipelined commands (RFC 2920) are answered in order for free.
//
// After 354 the input is message text (server_data.cpp) until a line holding a single ".";
// leading dots are unstuffed (RFC 5321 4.5.2). The message is handed to the host, which stores
// it, before 250 is written (RFC 5321 6.1); a connection lost before the "." delivers nothing.
//
// STARTTLS (RFC 3207): 220, then the engine asks the transport for a handshake, discards any
// bytes the client pipelined behind STARTTLS, and after the handshake forgets HELO and AUTH.

#include "sim/smtp/server_session.hpp"

#include <fmt/format.h>

#include "sim/core/bytes.hpp"
#include "sim/core/command_line.hpp"
#include "sim/smtp/reply.hpp"
#include "sim/smtp/trace_events.hpp"

namespace maillab::smtp {

std::string_view to_string(server_state s) {
    switch (s) {
        case server_state::connected: return "CONNECTED";
        case server_state::wait_helo: return "WAIT_HELO";
        case server_state::ready: return "READY";
        case server_state::mail: return "MAIL";
        case server_state::rcpt: return "RCPT";
        case server_state::data: return "DATA";
        case server_state::auth: return "AUTH";
        case server_state::tls_handshake: return "TLS_HANDSHAKE";
        case server_state::closed: return "CLOSED";
    }
    return "?";
}

server_session::server_session(server_config config, server_host& host, connection_tracer& tracer)
    : config_(std::move(config)), host_(host), tracer_(tracer) {
    tls_active_ = config_.tls_active;
}

void server_session::start() {
    if (state_ != server_state::connected) return;
    reply(220, "", fmt::format("{} ESMTP maillab ready", config_.hostname));
    enter_state(server_state::wait_helo, "greeting sent");
    flush_replies();
}

void server_session::receive(std::string_view bytes) {
    if (state_ == server_state::closed) return;
    if (state_ == server_state::tls_handshake) return;  // plaintext now would be injection
    in_.append(bytes);
    process_input();
}

void server_session::process_input() {
    while (!in_.empty() && state_ != server_state::closed &&
           state_ != server_state::tls_handshake) {
        if (state_ == server_state::data) {
            process_data();
            flush_replies();
            if (state_ == server_state::data) return;  // needs more bytes
            continue;
        }
        // Bounded memory: a line that is already too long is dropped as it arrives and
        // answered when its end comes.
        line_reader::result got = lines_.next(in_);
        if (got.type == line_reader::result::kind::none) return;
        ++inputs_;
        if (got.type == line_reader::result::kind::too_long) {
            std::size_t length = got.length;
            current_command_ = std::nullopt;
            note("smtp.note.line_too_long",
                 fmt::format("command line of {} octets is over the {}-octet limit", length,
                             config_.max_command_line),
                 {{"length", length}});
            reply(500, "5.5.2", "Line too long");
            flush_replies();
            continue;
        }
        bool crlf = got.crlf;
        if (state_ == server_state::auth) handle_auth_line(got.raw, got.content());
        else handle_command_line(got.raw, got.content());
        if (!crlf && state_ != server_state::closed)
            note_once(noted_bare_lf_, "smtp.note.bare_lf",
                      "line ended with a bare LF instead of CRLF");
        flush_replies();
    }
}

void server_session::handle_command_line(std::string_view raw, std::string_view line) {
    command_words words = split_command_line(line);
    auto& [verb_as_sent, verb, args] = words;
    const command_spec* spec = nullptr;
    for (const auto& c : command_table())
        if (c.verb == verb) spec = &c;
    current_command_ = tracer_.incoming(command_event("smtp", spec, words, line, raw));
    if (++commands_ > config_.limits.max_commands) {
        note("smtp.note.too_many_commands",
             fmt::format("{} commands in one session, over the limit of {}", commands_,
                         config_.limits.max_commands),
             {{"limit", config_.limits.max_commands}});
        close_with_421("4.7.0", "Too many commands in one session, closing connection",
                       "too many commands");
        return;
    }

    if (verb.empty()) {
        reply(500, "5.5.2", "Syntax error: empty command line");
        return;
    }
    if (verb != verb_as_sent && spec)
        note_once(noted_lowercase_, "smtp.note.lowercase_verb",
                  fmt::format("\"{}\" in lower case: verbs are case-insensitive (RFC 5321 2.4)",
                              verb_as_sent),
                  {{"verb", std::string(verb_as_sent)}});
    if (!spec) {
        reply(500, "5.5.2", fmt::format("Command unrecognized: \"{}\"", verb_as_sent));
        return;
    }
    if (!(spec->allowed_states & (1u << static_cast<unsigned>(state_)))) {
        // Seed 000 calls SMTP stateless; the first out-of-sequence command is the evidence.
        note_once(noted_stateful_, "smtp.note.stateful",
                  fmt::format("{} refused in state {}: an SMTP session is a state machine", verb,
                              to_string(state_)));
        reply(503, "5.5.1",
              fmt::format("Bad sequence of commands: {} is not allowed in state {} ({})", verb,
                          to_string(state_), spec->out_of_sequence));
        return;
    }
    (this->*spec->handler)(args);
}

void server_session::reply(int code, std::string_view enhanced, std::string_view text) {
    std::string line = enhanced.empty() ? std::string(text) : fmt::format("{} {}", enhanced, text);
    reply_lines(code, {line});
}

void server_session::reply_lines(int code, const std::vector<std::string>& lines) {
    std::string wire = format_reply(code, lines);
    event e = reply_event(code, lines, wire);
    e.cause = current_command_;
    // Traced and sent once the command is fully handled, so the trace reads: command, notes,
    // state change, reply (the server decides, then answers).
    pending_replies_.push_back({std::move(e), std::move(wire)});
}

void server_session::flush_replies() {
    for (auto& [e, wire] : pending_replies_) {
        tracer_.outgoing(std::move(e));
        out_ += wire;
    }
    pending_replies_.clear();
}

void server_session::enter_state(server_state next, std::string_view reason) {
    if (next == state_) return;
    server_state previous = state_;
    state_ = next;
    tracer_.state("smtp.server", to_string(previous), to_string(next), reason, current_command_);
}

void server_session::note(std::string_view key, std::string_view text, nlohmann::json fields) {
    if (holding_data_notes_) {
        // Remarks about the message text belong after the text itself in the trace: keep them
        // until the data event exists (or the connection is lost).
        held_data_notes_.push_back({std::string(key), std::string(text), std::move(fields)});
        return;
    }
    tracer_.note(key, text, std::move(fields), current_command_);
}

void server_session::release_data_notes() {
    holding_data_notes_ = false;
    for (auto& n : held_data_notes_)
        tracer_.note(n.key, n.text, std::move(n.fields), current_command_);
    held_data_notes_.clear();
}

void server_session::note_once(bool& flag, std::string_view key, std::string_view text,
                               nlohmann::json fields) {
    if (flag) return;
    flag = true;
    note(key, text, std::move(fields));
}

void server_session::reset_transaction() {
    mail_from_.clear();
    recipients_.clear();
}

void server_session::tls_established(const tls_info& info) {
    if (state_ != server_state::tls_handshake) return;
    want_tls_ = false;
    tls_active_ = true;
    // RFC 3207 4.2: discard all knowledge obtained from the client before TLS.
    helo_.clear();
    helo_given_ = false;
    esmtp_ = false;
    auth_user_.reset();
    reset_transaction();
    note("smtp.note.tls_fresh_start",
         fmt::format("TLS established ({}, {}): the client must send EHLO again", info.version,
                     info.cipher));
    enter_state(server_state::wait_helo, "TLS established");
}

void server_session::close_with_421(std::string_view enhanced, std::string_view text,
                                    std::string_view why) {
    reply(421, enhanced, fmt::format("{} {}", config_.hostname, text));
    want_close_ = true;
    enter_state(server_state::closed, why);
    flush_replies();
}

void server_session::idle_timeout() {
    if (state_ == server_state::closed) return;
    current_command_ = std::nullopt;
    bool in_data = state_ == server_state::data;
    release_data_notes();
    note("smtp.note.idle_timeout",
         in_data ? fmt::format("no message text for too long after {} octets: nothing was "
                               "delivered (RFC 5321 4.5.3.2.6)",
                               message_.size())
                 : std::string("no command for too long (RFC 5321 4.5.3.2.7)"));
    close_with_421("4.4.2", "Error: timeout exceeded, closing connection", "idle timeout");
}

void server_session::connection_lost() {
    if (state_ == server_state::closed) return;
    current_command_ = std::nullopt;
    release_data_notes();
    if (state_ == server_state::data)
        tracer_.note("smtp.note.dropped_in_data",
             fmt::format("connection lost after {} octets of message text and before the final "
                         "\".\": nothing was delivered",
                         message_.size()),
             {{"size", message_.size()}}, current_command_);
    enter_state(server_state::closed, "connection lost");
}

std::string server_session::take_output() {
    std::string out;
    out.swap(out_);
    return out;
}

}  // namespace maillab::smtp
