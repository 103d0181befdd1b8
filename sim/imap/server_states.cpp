// The IMAP server's state machine as data (RFC 3501 3, and IDLE of RFC 2177).

#include "sim/core/state_machine.hpp"
#include "sim/imap/server_session.hpp"

namespace maillab::imap {
namespace {
std::vector<std::string> imap_commands_allowed(std::string_view state) {
    if (state == "IDLE") return {"DONE"};  // RFC 2177: the only thing a client may send
    return commands_allowed_in(server_session::command_table(), &server_session::command_spec::name,
                               state, server_state::idle);
}
}  // namespace

const state_machine_spec& server_state_machine() {
    static const state_machine_spec spec{
        "imap.server",
        "IMAP server (RFC 3501)",
        {"CONNECTED", "NOT_AUTHENTICATED", "AUTHENTICATED", "SELECTED", "LOGOUT", "TLS_HANDSHAKE",
         "IDLE"},
        {{0, 0}, {1, 0}, {2, 0}, {3, 0}, {2, 1.5f}, {1, 1}, {3, 1}},
        {
            {"CONNECTED", "NOT_AUTHENTICATED", "* OK greeting"},
            {"NOT_AUTHENTICATED", "AUTHENTICATED", "LOGIN / AUTHENTICATE"},
            {"AUTHENTICATED", "SELECTED", "SELECT / EXAMINE"},
            {"SELECTED", "AUTHENTICATED", "CLOSE / UNSELECT / failed SELECT"},
            {"SELECTED", "SELECTED", "SELECT another"},
            {"NOT_AUTHENTICATED", "TLS_HANDSHAKE", "STARTTLS"},
            {"TLS_HANDSHAKE", "NOT_AUTHENTICATED", "TLS established"},
            {"AUTHENTICATED", "IDLE", "IDLE"},
            {"SELECTED", "IDLE", "IDLE"},
            {"IDLE", "AUTHENTICATED", "DONE"},
            {"IDLE", "SELECTED", "DONE"},
            {"NOT_AUTHENTICATED", "LOGOUT", "LOGOUT / lost"},
            {"AUTHENTICATED", "LOGOUT", "LOGOUT / lost"},
            {"SELECTED", "LOGOUT", "LOGOUT / lost"},
            {"IDLE", "LOGOUT", "connection lost"},
            {"TLS_HANDSHAKE", "LOGOUT", "handshake failed"},
            {"CONNECTED", "LOGOUT", "connection lost"},
        },
        &imap_commands_allowed,
    };
    return spec;
}

}  // namespace maillab::imap
