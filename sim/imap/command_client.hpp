// An IMAP client that runs a list of commands (RFC 3501 from the user agent's side), sans-I/O:
// what the webmail does for one HTTP request. It waits for the greeting, [STARTTLS], logs in,
// sends each command in turn and collects every response up to its tagged completion, then
// LOGOUT. Tags are a1, a2, ...; one command at a time. Theory of operation in
// command_client.cpp.
//
// Commands are written without their tag ("SELECT INBOX", "UID FETCH 1:* (UID FLAGS)"). A
// command may end in a literal, e.g. APPEND: the step's `command` is what comes before it and
// `literal` its octets; the client sends "a5 APPEND Sent (\Seen) {n}", waits for the "+"
// continuation, then sends the octets and CRLF; when the server announced LITERAL+ (RFC 7888)
// it sends "{n+}" and does not wait. IDLE does not belong in the list (its completion waits
// for a DONE this client never sends).
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/core/session.hpp"
#include "sim/core/trace.hpp"
#include "sim/imap/response_parser.hpp"

namespace maillab::imap {

// The machine traced as "imap.client"; the state names are those of client_session plus COMMAND.
enum class command_client_state {
    connecting, greeting, starttls, tls_handshake, login, command, logout, done, failed,
};
std::string_view to_string(command_client_state s);

struct command_step {
    std::string command;                 // without the tag; with a literal, the text before it
    std::optional<std::string> literal;  // sent after `command` as {n} or {n+}, then CRLF

    // Not explicit, so a plain string is a step: job.commands = {"SELECT INBOX", "EXPUNGE"}.
    command_step(std::string text) : command(std::move(text)) {}
    command_step(const char* text) : command(text) {}
    command_step(std::string text, std::string literal_octets)
        : command(std::move(text)), literal(std::move(literal_octets)) {}
};

struct command_outcome {
    std::string command;  // as sent, without the tag; a literal shows as its "{n}" or "{n+}"
    std::string tag;
    std::string status;   // "OK", "NO" or "BAD" (what the tagged response said)
    std::string text;     // the rest of the tagged response, its response code included
    std::vector<response> untagged;  // everything untagged between the command and its end
    response completion;             // the tagged response itself (code() for APPENDUID...)
};

struct command_job {
    std::string user;
    std::string password;
    bool use_starttls = false;
    std::vector<command_step> commands;
    // Stop at the first NO or BAD to a command, then LOGOUT; otherwise record it and go on.
    bool stop_on_no = true;
    // Send literals as {n+} without waiting when the server lists LITERAL+.
    bool use_literal_plus = true;
    response_splitter::limits limits;
    // Called after each answered command; the steps it returns are sent next, before the rest
    // of the list. For commands that depend on an answer: the webmail learns from SELECT how
    // many messages there are and only then asks for the ones on the page it shows.
    std::function<std::vector<command_step>(const command_outcome&)> follow_up;
};

struct command_result {
    bool logged_in = false;
    // Every command was sent and answered (none stopped the list) and LOGOUT was answered.
    bool completed = false;
    std::string error;  // why not completed
    std::string greeting;                   // the greeting's text
    std::vector<std::string> capabilities;  // upper-case; the latest list the server gave
    std::vector<command_outcome> outcomes;  // one per answered command, in order
};

class command_client final : public protocol_session {
public:
    command_client(command_job job, connection_tracer& tracer);

    void start() override;
    void receive(std::string_view bytes) override;
    void tls_established(const tls_info& info) override;
    void connection_lost() override;
    std::string take_output() override;
    bool wants_tls() const override { return want_tls_; }
    bool wants_close() const override { return want_close_; }

    command_client_state state() const { return state_; }
    const command_result& result() const { return result_; }
    bool finished() const {
        return state_ == command_client_state::done || state_ == command_client_state::failed;
    }

private:
    // A command on the wire: parts[i], literal i, parts[i + 1], ...; parts.back() ends the line.
    struct wire_command {
        std::vector<std::string> parts;
        std::vector<std::string> literals;
    };

    void on_response(const response& r);
    void on_greeting(const response& r);
    void on_tagged(const response& r);
    void learn_capabilities(const response& r);
    bool has_capability(std::string_view name) const;
    void send(wire_command w, command_client_state next, std::string_view reason);
    void write_until_continuation();
    void login(std::string_view reason);
    void next_command(std::string_view reason);
    void logout(std::string_view reason);
    void fail(std::string why, bool say_logout = true);
    void enter_state(command_client_state next, std::string_view reason);

    command_job job_;
    connection_tracer& tracer_;
    command_client_state state_ = command_client_state::connecting;
    response_splitter splitter_;
    std::string out_;
    bool want_tls_ = false;
    bool want_close_ = false;
    unsigned next_tag_ = 1;
    std::string waiting_tag_;
    wire_command pending_;            // the command being sent
    std::size_t literal_index_ = 0;   // its next literal
    bool awaiting_continuation_ = false;
    bool literal_plus_ = false;       // this command's literals are {n+}
    std::size_t command_index_ = 0;   // the next step of job_.commands
    bool stopped_ = false;            // a NO or BAD ended the list early
    command_outcome current_;
    command_result result_;
};

}  // namespace maillab::imap
