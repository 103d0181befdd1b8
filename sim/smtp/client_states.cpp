// The SMTP client's state machine as data (see sim/core/state_machine.hpp): the submission and
// relay client of client_session.cpp, from the greeting through EHLO (HELO when it is refused),
// STARTTLS, AUTH and the mail transaction to QUIT. With PIPELINING, MAIL, RCPT and DATA leave in
// one batch, so the client goes from MAIL straight to BODY.

#include "sim/core/state_machine.hpp"

namespace maillab::smtp {

const state_machine_spec& client_state_machine() {
    static const state_machine_spec spec{
        "smtp.client",
        "SMTP client (RFC 5321)",
        {"CONNECTING", "GREETING", "EHLO", "HELO", "STARTTLS", "TLS_HANDSHAKE", "AUTH", "MAIL",
         "RCPT", "DATA", "BODY", "QUIT", "DONE", "FAILED"},
        // Three rows like the servers' diagrams: getting to a session and TLS; the login; the
        // mail, MAIL -> BODY straight across (pipelined) above MAIL -> RCPT -> DATA -> BODY.
        {{0, 0}, {1, 0}, {2, 0}, {0, 1}, {3, 0}, {3, 1}, {2, 1}, {0, 2}, {1.5f, 2.8f},
         {2.5f, 2.8f}, {4, 2}, {5, 2}, {5, 1}, {5, 0}},
        {
            {"CONNECTING", "GREETING", "connected"},
            {"GREETING", "EHLO", "220 greeting"},
            {"EHLO", "HELO", "EHLO refused"},
            {"EHLO", "STARTTLS", "STARTTLS offered"},
            {"STARTTLS", "TLS_HANDSHAKE", "220 to STARTTLS"},
            {"TLS_HANDSHAKE", "EHLO", "TLS established: EHLO again"},
            {"EHLO", "AUTH", "250; has a login"},
            {"HELO", "AUTH", "250; has a login", true},
            {"STARTTLS", "AUTH", "STARTTLS refused (not required)"},
            {"EHLO", "MAIL", "250: MAIL FROM"},
            {"HELO", "MAIL", "250: MAIL FROM"},
            {"STARTTLS", "MAIL", "STARTTLS refused (not required)", true},
            {"AUTH", "MAIL", "235: MAIL FROM"},
            {"MAIL", "RCPT", "250: RCPT TO"},
            {"RCPT", "DATA", "every RCPT answered: DATA"},
            {"RCPT", "BODY", "354 (no recipient to name)", true},
            {"DATA", "BODY", "354: message text"},
            {"MAIL", "BODY", "pipelined: 354"},
            {"BODY", "QUIT", "250 accepted: QUIT"},
            {"QUIT", "DONE", "221"},
        },
        nullptr,
        "FAILED",
        "refused, 421, or connection lost",
    };
    return spec;
}

}  // namespace maillab::smtp
