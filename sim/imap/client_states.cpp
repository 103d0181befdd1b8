// The IMAP client's state machine as data (see sim/core/state_machine.hpp). Two engines trace
// it: client_session.cpp, the mail program that logs in, SELECTs, fetches headers and parts,
// sets flags, EXPUNGEs and IDLEs; and command_client.cpp, which sends a list of commands (the
// webmail's IMAP leg, `maillab lab` scripts): LOGIN, then COMMAND for each, then LOGOUT.

#include "sim/core/state_machine.hpp"

namespace maillab::imap {

const state_machine_spec& client_state_machine() {
    static const state_machine_spec spec{
        "imap.client",
        "IMAP client (RFC 3501)",
        {"CONNECTING", "GREETING", "STARTTLS", "TLS_HANDSHAKE", "LOGIN", "SELECT", "FETCH",
         "STORE", "EXPUNGE", "IDLE", "COMMAND", "LOGOUT", "DONE", "FAILED"},
        // The TLS loop to LOGIN; the mail program's steps in a row, each of which may end in
        // LOGOUT below them; the command client's COMMAND at the left.
        {{0, 0}, {1, 0}, {2, 0}, {3, 0}, {1, 1}, {2, 1}, {3, 1}, {4, 1}, {5, 1}, {5, 2}, {0, 1},
         {2.5f, 2}, {1.5f, 2}, {5, 0}},
        {
            {"CONNECTING", "GREETING", "connected"},
            {"GREETING", "STARTTLS", "* OK; wants TLS"},
            {"STARTTLS", "TLS_HANDSHAKE", "OK to STARTTLS"},
            {"TLS_HANDSHAKE", "LOGIN", "TLS established"},
            {"GREETING", "LOGIN", "* OK: LOGIN"},
            {"GREETING", "COMMAND", "* PREAUTH"},
            {"GREETING", "LOGOUT", "* PREAUTH, nothing to do"},
            {"LOGIN", "SELECT", "logged in"},
            {"LOGIN", "COMMAND", "logged in"},
            {"LOGIN", "LOGOUT", "logged in, nothing to do"},
            {"SELECT", "FETCH", "messages there"},
            {"SELECT", "STORE", "a flag to set", true},
            {"SELECT", "EXPUNGE", "EXPUNGE", true},
            {"SELECT", "IDLE", "wait for new mail", true},
            {"SELECT", "LOGOUT", "nothing to do"},
            {"FETCH", "STORE", "a flag to set"},
            {"FETCH", "EXPUNGE", "EXPUNGE", true},
            {"FETCH", "IDLE", "wait for new mail", true},
            {"FETCH", "LOGOUT", "all done"},
            {"STORE", "EXPUNGE", "EXPUNGE"},
            {"STORE", "IDLE", "wait for new mail"},
            {"STORE", "LOGOUT", "all done"},
            {"EXPUNGE", "IDLE", "wait for new mail"},
            {"EXPUNGE", "LOGOUT", "all done"},
            {"IDLE", "LOGOUT", "new mail: DONE"},
            {"COMMAND", "LOGOUT", "all sent, or NO"},
            {"LOGOUT", "DONE", "BYE, OK"},
        },
        nullptr,
        "FAILED",
        "NO/BAD it cannot go on from, or connection lost",
    };
    return spec;
}

}  // namespace maillab::imap
