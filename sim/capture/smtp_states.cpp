#include "sim/capture/smtp_states.hpp"

#include <fmt/format.h>

namespace maillab::capture {

using smtp::server_state;

smtp_state_follower::smtp_state_follower(bool from_start) {
    if (from_start) state_ = server_state::connected;
}

void smtp_state_follower::move(server_state next, std::string reason,
                               std::vector<state_change>& out) {
    if (state_ && *state_ != next)
        out.push_back({std::string(to_string(*state_)), std::string(to_string(next)),
                       std::move(reason)});
    state_ = next;
}

std::vector<state_change> smtp_state_follower::reply(answer_to what, std::string_view verb,
                                                     int code, std::string_view detail) {
    std::vector<state_change> out;
    // RFC 5321 3.8: 421 is the server closing the channel, whatever was asked.
    if (code == 421) {
        move(server_state::closed, "421: the server closes the connection", out);
        return out;
    }
    switch (what) {
        case answer_to::greeting:
            if (code == 220) move(server_state::wait_helo, "greeting sent", out);
            return out;
        case answer_to::message_text:
            // RFC 5321 4.1.1.4: the transaction ends either way; the buffers are cleared.
            move(server_state::ready, code == 250 ? "message accepted" : "message refused", out);
            return out;
        case answer_to::auth_response:
            if (code == 334) move(server_state::auth, "AUTH continues", out);
            else if (code == 235)
                move(server_state::ready,
                     detail.empty() ? "AUTH succeeded" : fmt::format("AUTH succeeded as {}", detail),
                     out);
            else move(server_state::ready, detail == "*" ? "AUTH cancelled" : "AUTH failed", out);
            return out;
        case answer_to::nothing: return out;
        case answer_to::command: break;
    }
    bool ok = code >= 200 && code < 300;
    if ((verb == "HELO" || verb == "EHLO") && ok) {
        helo_given_ = true;  // RFC 5321 4.1.4: it also resets a transaction in progress
        move(server_state::ready, fmt::format("{} accepted", verb), out);
    } else if (verb == "MAIL" && ok) {
        move(server_state::mail, "MAIL FROM accepted", out);
    } else if (verb == "RCPT" && ok) {
        move(server_state::rcpt, "RCPT TO accepted", out);
    } else if (verb == "DATA" && code == 354) {
        move(server_state::data, "DATA accepted", out);
    } else if (verb == "RSET" && ok) {
        move(helo_given_ ? server_state::ready : server_state::wait_helo, "RSET", out);
    } else if (verb == "QUIT" && code == 221) {
        move(server_state::closed, "QUIT", out);
    } else if (verb == "STARTTLS" && code == 220) {
        move(server_state::tls_handshake, "STARTTLS accepted", out);
    } else if (verb == "AUTH") {
        if (code == 334) move(server_state::auth, fmt::format("AUTH {} started", detail), out);
        else if (code == 235)
            move(server_state::ready,
                 detail.empty() ? "AUTH succeeded" : fmt::format("AUTH succeeded as {}", detail),
                 out);
        else if (state_ == server_state::auth)
            move(server_state::ready, "AUTH failed", out);
    }
    return out;
}

std::vector<state_change> smtp_state_follower::tls_established() {
    std::vector<state_change> out;
    // RFC 3207 4.2: the server forgets everything it knew and waits for EHLO again.
    helo_given_ = false;
    if (state_ == server_state::tls_handshake) move(server_state::wait_helo, "TLS established", out);
    return out;
}

std::vector<state_change> smtp_state_follower::connection_lost() {
    std::vector<state_change> out;
    move(server_state::closed, "connection lost", out);
    return out;
}

}  // namespace maillab::capture
