// `maillab serve SCENARIO.json`: every server host of a scenario on real loopback sockets, each
// listener on its own port, so real clients (telnet, Thunderbird, smtplib, the seed's Java
// demos) take part in the scenario's world. Relays between the hosts speak real SMTP over TCP;
// MX answers come from the scenario's DNS. The script is not run: the people in the room are the
// user agents. Fault rules apply as in the simulation (timed from the start of serve), except
// fail_tls, which only the simulated links can inject.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>

#include "sim/core/trace.hpp"
#include "sim/net/tcp_listener.hpp"
#include "sim/net/tls_context.hpp"
#include "sim/world/dns_zone.hpp"
#include "sim/world/mail_hosts.hpp"
#include "sim/world/peer_address.hpp"
#include "sim/world/scenario.hpp"
#include "sim/world/serve_limits.hpp"

namespace maillab::world {

struct live_world_config {
    std::string bind_address = "127.0.0.1";
    // 0: the OS picks every port; otherwise the listeners get base, base+1, ... in the order of
    // the hosts and their services.
    unsigned short base_port = 0;
    // With base_port 0: true gives every listener its service's standard port (25, 587, 110,
    // ...), where the other machines of a class network look for it (`serve --as` without
    // --base-port); false lets the OS pick.
    bool standard_ports = false;
    certificate_pair certificate;  // used when a host offers TLS
    // Class network (`serve --as HOST`): only this host's servers listen here; connections to
    // the other hosts go to the addresses in `peers` (and the scenario's `address` keys).
    // Empty: every host runs here.
    std::string only_host;
    std::vector<peer_rule> peers;
    serve_limits limits;           // for every host (the SIZE limit stays each host's own)
};

struct live_endpoint {
    std::string host;
    std::string service;  // "submission", "smtp", "smtps", "pop3", ...
    unsigned short port = 0;
    bool implicit_tls = false;
    bool starttls = false;
};

class live_world final : private relay_environment {
public:
    // Throws on a port that cannot be bound (naming host, service and port).
    live_world(boost::asio::io_context& io, trace& t, const scenario& s, live_world_config config);
    ~live_world() override;

    void start();
    void stop();
    std::vector<live_endpoint> endpoints() const;
    const mail_store* store_for_domain(const std::string& domain) const {
        return hosts_->store_for_domain(domain);
    }
    // Before start(): mail put in place by a set-up (a lab's scenario script run in the
    // simulation) is copied into the live stores (live_lab.cpp).
    mail_store* store_for_domain(const std::string& domain) { return hosts_->store_for_domain(domain); }

private:
    struct listener_entry {
        std::string host;
        std::string service;
        std::unique_ptr<tcp_listener> listener;
    };

    trace& trace_ref() override { return trace_; }
    std::int64_t now_us() const override { return trace_.clock().now_us(); }
    void after(std::int64_t delay_us, std::function<void()> action) override;
    void connect(const std::string& from_host, const std::string& to_host, const std::string& port,
                 client_factory make_client, connection_done done) override;
    void check_only_host() const;
    // Where a connection to `service` of `host` goes: a listener of this process, or a peer.
    struct route {
        tcp_listener* listener = nullptr;
        std::optional<remote_endpoint> remote;
    };
    std::optional<route> route_to(const std::string& host, const std::string& service) const;

    boost::asio::io_context& io_;
    trace& trace_;
    const scenario& s_;
    live_world_config config_;
    std::unique_ptr<boost::asio::ssl::context> server_tls_;
    std::unique_ptr<boost::asio::ssl::context> client_tls_;
    std::unique_ptr<dns_zone> dns_;
    std::unique_ptr<mail_hosts> hosts_;
    std::vector<listener_entry> listeners_;
    std::unique_ptr<peer_table> peers_;
    std::shared_ptr<connection_gate> gate_;
    bool poke_posted_ = false;
    bool stopped_ = false;
};

}  // namespace maillab::world
