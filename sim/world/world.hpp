// The world of a scenario, running on the virtual clock: its hosts with their servers and mail
// stores, the DNS, the in-memory links between hosts (with their latency), the relay agents,
// the scripted faults, and the script that drives the user agents. Deterministic: a scenario
// gives the same trace, byte for byte, every time (only the scheduler's order decides).
//
// The hosts' stores, delivery and relays are mail_hosts.hpp; this file adds the in-memory
// network, the virtual clock and the script.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sim/core/scheduler.hpp"
#include "sim/core/trace.hpp"
#include "sim/http/browser_session.hpp"
#include "sim/pop3/store_maildrop.hpp"
#include "sim/smtp/local_delivery.hpp"
#include "sim/store/mail_store.hpp"
#include "sim/world/dns_zone.hpp"
#include "sim/world/mail_hosts.hpp"
#include "sim/world/scenario.hpp"
#include "sim/world/scenario_loader.hpp"

namespace maillab::world {

struct step_outcome {
    std::size_t index = 0;  // in the script
    bool finished = false;  // the client reached its end (or the wait/note ran)
    bool succeeded = false; // the client did what was asked (mail accepted, login and QUIT ...)
    std::string summary;
};

// A what-if branch's one change (what_if.hpp): a client command replaced or dropped at the
// moment its bytes leave the client on the in-memory link. Connection ids and byte offsets are
// the same in every run of a scenario, so they name the command in the branch too.
struct client_output_edit {
    std::uint64_t conn = 0;
    std::size_t offset = 0;       // where the command starts in the client's output on `conn`
    std::string original;         // its bytes in the original run (not empty)
    std::optional<std::string> replacement;  // the bytes sent instead; nullopt: skipped
    std::uint64_t original_seq = 0;          // the command's event in the original run
};

struct client_output_edit_status {
    bool applied = false;   // the command's bytes came and were changed
    bool mismatch = false;  // the bytes at that place were not the original command's
};

class world final : private relay_environment {
public:
    world(const scenario& s, trace& t, scheduler& sched);
    ~world() override;
    world(const world&) = delete;
    world& operator=(const world&) = delete;

    // Schedules the script from its first step and runs until nothing is left to do (the
    // script ended, the queues are empty or waiting for nothing). `max_actions` bounds a world
    // that would never settle.
    void run(std::size_t max_actions = 5'000'000);

    // A connection for a client that is not in the script (a lab's student at the keyboard): the
    // same in-memory link, tracers and server session a script step gets. `port` is a port name
    // ("smtp", "pop3", ...); `done` is called once both ends have closed.
    void open_connection(const std::string& from_host, const std::string& to_host,
                         const std::string& port, relay_environment::client_factory make_client,
                         relay_environment::connection_done done) {
        connect(from_host, to_host, port, std::move(make_client), std::move(done));
    }

    // The store holding `domain`'s mailboxes; nullptr if no host serves it.
    const mail_store* store_for_domain(const std::string& domain) const;
    // The store of a mail host (nullptr for a user agent).
    const mail_store* store_of_host(const std::string& host) const;
    const std::vector<step_outcome>& outcomes() const { return outcomes_; }
    // Before run(): change one client command on its way out (a what-if branch). A world
    // without it runs exactly as before: nothing is installed on any link.
    void set_output_edit(client_output_edit edit) { edit_ = std::move(edit); }
    const client_output_edit_status& output_edit_status() const { return edit_status_; }
    const scenario& spec() const { return s_; }
    // Files the simulated browsers downloaded: (browser host, file).
    const std::vector<std::pair<std::string, http::browser_download>>& downloads() const {
        return downloads_;
    }

private:
    struct connection;
    struct tls_contexts;

    // relay_environment
    trace& trace_ref() override { return trace_; }
    std::int64_t now_us() const override;
    void after(std::int64_t delay_us, std::function<void()> action) override;
    void connect(const std::string& from_host, const std::string& to_host, const std::string& port,
                 client_factory make_client, connection_done done) override;

    void build();
    std::int64_t latency_between(const std::string& a, const std::string& b) const;
    const fault_rule* unreachable_rule(const std::string& host) const;
    const fault_rule* tls_fault(const std::string& host, const std::string& proto) const;
    // `restart` rules: the host is down between the rule's from and until.
    const fault_rule* restart_rule(const std::string& host) const;
    void schedule_restarts();
    void host_goes_down(const fault_rule& rule);
    // A connection attempt answered with a reset: `why` ends the connect_failed text.
    void refuse_connection(std::uint64_t id, const port_info& info, const std::string& from_host,
                           const std::string& to_host, const std::string& port,
                           std::int64_t latency, const std::string& why, connection_done done);
    void connection_closed(connection& c);
    void install_output_edit(connection& c);

    void run_step(std::size_t index);
    void step_done(std::size_t index, bool succeeded, std::string summary);
    void run_send(std::size_t index, const action_spec& a);
    void run_pop3(std::size_t index, const action_spec& a);
    void run_imap(std::size_t index, const action_spec& a);
    void run_session(std::size_t index, const action_spec& a);
    void run_web(std::size_t index, const action_spec& a);
    std::string build_message(std::size_t index, const action_spec& a) const;
    std::string password_of(const action_spec& a) const;
    std::uint64_t world_note(std::string_view key, std::string text, nlohmann::json fields);

    const scenario& s_;
    trace& trace_;
    scheduler& sched_;
    std::unique_ptr<dns_zone> dns_;
    std::unique_ptr<mail_hosts> hosts_;
    std::unique_ptr<tls_contexts> tls_;  // when a host offers TLS
    // The browsers' cookies, by (browser host, site); the browser sessions point into it.
    std::map<std::pair<std::string, std::string>, http::cookie_jar> cookie_jars_;
    std::vector<std::unique_ptr<connection>> connections_;  // destroyed first
    std::vector<step_outcome> outcomes_;
    bool script_done_ = false;
    std::vector<std::pair<std::string, http::browser_download>> downloads_;
    std::optional<client_output_edit> edit_;
    client_output_edit_status edit_status_;
};

}  // namespace maillab::world
