// The POP3 server's state machine as data (see sim/core/state_machine.hpp): RFC 1939's
// AUTHORIZATION -> TRANSACTION -> UPDATE, with STLS and the end of the connection.

#include "sim/core/state_machine.hpp"
#include "sim/pop3/server_session.hpp"

namespace maillab::pop3 {
namespace {
std::vector<std::string> pop3_commands_allowed(std::string_view state) {
    return commands_allowed_in(server_session::command_table(), &server_session::command_spec::verb,
                               state, server_state::closed);
}
}  // namespace

const state_machine_spec& server_state_machine() {
    static const state_machine_spec spec{
        "pop3.server",
        "POP3 server (RFC 1939)",
        {"CONNECTED", "AUTHORIZATION", "TRANSACTION", "UPDATE", "TLS_HANDSHAKE", "CLOSED"},
        {{0, 0}, {1, 0}, {2, 0}, {3, 0}, {1, 1}, {2.5f, 1.2f}},
        {
            {"CONNECTED", "AUTHORIZATION", "+OK greeting"},
            {"AUTHORIZATION", "TRANSACTION", "PASS / APOP / AUTH accepted"},
            {"TRANSACTION", "UPDATE", "QUIT"},
            {"UPDATE", "CLOSED", "deletions done"},
            {"AUTHORIZATION", "TLS_HANDSHAKE", "STLS"},
            {"TLS_HANDSHAKE", "AUTHORIZATION", "TLS established"},
            {"AUTHORIZATION", "CLOSED", "QUIT / lost"},
            {"TRANSACTION", "CLOSED", "lost: nothing deleted"},
            {"TLS_HANDSHAKE", "CLOSED", "handshake failed"},
        },
        &pop3_commands_allowed,
    };
    return spec;
}

}  // namespace maillab::pop3
