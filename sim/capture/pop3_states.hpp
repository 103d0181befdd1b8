// Follows the POP3 server's state machine ("pop3.server", the states of
// sim/pop3/server_states.cpp) from outside, by RFC 1939's rules: a positive answer to PASS,
// APOP or AUTH enters TRANSACTION (4, 7), QUIT in TRANSACTION enters UPDATE and then ends the
// session (6), STLS's +OK starts TLS (RFC 2595 4).
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "sim/capture/protocol_observer.hpp"
#include "sim/pop3/server_session.hpp"

namespace maillab::capture {

class pop3_state_follower {
public:
    // `from_start`: see smtp_state_follower.
    explicit pop3_state_follower(bool from_start);

    std::vector<state_change> greeting(bool positive);
    // The final answer to a command (not a "+ " continuation). `detail` is AUTH's mechanism.
    std::vector<state_change> answered(std::string_view verb, bool positive,
                                       std::string_view detail = "");
    std::vector<state_change> tls_established();
    std::vector<state_change> connection_lost();

    std::optional<pop3::server_state> state() const { return state_; }

private:
    void move(pop3::server_state next, std::string reason, std::vector<state_change>& out);

    bool from_start_;
    bool greeted_ = false;
    std::optional<pop3::server_state> state_;
};

}  // namespace maillab::capture
