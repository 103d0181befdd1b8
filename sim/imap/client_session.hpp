// An IMAP client session (RFC 3501 from the user agent's side), sans-I/O: what a mail program,
// the webmail and the scenarios do: [STARTTLS], LOGIN, SELECT, fetch the headers of every
// message, fetch chosen body parts (a partial fetch POP3 cannot do), set flags, optionally wait
// in IDLE for new mail, LOGOUT. Tags are a1, a2, ...; one command at a time.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "sim/core/session.hpp"
#include "sim/core/trace.hpp"

namespace maillab::imap {

enum class client_state {
    connecting, greeting, starttls, tls_handshake, login, select, fetch, store, expunge, idle,
    logout, done, failed,
};
std::string_view to_string(client_state s);

struct client_job {
    std::string user;
    std::string password;
    std::string mailbox = "INBOX";
    bool use_starttls = false;
    // UID -> section to fetch ("1", "2.MIME", "TEXT"); "*" as the UID means every message.
    std::vector<std::pair<std::string, std::string>> fetch_sections;
    // UID set ("3", "1:*") -> flags to add (e.g. "\\Seen", "\\Deleted").
    std::vector<std::pair<std::string, std::string>> add_flags;
    bool expunge = false;  // EXPUNGE after the flags: messages marked \Deleted are removed
    bool idle_until_new_mail = false;
};

struct client_message {
    std::uint32_t uid = 0;
    std::set<std::string> flags;
    std::string header;                          // BODY.PEEK[HEADER] as received
    std::map<std::string, std::string> sections; // section -> bytes
};

struct client_result {
    bool completed = false;
    std::uint32_t exists = 0;
    std::uint32_t uid_validity = 0;
    std::vector<client_message> messages;  // by UID, ascending
    bool new_mail_seen = false;            // an EXISTS arrived during IDLE
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
    // One response line with its literals folded in; nullopt until complete.
    std::optional<std::string> next_response();
    void on_untagged(const std::string& line);
    void on_tagged(const std::string& status, const std::string& text);
    void send(const std::string& command, client_state next, std::string_view reason);
    void after_login();
    void next_step();
    void fail(std::string why);
    void enter_state(client_state next, std::string_view reason);
    client_message& message(std::uint32_t uid);

    client_job job_;
    connection_tracer& tracer_;
    client_state state_ = client_state::connecting;
    std::string in_;
    std::string out_;
    bool want_tls_ = false;
    bool want_close_ = false;
    bool tls_active_ = false;
    unsigned next_tag_ = 1;
    std::string waiting_tag_;
    std::size_t section_index_ = 0;
    std::size_t flag_index_ = 0;
    bool idle_sent_ = false;
    bool expunge_sent_ = false;
    client_result result_;
};

}  // namespace maillab::imap
