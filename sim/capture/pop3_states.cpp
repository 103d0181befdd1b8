#include "sim/capture/pop3_states.hpp"

#include <fmt/format.h>

namespace maillab::capture {

using pop3::server_state;

pop3_state_follower::pop3_state_follower(bool from_start) : from_start_(from_start) {}

void pop3_state_follower::move(server_state next, std::string reason,
                               std::vector<state_change>& out) {
    if (state_ && *state_ != next)
        out.push_back({std::string(to_string(*state_)), std::string(to_string(next)),
                       std::move(reason)});
    state_ = next;
}

std::vector<state_change> pop3_state_follower::greeting(bool positive) {
    std::vector<state_change> out;
    if (greeted_ || !from_start_ || !positive) return out;
    greeted_ = true;
    // maillab's server names the moment before its greeting CONNECTED (server_session.cpp).
    out.push_back({"CONNECTED", std::string(to_string(server_state::authorization)),
                   "greeting sent"});
    state_ = server_state::authorization;
    return out;
}

std::vector<state_change> pop3_state_follower::answered(std::string_view verb, bool positive,
                                                        std::string_view detail) {
    std::vector<state_change> out;
    if (verb == "QUIT") {
        // RFC 1939 6: QUIT in TRANSACTION enters UPDATE, whatever the deletions then do.
        if (state_ == server_state::transaction) {
            move(server_state::update, "QUIT received", out);
            move(server_state::closed, "UPDATE done", out);
        } else if (positive) {
            move(server_state::closed, "QUIT before login", out);
        }
        return out;
    }
    if (!positive) return out;
    if (verb == "PASS" || verb == "APOP")
        move(server_state::transaction, fmt::format("{} accepted", verb), out);
    else if (verb == "AUTH")
        move(server_state::transaction, fmt::format("AUTH {} accepted", detail), out);
    else if (verb == "STLS")
        move(server_state::tls_handshake, "STLS accepted", out);
    return out;
}

std::vector<state_change> pop3_state_follower::tls_established() {
    std::vector<state_change> out;
    if (state_ == server_state::tls_handshake)
        move(server_state::authorization, "TLS established", out);
    return out;
}

std::vector<state_change> pop3_state_follower::connection_lost() {
    std::vector<state_change> out;
    move(server_state::closed, "connection lost", out);
    return out;
}

}  // namespace maillab::capture
