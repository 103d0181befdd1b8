#include "sim/capture/imap_states.hpp"

#include <fmt/format.h>

namespace maillab::capture {

using imap::server_state;

imap_state_follower::imap_state_follower(bool from_start) {
    if (from_start) state_ = server_state::connected;
}

void imap_state_follower::move(server_state next, std::string reason,
                               std::vector<state_change>& out) {
    if (state_ && *state_ != next)
        out.push_back({std::string(to_string(*state_)), std::string(to_string(next)),
                       std::move(reason)});
    state_ = next;
}

std::vector<state_change> imap_state_follower::greeting(std::string_view status) {
    std::vector<state_change> out;
    if (status == "BYE") {
        move(server_state::logout, "BYE greeting: the server refuses the connection", out);
    } else if (status == "PREAUTH") {
        // RFC 3501 7.1.4: already authenticated, by something outside IMAP.
        move(server_state::not_authenticated, "greeting sent", out);
        move(server_state::authenticated, "PREAUTH greeting", out);
    } else {
        move(server_state::not_authenticated, "greeting sent", out);
    }
    return out;
}

std::vector<state_change> imap_state_follower::completed(std::string_view name,
                                                         std::string_view status,
                                                         std::string_view argument) {
    std::vector<state_change> out;
    bool ok = status == "OK";
    if (name == "SELECT" || name == "EXAMINE") {
        // RFC 3501 6.3.1: the open mailbox is closed first, even when the new one fails.
        if (status != "BAD" && state_ == server_state::selected) {
            selected_.clear();
            move(server_state::authenticated, "SELECT closes the mailbox first", out);
        }
        if (ok) {
            selected_ = std::string(argument);
            move(server_state::selected, fmt::format("{} {}", name, argument), out);
        }
    } else if (!ok) {
        return out;
    } else if (name == "LOGIN") {
        move(server_state::authenticated, "LOGIN accepted", out);
    } else if (name == "AUTHENTICATE") {
        move(server_state::authenticated, fmt::format("AUTHENTICATE {} accepted", argument), out);
    } else if (name == "CLOSE" || name == "UNSELECT") {
        selected_.clear();
        move(server_state::authenticated, std::string(name), out);
    } else if (name == "DELETE" && !selected_.empty() && argument == selected_) {
        selected_.clear();
        move(server_state::authenticated, "the selected mailbox was deleted", out);
    } else if (name == "LOGOUT") {
        move(server_state::logout, "LOGOUT", out);
    } else if (name == "STARTTLS") {
        move(server_state::tls_handshake, "STARTTLS accepted", out);
    }
    return out;
}

std::vector<state_change> imap_state_follower::idle_started() {
    std::vector<state_change> out;
    move(server_state::idle, "IDLE", out);
    return out;
}

std::vector<state_change> imap_state_follower::idle_done() {
    std::vector<state_change> out;
    if (state_ == server_state::idle)
        move(selected_.empty() ? server_state::authenticated : server_state::selected,
             "IDLE ended", out);
    return out;
}

std::vector<state_change> imap_state_follower::bye() {
    std::vector<state_change> out;
    move(server_state::logout, "BYE: the server closes the connection", out);
    return out;
}

std::vector<state_change> imap_state_follower::tls_established() {
    std::vector<state_change> out;
    if (state_ == server_state::tls_handshake)
        move(server_state::not_authenticated, "TLS established", out);
    return out;
}

std::vector<state_change> imap_state_follower::connection_lost() {
    std::vector<state_change> out;
    move(server_state::logout, "connection lost", out);
    return out;
}

}  // namespace maillab::capture
