// The IMAP server's state machine as data (RFC 3501 3, and IDLE of RFC 2177).

#include "sim/core/state_machine.hpp"
#include "sim/imap/server_session.hpp"

namespace maillab::imap {
namespace {
std::vector<std::string> imap_commands_allowed(std::string_view state) {
    std::vector<std::string> names;
    for (const auto& spec : server_session::command_table())
        for (unsigned s = 0; s <= static_cast<unsigned>(server_state::idle); ++s)
            if ((spec.allowed_states & (1u << s)) && to_string(static_cast<server_state>(s)) == state)
                names.emplace_back(spec.name);
    if (state == "IDLE") names = {"DONE"};
    return names;
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
