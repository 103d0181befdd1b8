// The SMTP server's state machine as data (see sim/core/state_machine.hpp): every
// enter_state() call in server_*.cpp follows one of these edges.

#include "sim/core/state_machine.hpp"
#include "sim/smtp/server_session.hpp"

namespace maillab::smtp {
namespace {
std::vector<std::string> smtp_commands_allowed(std::string_view state) {
    return commands_allowed_in(server_session::command_table(), &server_session::command_spec::verb,
                               state, server_state::closed);
}
}  // namespace

const state_machine_spec& server_state_machine() {
    static const state_machine_spec spec{
        "smtp.server",
        "SMTP server (RFC 5321)",
        {"CONNECTED", "WAIT_HELO", "READY", "MAIL", "RCPT", "DATA", "AUTH", "TLS_HANDSHAKE",
         "CLOSED"},
        // The mail transaction is the loop READY -> MAIL -> RCPT -> DATA -> READY.
        {{0, 0}, {1, 0}, {2, 0}, {3, 0}, {3, 1}, {2, 1}, {1, 1}, {0, 1}, {1.5f, 2}},
        {
            {"CONNECTED", "WAIT_HELO", "220 greeting"},
            {"WAIT_HELO", "READY", "HELO / EHLO"},
            {"READY", "MAIL", "MAIL FROM"},
            {"MAIL", "RCPT", "RCPT TO"},
            {"RCPT", "DATA", "DATA"},
            {"DATA", "READY", "\".\" ends the text"},
            {"MAIL", "READY", "RSET / HELO / EHLO"},
            {"RCPT", "READY", "RSET / HELO / EHLO"},
            {"READY", "AUTH", "AUTH (334)"},
            {"AUTH", "READY", "235 / 535 / 501"},
            {"READY", "TLS_HANDSHAKE", "STARTTLS"},
            {"TLS_HANDSHAKE", "WAIT_HELO", "TLS established"},
            {"CONNECTED", "CLOSED", "connection lost"},
            {"WAIT_HELO", "CLOSED", "QUIT / lost"},
            {"READY", "CLOSED", "QUIT / lost"},
            {"MAIL", "CLOSED", "QUIT / lost"},
            {"RCPT", "CLOSED", "QUIT / lost"},
            {"DATA", "CLOSED", "connection lost"},
            {"AUTH", "CLOSED", "connection lost"},
            {"TLS_HANDSHAKE", "CLOSED", "handshake failed"},
        },
        &smtp_commands_allowed,
    };
    return spec;
}

}  // namespace maillab::smtp
