// IMAP command client: theory of operation.
//
// The session is a short pipeline, one command in flight at a time (RFC 3501 5.5 allows more,
// but one at a time keeps every untagged response attributable to the command that caused it):
//
//   CONNECTING -> GREETING --"* OK"--> [STARTTLS -> TLS_HANDSHAKE] -> LOGIN -> COMMAND ...
//                          --"* PREAUTH"--> COMMAND (RFC 3501 7.1.4: already authenticated)
//   COMMAND --tagged reply--> next COMMAND, or LOGOUT when the list is done or a NO/BAD stops it
//   LOGOUT --tagged OK (or the server closing after BYE)--> DONE
//   anything unexpected (refused greeting or login, BYE, lost connection, unparseable stream)
//   --> FAILED
//
// Bytes go through response_splitter (complete responses, literals included, bounded) and
// parse_response(); untagged responses are collected for the command in flight, the tagged one
// with its tag completes it. A command's literals follow RFC 3501 7.5: send "{n}" CRLF, wait for
// "+", send the octets; with LITERAL+ (RFC 7888) "{n+}" and no wait. A tagged NO or BAD can
// arrive instead of the "+", and then the literal is never sent.
//
// LOGIN's user name and password are astrings (RFC 3501 9): a quoted string with \ and "
// escaped, or a literal when they hold what a quoted string cannot (CR, LF, NUL, 8-bit).
// After STARTTLS's OK, whatever else had arrived in plaintext is dropped and the capabilities
// are forgotten (RFC 3501 6.2.1): a man in the middle could have put them there.

#include "sim/imap/command_client.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "sim/core/bytes.hpp"

namespace maillab::imap {
namespace {

bool needs_literal(std::string_view s) {
    // RFC 3501 9: QUOTED-CHAR is 7-bit and never CR or LF; NUL is no CHAR at all.
    return std::any_of(s.begin(), s.end(), [](char c) {
        auto u = static_cast<unsigned char>(c);
        return u == 0 || u == '\r' || u == '\n' || u >= 0x80;
    });
}

std::string quoted_string(std::string_view s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + '"';
}

// The status response's text as it came: "[APPENDUID 1 4] APPEND completed".
std::string status_text(const response& r) {
    if (const value* code = r.code())
        return "[" + code->text + "]" + (r.text.empty() ? "" : " " + r.text);
    return r.text;
}

}  // namespace

std::string_view to_string(command_client_state s) {
    switch (s) {
        case command_client_state::connecting: return "CONNECTING";
        case command_client_state::greeting: return "GREETING";
        case command_client_state::starttls: return "STARTTLS";
        case command_client_state::tls_handshake: return "TLS_HANDSHAKE";
        case command_client_state::login: return "LOGIN";
        case command_client_state::command: return "COMMAND";
        case command_client_state::logout: return "LOGOUT";
        case command_client_state::done: return "DONE";
        case command_client_state::failed: return "FAILED";
    }
    return "?";
}

command_client::command_client(command_job job, connection_tracer& tracer)
    : job_(std::move(job)), tracer_(tracer), splitter_(job_.limits) {}

void command_client::start() {
    enter_state(command_client_state::greeting, "connected; waiting for * OK");
}

void command_client::receive(std::string_view bytes) {
    // Nothing is read between STARTTLS's OK and the end of the handshake.
    if (finished() || want_tls_) return;
    splitter_.feed(bytes);
    while (!finished() && !want_tls_) {
        auto raw = splitter_.next();
        if (!raw) {
            if (splitter_.failed())
                // The stream cannot be resynchronised: the rest of the literal would be read as
                // responses. Close without a LOGOUT the server might take as literal data.
                fail("cannot read the server's responses: " + splitter_.error(), false);
            return;
        }
        on_response(parse_response(*raw));
    }
}

void command_client::on_response(const response& r) {
    if (r.is_continuation()) {
        if (!awaiting_continuation_) return;  // not for us: nothing is waiting for one
        out_ += pending_.literals[literal_index_++];
        write_until_continuation();
        return;
    }
    learn_capabilities(r);  // the greeting, * CAPABILITY, or LOGIN's OK [CAPABILITY ...]
    if (r.is_untagged()) {
        if (state_ == command_client_state::greeting) return on_greeting(r);
        if (state_ == command_client_state::command) current_.untagged.push_back(r);
        // RFC 3501 7.1.5: BYE outside LOGOUT means the server is closing the connection.
        if (r.status() == "BYE" && state_ != command_client_state::logout)
            return fail("the server ended the session: " + status_text(r), false);
        return;
    }
    if (r.tag != waiting_tag_) return;  // not the command in flight
    awaiting_continuation_ = false;
    on_tagged(r);
}

void command_client::on_greeting(const response& r) {
    std::string status = r.status();
    result_.greeting = r.text;
    if (status == "OK") {
        if (job_.use_starttls)
            return send({{"STARTTLS"}, {}}, command_client_state::starttls, "asking for TLS");
        return login("greeting received");
    }
    if (status == "PREAUTH") {
        // Without TLS a PREAUTH could come from a man in the middle who wants the session to
        // stay in plaintext: STARTTLS is impossible once authenticated.
        if (job_.use_starttls) return fail("PREAUTH greeting, but STARTTLS was required");
        result_.logged_in = true;
        return next_command("greeting was PREAUTH: already logged in");
    }
    if (status == "BYE") return fail("the server refused the connection: " + status_text(r), false);
    fail("the greeting was not OK: " + visible_bytes(r.raw), false);
}

void command_client::on_tagged(const response& r) {
    std::string status = r.status();
    bool ok = status == "OK";
    std::string text = status.empty() ? visible_bytes(r.raw) : status_text(r);
    switch (state_) {
        case command_client_state::starttls:
            if (!ok) return fail("STARTTLS refused: " + text);
            splitter_.discard();
            result_.capabilities.clear();
            want_tls_ = true;
            enter_state(command_client_state::tls_handshake, "OK to STARTTLS");
            return;
        case command_client_state::login:
            if (!ok) return fail("login refused: " + text);
            result_.logged_in = true;
            return next_command("logged in");
        case command_client_state::command: {
            current_.status = status;
            current_.text = text;
            current_.completion = r;
            result_.outcomes.push_back(std::move(current_));
            current_ = {};
            const command_outcome& done = result_.outcomes.back();
            if (!ok && job_.stop_on_no) {
                stopped_ = true;
                result_.error = fmt::format("{} answered {} {}", done.command,
                                            status.empty() ? "?" : status, text);
                return logout(fmt::format("stopping: {} to {}", status, done.command));
            }
            if (job_.follow_up) {
                std::vector<command_step> more = job_.follow_up(done);
                job_.commands.insert(job_.commands.begin() + static_cast<std::ptrdiff_t>(command_index_),
                                     more.begin(), more.end());
            }
            return next_command(fmt::format("{} {}", done.command, status));
        }
        case command_client_state::logout:
            result_.completed = ok && !stopped_;
            if (!ok && result_.error.empty()) result_.error = "LOGOUT answered " + text;
            want_close_ = true;
            enter_state(command_client_state::done, "LOGOUT completed");
            return;
        default: return;
    }
}

void command_client::learn_capabilities(const response& r) {
    // RFC 3501 7.2.1 (* CAPABILITY ...) and the CAPABILITY response code of 7.1.
    const std::vector<value>* list = nullptr;
    if (r.words.size() > 1 && r.words[0].is_atom("CAPABILITY")) {
        list = &r.words;
    } else if (const value* code = r.code(); code && !code->items.empty() &&
                                               code->items[0].is_atom("CAPABILITY")) {
        list = &code->items;
    }
    if (!list) return;
    result_.capabilities.clear();
    for (std::size_t i = 1; i < list->size(); ++i)
        if (auto name = (*list)[i].as_string()) result_.capabilities.push_back(to_upper(*name));
}

bool command_client::has_capability(std::string_view name) const {
    return std::any_of(result_.capabilities.begin(), result_.capabilities.end(),
                       [&](const std::string& c) { return iequals(c, name); });
}

void command_client::send(wire_command w, command_client_state next, std::string_view reason) {
    waiting_tag_ = fmt::format("a{}", next_tag_++);
    pending_ = std::move(w);
    pending_.parts.front() = waiting_tag_ + " " + pending_.parts.front();
    literal_index_ = 0;
    literal_plus_ = job_.use_literal_plus && has_capability("LITERAL+");
    enter_state(next, reason);
    write_until_continuation();
}

void command_client::write_until_continuation() {
    awaiting_continuation_ = false;
    for (; literal_index_ < pending_.literals.size(); ++literal_index_) {
        const std::string& literal = pending_.literals[literal_index_];
        out_ += fmt::format("{}{{{}{}}}\r\n", pending_.parts[literal_index_], literal.size(),
                            literal_plus_ ? "+" : "");
        if (!literal_plus_) {
            awaiting_continuation_ = true;  // RFC 3501 7.5: the "+" says "send it"
            return;
        }
        out_ += literal;
    }
    out_ += pending_.parts.back() + "\r\n";
}

void command_client::login(std::string_view reason) {
    wire_command w{{"LOGIN "}, {}};
    auto add = [&](const std::string& s) {
        if (needs_literal(s)) {
            w.literals.push_back(s);
            w.parts.emplace_back();
        } else {
            w.parts.back() += quoted_string(s);
        }
    };
    add(job_.user);
    w.parts.back() += ' ';
    add(job_.password);
    send(std::move(w), command_client_state::login, reason);
}

void command_client::next_command(std::string_view reason) {
    if (command_index_ >= job_.commands.size())
        return logout(fmt::format("all {} command(s) answered", job_.commands.size()));
    const command_step& step = job_.commands[command_index_++];
    if (step.command.find_first_of("\r\n") != std::string::npos)
        // A line break would end the command early and start another one the caller never
        // wrote: data with line breaks goes in a literal.
        return fail(fmt::format("command {} holds a line break (send such data as a literal)",
                                command_index_));
    wire_command w;
    if (step.literal) {
        std::string_view text = step.command;
        while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
        w.parts = {std::string(text) + " ", ""};
        w.literals = {*step.literal};
    } else {
        w.parts = {step.command};
    }
    current_ = {};
    current_.tag = fmt::format("a{}", next_tag_);
    bool plus = job_.use_literal_plus && has_capability("LITERAL+");
    current_.command = step.literal ? fmt::format("{}{{{}{}}}", w.parts[0], step.literal->size(),
                                                  plus ? "+" : "")
                                    : step.command;
    std::string why = fmt::format("{}; {}/{}: {}", reason, command_index_, job_.commands.size(),
                                  current_.command);
    send(std::move(w), command_client_state::command, why);
}

void command_client::logout(std::string_view reason) {
    send({{"LOGOUT"}, {}}, command_client_state::logout, reason);
}

void command_client::fail(std::string why, bool say_logout) {
    result_.error = std::move(why);
    // No LOGOUT before the greeting, during a handshake, or while the server waits for literal
    // octets (it would take the LOGOUT as part of them).
    if (say_logout && state_ != command_client_state::greeting &&
        state_ != command_client_state::tls_handshake && !awaiting_continuation_)
        out_ += fmt::format("a{} LOGOUT\r\n", next_tag_++);
    want_close_ = true;
    want_tls_ = false;
    enter_state(command_client_state::failed, result_.error);
}

void command_client::tls_established(const tls_info& info) {
    if (state_ != command_client_state::tls_handshake) return;
    want_tls_ = false;
    login(fmt::format("TLS established ({})", info.version));
}

void command_client::connection_lost() {
    if (finished()) return;
    if (state_ == command_client_state::logout) {
        // RFC 3501 6.1.3: the server may close right after its BYE; the session is over anyway.
        result_.completed = !stopped_;
        enter_state(command_client_state::done, "connection closed during LOGOUT");
        return;
    }
    fail("connection lost", false);
}

std::string command_client::take_output() {
    std::string out;
    out.swap(out_);
    return out;
}

void command_client::enter_state(command_client_state next, std::string_view reason) {
    if (next == state_) return;
    command_client_state previous = state_;
    state_ = next;
    tracer_.state("imap.client", to_string(previous), to_string(next), reason, std::nullopt);
}

}  // namespace maillab::imap
