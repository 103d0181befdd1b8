// An IMAP4rev1 server session (RFC 3501; IDLE RFC 2177; LITERAL+ RFC 7888), sans-I/O, over the
// mail store. Theory of operation in server_session.cpp.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sim/core/server_limits.hpp"
#include "sim/core/session.hpp"
#include "sim/core/trace.hpp"
#include "sim/imap/command_parser.hpp"
#include "sim/store/mail_store.hpp"

namespace maillab::imap {

enum class server_state {
    connected,          // before the greeting
    not_authenticated,  // greeting sent; LOGIN, AUTHENTICATE, STARTTLS
    authenticated,      // logged in; mailbox commands
    selected,           // a mailbox is open; message commands
    logout,             // LOGOUT answered, or the connection is gone
    tls_handshake,      // OK to STARTTLS sent; the transport negotiates TLS
    idle,               // IDLE: updates are pushed until DONE
};
std::string_view to_string(server_state s);

struct server_config {
    std::string hostname = "mail.example.org";
    bool tls_available = false;
    bool tls_active = false;  // implicit TLS (IMAPS)
    command_parser::limits limits;
    server_limits session_limits;  // commands per session, failed logins
};

class server_session final : public protocol_session {
public:
    server_session(server_config config, mail_store& store, connection_tracer& tracer);

    void start() override;
    void receive(std::string_view bytes) override;
    void tls_established(const tls_info& info) override;
    void connection_lost() override;
    // The store changed (another session, a delivery): tell the client if it may hear now.
    void world_changed() override;
    std::string take_output() override;
    bool wants_tls() const override { return want_tls_; }
    bool wants_close() const override { return want_close_; }
    void idle_timeout() override;
    std::optional<std::uint64_t> completed_inputs() const override { return inputs_; }
    std::uint32_t take_output_delay_ms() override { return std::exchange(output_delay_ms_, 0); }

    server_state state() const { return state_; }

    struct command_spec {
        std::string_view name;
        std::uint32_t allowed_states;
        void (server_session::*handler)(const command& cmd, bool uid);
    };
    static std::span<const command_spec> command_table();

private:
    // What this session last told its client about the selected mailbox.
    struct view_message {
        std::uint32_t uid;
        std::set<std::string> flags;
    };

    // server_session.cpp: the loop, responses, states, updates.
    void process_input();
    void handle(const command& cmd);
    // Explained by untagged_explain_key() of the text (trace_events.hpp).
    void untagged(std::string text, nlohmann::json fields = {});
    void tagged(std::string_view status, std::string_view text);
    void continuation(std::string_view text);
    void ok(std::string_view text) { tagged("OK", text); }
    void no(std::string_view text) { tagged("NO", text); }
    void bad(std::string_view text) { tagged("BAD", text); }
    void flush();
    void enter_state(server_state next, std::string_view reason);
    void note(std::string_view key, std::string_view text, nlohmann::json fields = {});
    // The same list in the greeting, after login and for CAPABILITY (RFC 3501 7.2.1).
    std::string capabilities() const;
    // Untagged EXPUNGE/EXISTS/RECENT/FETCH for what changed in the store since the client last
    // heard; `expunges` false where RFC 3501 7.4.1 forbids EXPUNGE (during FETCH, STORE, SEARCH).
    void report_changes(bool expunges);
    const mailbox* selected_mailbox() const;
    const stored_message* find_message(std::uint32_t uid) const;
    std::optional<std::string> mailbox_arg(const token& t);  // decoded, or BAD said

    // server_commands.cpp: any state, not authenticated, authenticated.
    void on_capability(const command& cmd, bool uid);
    void on_noop(const command& cmd, bool uid);
    void on_logout(const command& cmd, bool uid);
    void on_starttls(const command& cmd, bool uid);
    void on_login(const command& cmd, bool uid);
    void on_authenticate(const command& cmd, bool uid);
    void on_select(const command& cmd, bool uid);
    void on_create(const command& cmd, bool uid);
    void on_delete(const command& cmd, bool uid);
    void on_rename(const command& cmd, bool uid);
    void on_subscribe(const command& cmd, bool uid);
    void on_list(const command& cmd, bool uid);
    void on_status(const command& cmd, bool uid);
    void on_append(const command& cmd, bool uid);
    void on_idle(const command& cmd, bool uid);
    void finish_login(const std::string& user, std::string_view how);
    void finish_authenticate(std::string_view line);
    // After a failed login: the reply is held back, and after a few the server says BYE.
    void count_auth_failure();
    // RFC 3501 7.1.5: untagged BYE, then the server closes.
    void say_bye(std::string_view text, std::string_view why);

    // server_messages.cpp: the selected state.
    void on_check(const command& cmd, bool uid);
    void on_close(const command& cmd, bool uid);
    void on_expunge(const command& cmd, bool uid);
    void on_search(const command& cmd, bool uid);
    void on_fetch(const command& cmd, bool uid);
    void on_store(const command& cmd, bool uid);
    void on_copy(const command& cmd, bool uid);
    void on_uid(const command& cmd, bool uid);
    // The view positions (0-based) a sequence set names, by number or UID.
    std::optional<std::vector<std::size_t>> resolve(const token& set, bool uid);
    std::vector<std::uint32_t> expunge_deleted();

    server_config config_;
    mail_store& store_;
    connection_tracer& tracer_;
    command_parser parser_;

    server_state state_ = server_state::connected;
    std::string out_;
    std::vector<std::pair<event, std::string>> pending_;  // untagged, in order
    std::optional<std::pair<event, std::string>> pending_tagged_;  // always last
    bool want_tls_ = false;
    bool want_close_ = false;
    bool tls_active_ = false;
    std::optional<std::uint64_t> current_command_;
    std::size_t commands_ = 0;
    auth_failure_counter auth_failures_{config_.session_limits};
    std::uint32_t output_delay_ms_ = 0;
    std::uint64_t inputs_ = 0;  // complete lines taken (see completed_inputs())

    std::string user_;
    std::string selected_;
    bool read_only_ = false;
    std::vector<view_message> view_;
    std::set<std::uint32_t> recent_;
    std::string current_tag_;  // the tag the tagged reply carries
    std::string idle_tag_;
    std::string auth_tag_;  // an AUTHENTICATE waiting for its response line
    bool noted_lowercase_ = false;
};

}  // namespace maillab::imap
