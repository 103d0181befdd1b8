// Watches an IMAP conversation in a capture (RFC 3501; IDLE RFC 2177; LITERAL+ RFC 7888) and
// writes what maillab's IMAP server writes for one it takes part in: each command as the
// server's command parser reads it, literals included (imap::command_parser,
// imap::command_event), each response as the client's response parser reads it
// (imap::response_splitter, parse_response, imap::untagged_event and tagged_event), what
// AUTHENTICATE PLAIN's base64 says, and the server's state changes (imap_state_follower).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/capture/imap_states.hpp"
#include "sim/capture/protocol_observer.hpp"
#include "sim/imap/command_parser.hpp"
#include "sim/imap/response_parser.hpp"

namespace maillab::capture {

class imap_observer final : public protocol_observer {
public:
    imap_observer(connection_tracer& tracer, capture_clock& clock, bool from_start);

    void client_bytes(std::string_view bytes) override;
    void server_bytes(std::string_view bytes) override;
    void gap(direction d) override;
    bool wants_tls() const override { return wants_tls_; }
    void tls_established() override;
    void connection_lost() override;

private:
    enum class client_mode {
        commands,
        waiting,  // after STARTTLS, IDLE, or AUTHENTICATE without an initial response
        line,     // one line outside the grammar: DONE, or AUTHENTICATE's base64 answer
    };
    struct sent_command {
        std::string tag;
        std::string name;
        std::string argument;  // decoded mailbox (SELECT, EXAMINE, DELETE), or mechanism
        bool fetch = false;    // FETCH or UID FETCH: its responses carry message ids
        std::optional<std::uint64_t> seq;  // what its responses point at
    };
    // An untagged response kept until its command's tagged one, so the state change can be
    // written first, as the server does; with the time it came.
    struct held_response {
        event e;
        std::int64_t t_us;
    };

    void read_client();
    void command(const imap::command& cmd);
    void line(const std::string& text);
    void response(std::string raw);
    void untagged(const imap::response& r, std::string raw);
    void tagged(const imap::response& r, std::string raw);
    void continuation(std::string raw);
    void release_held();
    void note_credentials(std::string_view base64, std::uint64_t cause);
    sent_command* find(std::string_view tag);

    connection_tracer& tracer_;
    capture_clock& clock_;
    imap_state_follower states_;
    imap::command_parser parser_;
    imap::response_splitter splitter_;
    line_resync client_resync_;  // after a gap in the client's stream
    line_resync server_resync_;  // after a gap in the server's stream
    bool splitter_failure_noted_ = false;
    client_mode mode_ = client_mode::commands;
    std::string waiting_for_;  // the command whose answer decides what comes next
    std::vector<sent_command> sent_;
    std::vector<held_response> held_;
    std::size_t held_octets_ = 0;
    bool greeted_ = false;
    bool idling_ = false;
    bool wants_tls_ = false;
};

}  // namespace maillab::capture
