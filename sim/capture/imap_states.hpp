// Follows the IMAP server's state machine ("imap.server", the states of
// sim/imap/server_states.cpp) from outside, by RFC 3501 3's rules: a tagged OK to LOGIN or
// AUTHENTICATE authenticates, to SELECT or EXAMINE selects (and a SELECT in SELECTED closes the
// open mailbox first, even when it fails, 6.3.1), CLOSE and UNSELECT go back, LOGOUT and BYE
// end; IDLE (RFC 2177) runs from its "+" to DONE; STARTTLS's OK starts TLS (6.2.1).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/capture/protocol_observer.hpp"
#include "sim/imap/server_session.hpp"

namespace maillab::capture {

class imap_state_follower {
public:
    // `from_start`: see smtp_state_follower.
    explicit imap_state_follower(bool from_start);

    // The greeting's status: OK, PREAUTH or BYE.
    std::vector<state_change> greeting(std::string_view status);
    // A command completed with `status` (OK, NO, BAD). `argument`: the mailbox of SELECT,
    // EXAMINE and DELETE (decoded), the mechanism of AUTHENTICATE.
    std::vector<state_change> completed(std::string_view name, std::string_view status,
                                        std::string_view argument);
    std::vector<state_change> idle_started();  // the "+" to IDLE
    std::vector<state_change> idle_done();     // the client's DONE
    std::vector<state_change> bye();           // an untagged BYE: the server is closing
    std::vector<state_change> tls_established();
    std::vector<state_change> connection_lost();

    std::optional<imap::server_state> state() const { return state_; }

private:
    void move(imap::server_state next, std::string reason, std::vector<state_change>& out);

    std::optional<imap::server_state> state_;
    std::string selected_;  // the open mailbox, "" when none
};

}  // namespace maillab::capture
