// Watches a POP3 conversation in a capture (RFC 1939; CAPA RFC 2449; STLS RFC 2595; AUTH
// RFC 5034) and writes what maillab's POP3 server writes for one it takes part in: each
// command line as the server cuts it (command_event), each response as the client reads it
// (pop3::response_reader, pop3::response_event), what AUTH PLAIN's base64 says, and the server's
// state changes (pop3_state_follower).
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>

#include "sim/capture/pop3_states.hpp"
#include "sim/capture/protocol_observer.hpp"
#include "sim/core/line_reader.hpp"
#include "sim/pop3/response_reader.hpp"

namespace maillab::capture {

class pop3_observer final : public protocol_observer {
public:
    pop3_observer(connection_tracer& tracer, bool from_start);

    void client_bytes(std::string_view bytes) override;
    void server_bytes(std::string_view bytes) override;
    void gap(direction d) override;
    bool wants_tls() const override { return wants_tls_; }
    void tls_established() override;
    void connection_lost() override;

private:
    enum class client_mode {
        commands,
        waiting,    // after AUTH or STLS: the next line depends on the answer
        auth_line,  // the base64 answer to "+ "
    };
    struct awaited {
        std::string verb;       // "" for the greeting or an unasked response
        bool has_args = false;
        bool auth_response = false;
        std::optional<std::uint64_t> seq;
    };

    void read_client();
    void command_line(const line_reader::result& got);
    void note_credentials(const nlohmann::json& decoded, std::uint64_t cause);
    void response(const pop3::response& r, const awaited& a);
    static bool multiline_answer(const awaited& a);

    connection_tracer& tracer_;
    pop3_state_follower states_;
    std::string client_in_;
    line_reader client_lines_;
    pop3::response_reader responses_;
    line_resync client_resync_;  // after a gap in the client's stream
    line_resync server_resync_;  // after a gap in the server's stream
    client_mode mode_ = client_mode::commands;
    std::deque<awaited> awaited_;
    bool greeted_ = false;
    bool wants_tls_ = false;
    std::string auth_mechanism_;
};

}  // namespace maillab::capture
