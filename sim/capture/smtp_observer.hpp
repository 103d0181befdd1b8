// Watches an SMTP conversation in a capture (RFC 5321; AUTH RFC 4954; STARTTLS RFC 3207) and
// writes what maillab's SMTP server writes for one it takes part in: each command line as the
// server's parser cuts it (command_event), each reply as the client's reply parser reads it
// (smtp::reply_parser, smtp::reply_event), the message text after DATA (smtp::data_event),
// what AUTH's base64 says, and the server's state changes (smtp_state_follower).
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>

#include "sim/capture/protocol_observer.hpp"
#include "sim/capture/smtp_states.hpp"
#include "sim/core/line_reader.hpp"
#include "sim/smtp/reply.hpp"

namespace maillab::capture {

class smtp_observer final : public protocol_observer {
public:
    smtp_observer(connection_tracer& tracer, bool from_start);

    void client_bytes(std::string_view bytes) override;
    void server_bytes(std::string_view bytes) override;
    void gap(direction d) override;
    bool wants_tls() const override { return wants_tls_; }
    void tls_established() override;
    void connection_lost() override;

private:
    enum class client_mode {
        commands,   // command lines
        waiting,    // after DATA, STARTTLS or an AUTH line: what comes next depends on the reply
        text,       // the message text after 354
        auth_line,  // the answer to a 334 challenge
    };
    struct awaited {
        smtp_state_follower::answer_to what = smtp_state_follower::answer_to::command;
        std::string verb;
        std::optional<std::uint64_t> seq;  // the event the reply answers
    };

    void read_client();
    bool read_text();  // false: needs more bytes
    void command_line(const line_reader::result& got);
    void auth_line(const line_reader::result& got);
    void note_credentials(std::string_view base64, std::optional<std::uint64_t> cause);
    void finish_text();
    void reply(const smtp::reply& r);

    connection_tracer& tracer_;
    smtp_state_follower states_;
    std::string client_in_;
    line_reader client_lines_;
    smtp::reply_parser replies_;
    line_resync client_resync_;  // after a gap in the client's stream
    line_resync server_resync_;  // after a gap in the server's stream
    client_mode mode_ = client_mode::commands;
    std::deque<awaited> awaited_;
    bool greeted_ = false;
    bool wants_tls_ = false;

    // The message text.
    std::string text_wire_;
    std::size_t text_size_ = 0;
    std::size_t text_lines_ = 0;
    std::size_t text_stuffed_ = 0;
    bool text_line_start_ = true;
    bool text_incomplete_ = false;  // a gap fell inside it
    std::optional<std::uint64_t> data_command_;

    // AUTH.
    std::string auth_mechanism_;
    int auth_lines_ = 0;       // answers given so far in this exchange
    std::string auth_user_;    // what the credentials said, for the state change
    bool auth_cancelled_ = false;
};

}  // namespace maillab::capture
