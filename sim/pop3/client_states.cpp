// The POP3 client's state machine as data (see sim/core/state_machine.hpp): a mail program's
// download session in client_session.cpp, one command at a time: CAPA and STLS when it wants
// TLS, the login (USER/PASS, APOP or AUTH PLAIN), STAT, LIST, UIDL, a RETR (and DELE) per new
// message, QUIT.

#include "sim/core/state_machine.hpp"

namespace maillab::pop3 {

const state_machine_spec& client_state_machine() {
    static const state_machine_spec spec{
        "pop3.client",
        "POP3 client (RFC 1939)",
        {"CONNECTING", "GREETING", "CAPA", "STLS", "TLS_HANDSHAKE", "USER", "PASS", "APOP",
         "AUTH", "STAT", "LIST", "UIDL", "RETR", "DELE", "QUIT", "DONE", "FAILED"},
        // The greeting and the TLS loop back to it; the three logins; the download, RETR and
        // DELE taking turns per message, to QUIT.
        {{0, 0}, {1, 0}, {2, 0}, {3, 0}, {2, 1}, {0, 1}, {0, 2}, {1, 1}, {3, 1}, {1, 2},
         {2, 2}, {3, 2}, {4, 2}, {4, 1}, {5, 1}, {5, 2}, {5, 0}},
        {
            {"CONNECTING", "GREETING", "connected"},
            {"GREETING", "CAPA", "+OK; wants TLS"},
            {"CAPA", "STLS", "STLS offered"},
            {"STLS", "TLS_HANDSHAKE", "+OK to STLS"},
            {"TLS_HANDSHAKE", "GREETING", "TLS established"},
            {"GREETING", "USER", "+OK: USER"},
            {"GREETING", "APOP", "+OK <timestamp>: APOP"},
            {"GREETING", "AUTH", "+OK: AUTH PLAIN"},
            {"CAPA", "USER", "no STLS (not required)", true},
            {"CAPA", "APOP", "no STLS (not required)", true},
            {"CAPA", "AUTH", "no STLS (not required)", true},
            {"STLS", "USER", "STLS refused (not required)", true},
            {"STLS", "APOP", "STLS refused (not required)", true},
            {"STLS", "AUTH", "STLS refused (not required)", true},
            {"USER", "PASS", "+OK: PASS"},
            {"PASS", "STAT", "logged in"},
            {"APOP", "STAT", "logged in"},
            {"AUTH", "STAT", "logged in"},
            {"STAT", "LIST", "+OK count size"},
            {"LIST", "UIDL", "sizes known"},
            {"UIDL", "RETR", "a new message"},
            {"UIDL", "QUIT", "nothing new"},
            {"RETR", "DELE", "downloaded; delete it"},
            {"RETR", "QUIT", "all downloaded"},
            {"DELE", "RETR", "the next message"},
            {"DELE", "QUIT", "all downloaded"},
            {"QUIT", "DONE", "+OK (deletions applied)"},
        },
        nullptr,
        "FAILED",
        "-ERR, or connection lost",
    };
    return spec;
}

}  // namespace maillab::pop3
