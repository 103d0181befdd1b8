// A POP3 client session (RFC 1939 from the user agent's side), sans-I/O: log in (USER/PASS,
// APOP or AUTH PLAIN, after STLS when asked), STAT, UIDL, RETR the messages not seen before,
// DELE them in "delete after download" mode, QUIT. One command at a time.
// Tracing: the server traces commands and responses; the client traces its state machine.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "sim/core/session.hpp"
#include "sim/core/trace.hpp"
#include "sim/pop3/response_reader.hpp"

namespace maillab::pop3 {

enum class client_state {
    connecting, greeting, capa, stls, tls_handshake, user, pass, apop, auth, stat, list, uidl, retr,
    dele, quit, done, failed,
};
std::string_view to_string(client_state s);

enum class login_method { user_pass, apop, auth_plain };

struct client_job {
    std::string user;
    std::string password;
    login_method method = login_method::user_pass;
    bool use_stls = false;
    bool require_tls = false;
    bool delete_after_download = false;  // false: "leave mail on server"
    std::set<std::string> already_seen;  // UIDLs downloaded in earlier sessions
};

struct retrieved_message {
    std::size_t number = 0;
    std::string unique_id;
    std::size_t listed_size = 0;  // what LIST said, counted with CRLF line ends
    std::string bytes;  // dot-unstuffed, CRLF line ends as received
};

struct client_result {
    bool completed = false;  // reached QUIT's +OK
    std::size_t maildrop_count = 0;
    std::size_t maildrop_size = 0;
    std::vector<retrieved_message> messages;
    std::vector<std::size_t> deleted;
    std::string error;
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
    void on_response(const response& r);
    void send(std::string command, client_state next, bool multiline, std::string_view reason);
    void login();
    void fetch_next();
    void fail(std::string why);
    void enter_state(client_state next, std::string_view reason);

    client_job job_;
    connection_tracer& tracer_;
    client_state state_ = client_state::connecting;
    response_reader reader_;
    std::string out_;
    bool expect_multiline_ = false;
    bool want_tls_ = false;
    bool want_close_ = false;
    bool tls_active_ = false;
    std::string timestamp_;
    std::vector<std::pair<std::size_t, std::string>> to_fetch_;  // (number, uidl)
    std::map<std::size_t, std::size_t> sizes_;                   // number -> LIST size
    std::size_t fetch_index_ = 0;
    client_result result_;
};

}  // namespace maillab::pop3
