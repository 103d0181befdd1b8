// An SMTP server session (RFC 5321 with ESMTP extensions), sans-I/O.
// Theory of operation and the RFC sections are in server_session.cpp.
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
#include "sim/smtp/address.hpp"
#include "sim/smtp/server_host.hpp"

namespace maillab::smtp {

enum class server_state {
    connected,      // TCP up, greeting not sent yet
    wait_helo,      // greeting sent; HELO/EHLO expected
    ready,          // identified; MAIL FROM may start a transaction
    mail,           // MAIL FROM accepted; RCPT TO expected
    rcpt,           // one or more recipients accepted; more RCPT or DATA
    data,           // 354 sent; message text until a line with a single "."
    auth,           // in an AUTH exchange; the next line is a base64 response
    tls_handshake,  // 220 sent to STARTTLS; the transport negotiates TLS
    closed,         // QUIT answered or connection lost
};
std::string_view to_string(server_state s);

struct server_config {
    std::string hostname = "mail.example.org";
    std::string peer_address = "unknown";       // for the Received: header
    std::size_t max_message_size = 32 * 1024 * 1024;  // advertised with SIZE (RFC 1870)
    std::size_t max_command_line = 1000;         // octets including CRLF
    server_limits limits;  // commands, recipients, header fields, failed logins
    bool tls_available = false;   // the transport can do STARTTLS
    bool tls_active = false;      // implicit TLS (SMTPS): already encrypted at start
    bool require_auth = false;    // submission (RFC 6409): MAIL only after AUTH, else 530
};

class server_session final : public protocol_session {
public:
    server_session(server_config config, server_host& host, connection_tracer& tracer);

    void start() override;
    void receive(std::string_view bytes) override;
    void tls_established(const tls_info& info) override;
    void connection_lost() override;
    std::string take_output() override;
    bool wants_tls() const override { return want_tls_; }
    bool wants_close() const override { return want_close_; }
    void idle_timeout() override;
    std::optional<std::uint64_t> completed_inputs() const override { return inputs_; }
    bool receiving_message_text() const override { return state_ == server_state::data; }
    std::uint32_t take_output_delay_ms() override { return std::exchange(output_delay_ms_, 0); }

    server_state state() const { return state_; }
    std::size_t messages_accepted() const { return messages_accepted_; }

    // The command table, as data: the docs and the GUI draw state diagrams from it.
    struct command_spec {
        std::string_view verb;
        std::uint32_t allowed_states;  // bit (1 << state)
        void (server_session::*handler)(std::string_view args);
        std::string_view out_of_sequence;  // what to say when the state does not allow it
    };
    static std::span<const command_spec> command_table();

private:
    // server_session.cpp: the line loop, the one reply choke point, the one state setter.
    void process_input();
    void handle_command_line(std::string_view raw, std::string_view line);
    void reply(int code, std::string_view enhanced, std::string_view text);
    void reply_lines(int code, const std::vector<std::string>& lines);
    void flush_replies();
    std::vector<std::pair<event, std::string>> pending_replies_;
    void enter_state(server_state next, std::string_view reason);
    void note_once(bool& flag, std::string_view key, std::string_view text,
                   nlohmann::json fields = nlohmann::json::object());
    void note(std::string_view key, std::string_view text,
              nlohmann::json fields = nlohmann::json::object());
    void reset_transaction();
    // RFC 5321 3.8: 421 and close, for a reason of the server's own (too many commands,
    // too many failed logins, idle too long).
    void close_with_421(std::string_view enhanced, std::string_view text, std::string_view why);
    void release_data_notes();
    struct held_note {
        std::string key;
        std::string text;
        nlohmann::json fields;
    };
    std::vector<held_note> held_data_notes_;
    bool holding_data_notes_ = false;  // between 354 and the data event

    // server_commands.cpp: one handler per verb.
    void on_helo(std::string_view args);
    void on_ehlo(std::string_view args);
    void on_mail(std::string_view args);
    void on_rcpt(std::string_view args);
    void on_data(std::string_view args);
    void on_rset(std::string_view args);
    void on_noop(std::string_view args);
    void on_quit(std::string_view args);
    void on_vrfy(std::string_view args);
    void on_help(std::string_view args);
    void on_starttls(std::string_view args);
    void on_not_offered(std::string_view args);
    void identify(std::string_view args, bool esmtp);
    std::optional<path_argument> parse_path(std::string_view args, std::string_view verb,
                                            std::string_view keyword);

    // server_auth.cpp: AUTH PLAIN and LOGIN (RFC 4954, 4616).
    void on_auth(std::string_view args);
    void handle_auth_line(std::string_view raw, std::string_view line);
    void finish_auth(std::string_view user, std::string_view password);
    void count_auth_failure();
    void decoded_auth_note(nlohmann::json decoded);

    // server_data.cpp: the message text after DATA (RFC 5321 4.1.1.4, 4.5.2).
    void process_data();
    void take_data_line(std::string_view raw_line, bool complete);
    void inspect_header_line(std::string_view line);
    void finish_data();
    std::string received_header() const;

    server_config config_;
    server_host& host_;
    connection_tracer& tracer_;

    server_state state_ = server_state::connected;
    std::string in_;
    std::string out_;
    bool want_tls_ = false;
    bool want_close_ = false;
    std::optional<std::uint64_t> current_command_;  // cause of the reply being written

    // Session facts (forgotten at STARTTLS, RFC 3207 4.2).
    std::string helo_;
    bool helo_given_ = false;
    bool esmtp_ = false;
    bool tls_active_ = false;
    std::optional<std::string> auth_user_;

    // The current mail transaction.
    std::string mail_from_;
    std::vector<std::string> recipients_;

    // Line handling.
    line_reader lines_{config_.max_command_line};
    bool noted_lowercase_ = false;
    bool noted_bare_lf_ = false;
    bool noted_stateful_ = false;

    // The message text being received.
    std::string message_;   // unstuffed, as it will be stored
    std::string wire_;      // as sent, for the data event
    bool data_at_line_start_ = true;
    std::size_t data_line_length_ = 0;
    std::size_t data_lines_ = 0;
    std::size_t data_dot_stuffed_ = 0;
    bool data_oversize_ = false;
    bool data_in_header_ = true;
    bool data_noted_8bit_header_ = false;
    bool data_noted_no_blank_ = false;
    bool data_noted_long_line_ = false;
    std::size_t data_header_fields_ = 0;
    bool data_too_many_fields_ = false;

    // AUTH exchange.
    std::string auth_mechanism_;
    std::string auth_login_user_;
    int auth_step_ = 0;

    std::size_t messages_accepted_ = 0;
    std::size_t commands_ = 0;
    auth_failure_counter auth_failures_{config_.limits};
    std::uint32_t output_delay_ms_ = 0;
    std::uint64_t inputs_ = 0;  // complete lines taken (see completed_inputs())
};

}  // namespace maillab::smtp
