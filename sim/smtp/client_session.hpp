// An SMTP client session (RFC 5321 from the sending side), sans-I/O: the user agent in a
// scenario, the webmail's submission leg and the relay to an MX all use it. It sends one
// message (one envelope) and reports per-recipient results.
//
// Tracing: the server side traces commands and replies when both ends are maillab; the client
// traces its own state machine and its decisions (PIPELINING batch, HELO fallback, ...).
#pragma once

#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "sim/core/session.hpp"
#include "sim/core/trace.hpp"
#include "sim/smtp/reply.hpp"

namespace maillab::smtp {

enum class client_state {
    connecting, greeting, ehlo, helo, starttls, tls_handshake, auth, mail, rcpt, data, body,
    quit, done, failed,
};
std::string_view to_string(client_state s);

struct client_job {
    std::string helo_name = "client.example";
    std::string mail_from;
    std::vector<std::string> recipients;
    std::string message;  // as it should arrive; the client dot-stuffs and ends it with CRLF.CRLF
    std::optional<std::string> user;  // AUTH when set
    std::string password;
    bool use_starttls = false;    // STARTTLS when the server offers it
    bool require_tls = false;     // give up when it does not
    bool use_pipelining = true;   // when offered (RFC 2920)
};

struct recipient_result {
    std::string address;
    int code = 0;
    std::string text;
};

struct client_result {
    bool accepted = false;            // the server answered 250 after the "."
    std::vector<recipient_result> recipients;
    std::optional<reply> last_reply;  // the reply that ended the transaction
    std::string error;                // why it failed, in words
    bool tls_failed = false;          // the connection ended during the TLS handshake
};

class client_session final : public protocol_session {
public:
    client_session(client_job job, connection_tracer& tracer);

    void start() override;
    void receive(std::string_view bytes) override;
    void tls_established(const tls_info& info) override;
    void connection_lost() override;
    std::string take_output() override;
    bool wants_tls() const override { return want_tls_; }
    bool wants_close() const override { return want_close_; }

    client_state state() const { return state_; }
    const client_result& result() const { return result_; }
    bool finished() const { return state_ == client_state::done || state_ == client_state::failed; }

private:
    enum class pending { mail, rcpt, data };

    void on_reply(const reply& r);
    void after_identified();
    void start_transaction();
    void send_next_envelope_command();
    void handle_envelope_reply(const reply& r);
    void send_body();
    void send(std::string line);
    void fail(std::string why, const reply* r);
    void quit();
    void enter_state(client_state next, std::string_view reason);
    bool offers(std::string_view capability) const;

    client_job job_;
    connection_tracer& tracer_;
    client_state state_ = client_state::connecting;
    reply_parser parser_;
    std::string out_;
    bool want_tls_ = false;
    bool want_close_ = false;
    bool tls_active_ = false;
    bool authenticated_ = false;
    bool pipelining_ = false;
    std::vector<std::string> capabilities_;  // EHLO keywords, upper-case, with parameters
    std::deque<pending> awaiting_;           // replies still due, oldest first
    std::size_t next_rcpt_ = 0;              // next recipient to send (unpipelined)
    std::size_t rcpt_replies_ = 0;
    std::size_t rcpt_accepted_ = 0;
    bool mail_sent_ = false;
    bool mail_accepted_ = false;
    client_result result_;
};

// RFC 5321 4.5.2: a line starting with "." gets another one; line ends become CRLF; the text
// ends with CRLF "." CRLF.
std::string dot_stuff(std::string_view message, std::size_t* stuffed_lines = nullptr);

}  // namespace maillab::smtp
