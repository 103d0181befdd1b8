// The mail hosts of a scenario with their stores, delivery policies and relays, independent of
// how connections are carried: the simulated world (in-memory pipes, virtual clock) and the
// live world of `maillab serve SCENARIO.json` (real sockets) both build on it.
//
// Mail systems: hosts that serve the same domain share one mail store (mx1 and mx2 of b.example
// deliver into the same mailboxes, and bob's POP3 server reads them), like a provider's cluster.
#pragma once

#include <utility>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "sim/core/server_limits.hpp"
#include "sim/core/session.hpp"
#include "sim/core/trace.hpp"
#include "sim/pop3/store_maildrop.hpp"
#include "sim/smtp/local_delivery.hpp"
#include "sim/store/mail_store.hpp"
#include "sim/world/dns_zone.hpp"
#include "sim/world/fault_injector.hpp"
#include "sim/world/relay_agent.hpp"
#include "sim/world/scenario.hpp"
#include "sim/world/scenario_loader.hpp"
#include "sim/world/webmail_legs.hpp"
#include "sim/http/webmail_app.hpp"

namespace maillab::world {

class mail_hosts {
public:
    struct host {
        const host_spec* spec = nullptr;
        mail_store* store = nullptr;  // nullptr for a user agent
        std::unique_ptr<smtp::local_delivery> delivery;
        std::unique_ptr<pop3::store_maildrop> maildrop;
        std::unique_ptr<relay_agent> relay;
        // webmail hosts: the application behind their HTTP server, and its IMAP/SMTP legs
        std::unique_ptr<webmail_legs> web_legs;
        std::unique_ptr<http::webmail::webmail_app> webmail;
    };

    // `env` carries the relays' connections and timers; `start_us` is when the scenario began
    // (fault rules' from/until count from it). `live`: webmail tokens from OpenSSL's random
    // generator; otherwise seeded by the scenario, so its trace is the same on every run.
    mail_hosts(const scenario& s, const dns_zone& dns, relay_environment& env,
               std::int64_t start_us, bool live = false);
    ~mail_hosts();

    host* find(const std::string& name);
    const mail_store* store_for_domain(const std::string& domain) const;
    mail_store* store_for_domain(const std::string& domain) {
        return const_cast<mail_store*>(std::as_const(*this).store_for_domain(domain));
    }
    const mail_store* store_of_host(const std::string& name) const;
    // The limits every server session gets (default: server_limits{}).
    void set_server_limits(const server_limits& limits) { limits_ = limits; }
    // Called after any change in any store (IMAP IDLE wake-ups in the live world).
    void set_on_change(std::function<void()> callback);

    // The server session for a connection to `host` on `port` ("smtp", "pop3s", ...), wrapped
    // in the fault injector when a scenario rule could apply to it.
    std::unique_ptr<protocol_session> make_server(host& h, const port_info& port,
                                                  const std::string& peer,
                                                  connection_tracer& tracer, bool tls_active);

    std::int64_t start_us() const { return start_us_; }

private:
    struct mail_system;

    const scenario& s_;
    relay_environment& env_;  // its timers release the replies a `delay` fault holds back
    std::int64_t start_us_;
    std::vector<std::unique_ptr<mail_system>> systems_;
    std::map<std::string, std::unique_ptr<host>> hosts_;
    fault_counters fault_counts_;
    server_limits limits_;
};

// The rule of `action` that holds for `host` (and `proto`, if the rule names one) at `now_us`.
const fault_rule* active_fault(const scenario& s, fault_action action, const std::string& host,
                               const std::string& proto, std::int64_t elapsed_us);

}  // namespace maillab::world
