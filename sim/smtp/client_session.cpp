// SMTP client session: theory of operation.
//
// Driven entirely by replies: greeting 220 -> EHLO (HELO when EHLO is refused, RFC 5321 3.2)
// -> STARTTLS when asked for and offered (RFC 3207; EHLO again afterwards) -> AUTH PLAIN, or
// LOGIN when PLAIN is not offered (RFC 4954) -> MAIL FROM (SIZE= per RFC 1870, BODY=8BITMIME per
// RFC 6152 when the text has 8-bit bytes) -> RCPT TO for each recipient -> DATA -> text -> QUIT.
// With PIPELINING (RFC 2920) MAIL, every RCPT and DATA go out in one batch and the replies are
// matched in order against `awaiting_`. The transaction goes on if at least one recipient was
// accepted; a 354 with none accepted is answered with a lone "." (RFC 2920 3.1).

#include "sim/smtp/client_session.hpp"

#include <fmt/format.h>

#include "sim/core/bytes.hpp"

namespace maillab::smtp {

std::string_view to_string(client_state s) {
    switch (s) {
        case client_state::connecting: return "CONNECTING";
        case client_state::greeting: return "GREETING";
        case client_state::ehlo: return "EHLO";
        case client_state::helo: return "HELO";
        case client_state::starttls: return "STARTTLS";
        case client_state::tls_handshake: return "TLS_HANDSHAKE";
        case client_state::auth: return "AUTH";
        case client_state::mail: return "MAIL";
        case client_state::rcpt: return "RCPT";
        case client_state::data: return "DATA";
        case client_state::body: return "BODY";
        case client_state::quit: return "QUIT";
        case client_state::done: return "DONE";
        case client_state::failed: return "FAILED";
    }
    return "?";
}

std::string dot_stuff(std::string_view message, std::size_t* stuffed_lines) {
    std::string out;
    out.reserve(message.size() + message.size() / 64 + 5);
    std::size_t stuffed = 0;
    bool line_start = true;
    for (std::size_t i = 0; i < message.size(); ++i) {
        char c = message[i];
        if (line_start && c == '.') {
            out += '.';
            ++stuffed;
        }
        if (c == '\n') {
            if (out.empty() || out.back() != '\r') out += '\r';  // bare LF becomes CRLF
            out += '\n';
            line_start = true;
            continue;
        }
        if (c == '\r' && (i + 1 >= message.size() || message[i + 1] != '\n')) {
            out += "\r\n";  // a bare CR is a line end too
            line_start = true;
            continue;
        }
        out += c;
        line_start = false;
    }
    if (!line_start) out += "\r\n";
    out += ".\r\n";
    if (stuffed_lines) *stuffed_lines = stuffed;
    return out;
}

client_session::client_session(client_job job, connection_tracer& tracer)
    : job_(std::move(job)), tracer_(tracer) {
    for (const auto& r : job_.recipients) result_.recipients.push_back({r, 0, ""});
}

void client_session::start() { enter_state(client_state::greeting, "connected; waiting for 220"); }

void client_session::receive(std::string_view bytes) {
    parser_.feed(bytes);
    while (!finished() && !want_tls_) {
        auto r = parser_.next();
        if (!r) return;
        on_reply(*r);
    }
}

void client_session::send(std::string line) {
    out_ += line;
    out_ += "\r\n";
}

bool client_session::offers(std::string_view capability) const {
    for (const auto& c : capabilities_)
        if (c == capability || c.rfind(std::string(capability) + " ", 0) == 0) return true;
    return false;
}

void client_session::on_reply(const reply& r) {
    if (r.code == 0) {
        fail(fmt::format("malformed reply line: \"{}\"", r.lines.empty() ? "" : r.lines[0]), &r);
        return;
    }
    if (r.code == 421) {  // RFC 5321 3.8: the server is closing
        fail("server closing the connection (421)", &r);
        want_close_ = true;
        return;
    }
    switch (state_) {
        case client_state::connecting:
        case client_state::greeting:
            if (r.code != 220) return fail(fmt::format("greeting was {}, not 220", r.code), &r);
            send("EHLO " + job_.helo_name);
            enter_state(client_state::ehlo, "220 greeting received");
            return;
        case client_state::ehlo:
            if (r.code == 250) {
                capabilities_.clear();
                for (std::size_t i = 1; i < r.lines.size(); ++i)
                    capabilities_.push_back(to_upper(r.lines[i]));
                return after_identified();
            }
            tracer_.note("smtp.note.ehlo_fallback",
                         fmt::format("EHLO refused with {}; falling back to HELO", r.code), {},
                         std::nullopt);
            send("HELO " + job_.helo_name);
            enter_state(client_state::helo, "EHLO refused");
            return;
        case client_state::helo:
            if (r.code != 250) return fail(fmt::format("HELO refused with {}", r.code), &r);
            capabilities_.clear();
            return after_identified();
        case client_state::starttls:
            if (r.code != 220) {
                if (job_.require_tls) return fail("STARTTLS refused", &r);
                job_.use_starttls = false;
                return after_identified();
            }
            want_tls_ = true;
            enter_state(client_state::tls_handshake, "220 to STARTTLS");
            return;
        case client_state::auth:
            if (r.code == 334 && job_.user) {
                // LOGIN prompts for the user name, then the password (base64 "Username:"/
                // "Password:"); PLAIN with an empty challenge wants the whole response.
                auto prompt = base64_decode(r.lines.empty() ? "" : r.lines[0]);
                if (prompt && to_lower(*prompt).find("pass") != std::string::npos)
                    send(base64_encode(job_.password));
                else
                    send(base64_encode(*job_.user));
                return;
            }
            if (r.code != 235) return fail(fmt::format("authentication failed ({})", r.code), &r);
            authenticated_ = true;
            return start_transaction();
        case client_state::mail:
        case client_state::rcpt:
        case client_state::data: return handle_envelope_reply(r);
        case client_state::body:
            result_.last_reply = r;
            if (r.code == 250) {
                result_.accepted = true;
                quit();
            } else {
                fail(fmt::format("message refused with {}", r.code), &r);
            }
            return;
        case client_state::quit:
            enter_state(client_state::done, fmt::format("{} to QUIT", r.code));
            want_close_ = true;
            return;
        case client_state::tls_handshake:
        case client_state::done:
        case client_state::failed: return;
    }
}

void client_session::after_identified() {
    if (job_.use_starttls && !tls_active_) {
        if (offers("STARTTLS")) {
            send("STARTTLS");
            enter_state(client_state::starttls, "server offers STARTTLS");
            return;
        }
        if (job_.require_tls) return fail("the server does not offer STARTTLS", nullptr);
    }
    if (job_.user && !authenticated_) {
        bool plain = offers("AUTH") && [&] {
            for (const auto& c : capabilities_)
                if (c.rfind("AUTH ", 0) == 0 && c.find(" PLAIN") != std::string::npos)
                    return true;
            return false;
        }();
        if (plain || capabilities_.empty()) {
            std::string response = std::string("\0", 1) + *job_.user + std::string("\0", 1) +
                                   job_.password;
            send("AUTH PLAIN " + base64_encode(response));
        } else {
            send("AUTH LOGIN");
        }
        enter_state(client_state::auth, plain ? "AUTH PLAIN" : "AUTH LOGIN");
        return;
    }
    start_transaction();
}

void client_session::start_transaction() {
    pipelining_ = job_.use_pipelining && offers("PIPELINING");
    if (!pipelining_) {
        awaiting_ = {pending::mail};
        send_next_envelope_command();
        enter_state(client_state::mail, "MAIL FROM sent");
        return;
    }
    awaiting_.push_back(pending::mail);
    for (std::size_t i = 0; i < job_.recipients.size(); ++i) awaiting_.push_back(pending::rcpt);
    awaiting_.push_back(pending::data);
    std::size_t count = awaiting_.size();
    // Send the whole group: MAIL, every RCPT, DATA last (RFC 2920 3.1).
    for (pending p : awaiting_) {
        (void)p;
        send_next_envelope_command();
    }
    tracer_.note("smtp.note.pipelining_batch",
                 fmt::format("{} commands sent in one batch (PIPELINING)", count),
                 {{"count", count}}, std::nullopt);
    enter_state(client_state::mail, "MAIL, RCPT and DATA pipelined");
}

// Sends the next of MAIL, RCPT..., DATA, in that order.
void client_session::send_next_envelope_command() {
    if (!mail_sent_) {
        std::string cmd = fmt::format("MAIL FROM:<{}>", job_.mail_from);
        // RFC 1870 3: the size as transmitted, i.e. after dot-stuffing and with CRLF ends.
        if (offers("SIZE")) cmd += fmt::format(" SIZE={}", dot_stuff(job_.message).size() - 3);
        if (has_8bit(job_.message) && offers("8BITMIME")) cmd += " BODY=8BITMIME";
        send(cmd);
        mail_sent_ = true;
        return;
    }
    if (next_rcpt_ < job_.recipients.size()) {
        send(fmt::format("RCPT TO:<{}>", job_.recipients[next_rcpt_++]));
        return;
    }
    send("DATA");
}

void client_session::handle_envelope_reply(const reply& r) {
    if (awaiting_.empty()) return;
    pending what = awaiting_.front();
    awaiting_.pop_front();
    switch (what) {
        case pending::mail:
            if (r.code != 250) {
                result_.last_reply = r;
                // Pipelined RCPT and DATA replies still arrive (as 503); read them, then quit.
                if (!pipelining_) return fail(fmt::format("MAIL FROM refused ({})", r.code), &r);
                result_.error = fmt::format("MAIL FROM refused ({})", r.code);
                return;
            }
            mail_accepted_ = true;
            if (!pipelining_) {
                awaiting_.push_back(job_.recipients.empty() ? pending::data : pending::rcpt);
                send_next_envelope_command();
                enter_state(client_state::rcpt, "MAIL FROM accepted");
            }
            return;
        case pending::rcpt: {
            // Pipelined behind a refused MAIL: the 503 says nothing about the recipient, who
            // must not look refused (a relay would bounce instead of retrying).
            if (!mail_accepted_) {
                ++rcpt_replies_;
                return;
            }
            auto& rr = result_.recipients[rcpt_replies_++];
            rr.code = r.code;
            rr.text = r.lines.empty() ? "" : r.lines.back();
            if (r.code == 250 || r.code == 251) ++rcpt_accepted_;
            if (!pipelining_) {
                bool more = next_rcpt_ < job_.recipients.size();
                awaiting_.push_back(more ? pending::rcpt : pending::data);
                if (!more && rcpt_accepted_ == 0)
                    return fail("no recipient was accepted", &r);
                send_next_envelope_command();
                if (!more) enter_state(client_state::data, "all recipients sent");
            }
            return;
        }
        case pending::data:
            if (!mail_accepted_) return fail(result_.error, result_.last_reply ? &*result_.last_reply : &r);
            if (r.code != 354) return fail(fmt::format("DATA refused ({})", r.code), &r);
            if (rcpt_accepted_ == 0) {
                send(".");  // RFC 2920 3.1: nothing to send, end the data at once
                return fail("no recipient was accepted", &r);
            }
            send_body();
            return;
    }
}

void client_session::send_body() {
    std::size_t stuffed = 0;
    out_ += dot_stuff(job_.message, &stuffed);
    if (stuffed > 0)
        tracer_.note("smtp.note.dot_stuffing",
                     fmt::format("{} line(s) beginning with \".\" sent as \"..\"", stuffed),
                     {{"count", stuffed}}, std::nullopt);
    enter_state(client_state::body, "354 received; message text sent");
}

void client_session::fail(std::string why, const reply* r) {
    if (r) result_.last_reply = *r;
    result_.error = std::move(why);
    if (state_ == client_state::connecting || state_ == client_state::greeting ||
        state_ == client_state::tls_handshake) {
        enter_state(client_state::failed, result_.error);
        want_close_ = true;
        return;
    }
    send("QUIT");
    enter_state(client_state::failed, result_.error);
    want_close_ = true;
}

void client_session::quit() {
    send("QUIT");
    enter_state(client_state::quit, "message accepted");
}

void client_session::tls_established(const tls_info& info) {
    if (state_ != client_state::tls_handshake) return;
    want_tls_ = false;
    tls_active_ = true;
    capabilities_.clear();
    send("EHLO " + job_.helo_name);  // RFC 3207 4.2: start over inside TLS
    enter_state(client_state::ehlo, fmt::format("TLS established ({})", info.version));
    receive("");  // replies that arrived during the handshake
}

void client_session::connection_lost() {
    if (finished()) return;
    result_.tls_failed = state_ == client_state::tls_handshake;
    result_.error = result_.tls_failed ? "TLS handshake failed" : "connection lost";
    enter_state(client_state::failed, result_.error);
}

std::string client_session::take_output() {
    std::string out;
    out.swap(out_);
    return out;
}

void client_session::enter_state(client_state next, std::string_view reason) {
    if (next == state_) return;
    client_state previous = state_;
    state_ = next;
    tracer_.state("smtp.client", to_string(previous), to_string(next), reason, std::nullopt);
}

}  // namespace maillab::smtp
