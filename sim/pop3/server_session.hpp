// A POP3 server session (RFC 1939, CAPA and response codes RFC 2449, STLS RFC 2595,
// AUTH RFC 5034), sans-I/O. Theory of operation in server_session.cpp.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sim/core/line_reader.hpp"
#include "sim/core/server_limits.hpp"
#include "sim/core/session.hpp"
#include "sim/core/trace.hpp"
#include "sim/pop3/maildrop_host.hpp"

namespace maillab::pop3 {

enum class server_state {
    authorization,  // greeting sent; USER/PASS, APOP or AUTH (and STLS, CAPA)
    transaction,    // logged in; the maildrop is locked and its list fixed
    update,         // QUIT in TRANSACTION: marked messages are deleted now
    tls_handshake,  // +OK to STLS sent; the transport negotiates TLS
    closed,
};
std::string_view to_string(server_state s);

struct server_config {
    std::string hostname = "mail.example.org";
    std::size_t max_command_line = 255;  // RFC 2449 4, CRLF included
    bool tls_available = false;
    bool tls_active = false;             // implicit TLS (POP3S)
    server_limits limits;                // commands per session, failed logins
};

class server_session final : public protocol_session {
public:
    server_session(server_config config, maildrop_host& host, connection_tracer& tracer);
    ~server_session() override;

    void start() override;
    void receive(std::string_view bytes) override;
    void tls_established(const tls_info& info) override;
    void connection_lost() override;
    std::string take_output() override;
    bool wants_tls() const override { return want_tls_; }
    bool wants_close() const override { return want_close_; }
    void idle_timeout() override;
    std::optional<std::uint64_t> completed_inputs() const override { return inputs_; }
    std::uint32_t take_output_delay_ms() override { return std::exchange(output_delay_ms_, 0); }

    server_state state() const { return state_; }
    const std::string& greeting_timestamp() const { return timestamp_; }

    struct command_spec {
        std::string_view verb;
        std::uint32_t allowed_states;  // bit (1 << state)
        void (server_session::*handler)(std::string_view args);
        std::string_view out_of_state;  // said in the -ERR when the state does not allow it
    };
    static std::span<const command_spec> command_table();

private:
    struct listed_message {
        std::uint32_t uid;
        std::size_t size;
        std::string unique_id;
        bool deleted = false;
    };

    // server_session.cpp: the line loop, the reply choke points, the one state setter.
    void process_input();
    void handle_command_line(std::string_view raw, std::string_view line);
    void ok(std::string_view text);
    void err(std::string_view text);
    void multiline(std::string_view first, const std::string& body, nlohmann::json fields = {});
    void send_response(std::string wire, bool positive, std::string text, nlohmann::json fields);
    void flush_responses();
    std::vector<std::pair<event, std::string>> pending_responses_;
    void enter_state(server_state next, std::string_view reason);
    void note(std::string_view key, std::string_view text,
              nlohmann::json fields = nlohmann::json::object());
    void release_lock();
    // -ERR and close without UPDATE, for a reason of the server's own (RFC 1939 3 lets a
    // server close an idle connection; marked messages stay, as when the connection drops).
    void close_with_err(std::string_view text, std::string_view why);
    // After a failed login: the next response is held back, and after a few the door closes.
    void count_auth_failure();

    // server_commands.cpp
    void on_user(std::string_view args);
    void on_pass(std::string_view args);
    void on_apop(std::string_view args);
    void on_auth(std::string_view args);
    void on_stat(std::string_view args);
    void on_list(std::string_view args);
    void on_retr(std::string_view args);
    void on_top(std::string_view args);
    void on_dele(std::string_view args);
    void on_rset(std::string_view args);
    void on_noop(std::string_view args);
    void on_quit(std::string_view args);
    void on_uidl(std::string_view args);
    void on_capa(std::string_view args);
    void on_stls(std::string_view args);
    void handle_auth_line(std::string_view raw, std::string_view line);
    void login(const std::string& user, std::string_view how);
    // "n" -> the message, or -ERR said and nullptr.
    listed_message* message_arg(std::string_view arg);
    std::string wire_body(std::string_view message, std::size_t* stuffed);

    server_config config_;
    maildrop_host& host_;
    connection_tracer& tracer_;

    server_state state_ = server_state::authorization;
    bool started_ = false;
    std::string in_;
    std::string out_;
    bool want_tls_ = false;
    bool want_close_ = false;
    bool tls_active_ = false;
    std::optional<std::uint64_t> current_command_;

    std::string timestamp_;        // "<...@host>" in the greeting, for APOP
    std::string user_;             // given by USER, waiting for PASS
    std::string logged_in_;        // canonical user once in TRANSACTION
    bool holds_lock_ = false;
    bool awaiting_auth_response_ = false;
    std::vector<listed_message> messages_;

    std::size_t commands_ = 0;
    auth_failure_counter auth_failures_{config_.limits};
    std::uint32_t output_delay_ms_ = 0;
    std::uint64_t inputs_ = 0;  // complete lines taken (see completed_inputs())

    line_reader lines_{config_.max_command_line};
    bool noted_lowercase_ = false;
    bool noted_bare_lf_ = false;
    bool noted_uidl_ = false;
};

}  // namespace maillab::pop3
