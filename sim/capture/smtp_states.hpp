// Follows the SMTP server's state machine ("smtp.server", the states of
// sim/smtp/server_states.cpp) from outside: RFC 5321 says which reply to which command moves
// the server where (4.1.1, 4.1.4, 3.3; AUTH RFC 4954 4; STARTTLS RFC 3207 4.2), so whoever sees
// both the command and its reply knows the state without being the server.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "sim/capture/protocol_observer.hpp"
#include "sim/smtp/server_session.hpp"

namespace maillab::capture {

class smtp_state_follower {
public:
    // What a reply answers.
    enum class answer_to {
        greeting,       // the connection itself
        command,        // a command line: `verb`
        message_text,   // the text after DATA, ended by "."
        auth_response,  // a line of an AUTH exchange
        nothing,        // a reply no one asked for (421 before closing)
    };

    // `from_start`: the capture has the connection from its SYN; otherwise the state is unknown
    // until a reply tells it, and the first state learned is taken without a transition.
    explicit smtp_state_follower(bool from_start);

    // `detail`: for AUTH answered 334 its mechanism; for a 235 the user, when the credentials
    // were readable; "*" for an AUTH exchange the client cancelled.
    std::vector<state_change> reply(answer_to what, std::string_view verb, int code,
                                    std::string_view detail = "");
    std::vector<state_change> tls_established();
    std::vector<state_change> connection_lost();

    std::optional<smtp::server_state> state() const { return state_; }

private:
    void move(smtp::server_state next, std::string reason, std::vector<state_change>& out);

    std::optional<smtp::server_state> state_;
    bool helo_given_ = false;
};

}  // namespace maillab::capture
