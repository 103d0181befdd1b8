#include "sim/world/live_world.hpp"

#include <set>

#include <fmt/format.h>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "sim/net/tap.hpp"
#include "sim/net/tcp_connector.hpp"

namespace maillab::world {
namespace {

// The services a host listens for, in a fixed order (so --base-port gives stable numbers).
std::vector<std::string> services_of(const host_spec& h) {
    std::vector<std::string> out;
    if (h.roles.count(host_role::submission)) {
        out.push_back("submission");
        if (h.tls) out.push_back("smtps");
    }
    if (h.roles.count(host_role::mx)) out.push_back("smtp");
    if (h.roles.count(host_role::pop3)) {
        out.push_back("pop3");
        if (h.tls) out.push_back("pop3s");
    }
    if (h.roles.count(host_role::imap)) {
        out.push_back("imap");
        if (h.tls) out.push_back("imaps");
    }
    if (h.roles.count(host_role::webmail)) out.push_back("http");
    return out;
}

}  // namespace

live_world::live_world(boost::asio::io_context& io, trace& t, const scenario& s,
                       live_world_config config)
    : io_(io), trace_(t), s_(s), config_(std::move(config)) {
    std::set<std::string> names;
    std::string dns_name = "dns";
    bool any_tls = false;
    for (const auto& h : s_.hosts) {
        names.insert(h.name);
        if (h.roles.count(host_role::dns) && dns_name == "dns") dns_name = h.name;
        any_tls |= h.tls;
    }
    dns_ = std::make_unique<dns_zone>(s_.mx, names, dns_name);
    hosts_ = std::make_unique<mail_hosts>(s_, *dns_, static_cast<relay_environment&>(*this),
                                          now_us(), /*live=*/true);
    hosts_->set_server_limits(config_.limits.session);
    gate_ = std::make_shared<connection_gate>(config_.limits.max_connections,
                                              config_.limits.max_connections_per_address);
    client_tls_ = std::make_unique<boost::asio::ssl::context>(make_client_tls_context());
    if (any_tls) {
        if (config_.certificate.cert_pem.empty())
            throw std::invalid_argument("a host of the scenario offers TLS: a certificate is needed");
        server_tls_ = std::make_unique<boost::asio::ssl::context>(
            make_server_tls_context(config_.certificate));
    }

    check_only_host();
    peers_ = std::make_unique<peer_table>(s_, config_.peers);
    unsigned short next_port = config_.base_port;
    for (const auto& h : s_.hosts) {
        if (!config_.only_host.empty() && h.name != config_.only_host) continue;
        mail_hosts::host* host = hosts_->find(h.name);
        for (const auto& service : services_of(h)) {
            port_info info = *port_by_name(service);
            tls_mode mode = info.implicit_tls               ? tls_mode::implicit
                            : h.tls && info.proto != "http" ? tls_mode::starttls
                                              : tls_mode::none;
            auto factory = [this, host, info](connection_tracer& tracer,
                                              bool tls_active) -> std::unique_ptr<protocol_session> {
                // "127.0.0.1:5555" -> "[127.0.0.1]", the address-literal form of RFC 5321 4.4.
                const std::string& peer = tracer.peer_host();
                std::string ip = peer.substr(0, peer.rfind(':'));
                std::string literal = ip.find(':') == std::string::npos ? "[" + ip + "]"
                                                                        : "[IPv6:" + ip + "]";
                return hosts_->make_server(*host, info, literal, tracer, tls_active);
            };
            // A host of a class network is a real mail server on its own machine: its standard
            // ports (25, 587, 110, 143, ...), where the other machines look for it.
            unsigned short port = config_.base_port       ? next_port++
                                  : config_.standard_ports ? info.number
                                                           : 0;
            listener_spec spec{service, info.proto, config_.bind_address, port, mode, h.name,
                               config_.limits.timeouts_for(info.proto)};
            try {
                listeners_.push_back({h.name, service,
                                      std::make_unique<tcp_listener>(io_, trace_, spec,
                                                                     server_tls_.get(),
                                                                     std::move(factory))});
                listeners_.back().listener->set_gate(gate_);
            } catch (const boost::system::system_error& err) {
                throw std::runtime_error(fmt::format("{}: cannot listen for {} on {}:{}: {}",
                                                     h.name, service, config_.bind_address, port,
                                                     err.code().message()));
            }
        }
    }
    hosts_->set_on_change([this] {
        if (poke_posted_) return;
        poke_posted_ = true;
        boost::asio::post(io_, [this] {
            poke_posted_ = false;
            for (auto& l : listeners_) l.listener->poke_all();
        });
    });
}

live_world::~live_world() = default;

std::optional<live_world::route> live_world::route_to(const std::string& host,
                                                      const std::string& service) const {
    for (const auto& l : listeners_)
        if (l.host == host && l.service == service) return route{l.listener.get(), std::nullopt};
    if (config_.only_host.empty() || host == config_.only_host) return std::nullopt;
    if (auto remote = peers_->find(host, service)) return route{nullptr, remote};
    return std::nullopt;
}

void live_world::check_only_host() const {
    if (config_.only_host.empty()) return;
    std::string servers;
    for (const auto& h : s_.hosts) {
        if (services_of(h).empty()) continue;
        if (h.name == config_.only_host) return;
        servers += (servers.empty() ? "" : ", ") + h.name;
    }
    const host_spec* h = s_.find_host(config_.only_host);
    throw std::invalid_argument(
        h ? fmt::format("--as {}: that host runs no server (it is a user agent or a browser: "
                        "its people use their own clients); the server hosts are: {}",
                        config_.only_host, servers)
          : fmt::format("--as {}: not a host of the scenario; the server hosts are: {}",
                        config_.only_host, servers));
}

void live_world::start() {
    for (auto& l : listeners_) l.listener->start();
}

void live_world::stop() {
    stopped_ = true;
    for (auto& l : listeners_) l.listener->stop();
}

std::vector<live_endpoint> live_world::endpoints() const {
    std::vector<live_endpoint> out;
    for (const auto& l : listeners_)
        out.push_back({l.host, l.service, l.listener->port(),
                       l.listener->spec().tls == tls_mode::implicit,
                       l.listener->spec().tls == tls_mode::starttls});
    return out;
}

void live_world::after(std::int64_t delay_us, std::function<void()> action) {
    auto timer = std::make_shared<boost::asio::steady_timer>(io_, std::chrono::microseconds(delay_us));
    timer->async_wait([this, timer, action = std::move(action)](const boost::system::error_code& ec) {
        if (!ec && !stopped_) action();
    });
}

void live_world::connect(const std::string& from_host, const std::string& to_host,
                         const std::string& port, client_factory make_client,
                         connection_done done) {
    std::optional<route> target = route_to(to_host, port);
    std::int64_t elapsed = now_us() - hosts_->start_us();
    // Under serve a `restart` rule stops the relays to and from the host while it is down (the
    // real clients' own connections are not cut: they belong to the students).
    const fault_rule* rule = active_fault(s_, fault_action::unreachable, to_host, "", elapsed);
    if (!rule) rule = active_fault(s_, fault_action::restart, to_host, "", elapsed);
    if (!rule) rule = active_fault(s_, fault_action::restart, from_host, "", elapsed);
    if (rule || !target) {
        connection_tracer tracer(trace_, trace_.new_connection_id(), "smtp", from_host, to_host);
        std::string why = rule ? fmt::format("scripted fault: {}", describe_fault(*rule))
                          : !config_.only_host.empty() && to_host != config_.only_host &&
                                    !peers_->find(to_host, port)
                              ? fmt::format("{} runs on another machine and this one does not "
                                            "know where: give it with --peer {}=ADDRESS[:PORT] "
                                            "or an \"address\" in the scenario",
                                            to_host, to_host)
                              : fmt::format("{} does not listen for {}", to_host, port);
        tracer.outgoing(tap::tcp("connect_failed",
                                 fmt::format("{} cannot connect to {} ({})", from_host, to_host, why),
                                 "tcp"));
        bool silent = rule && rule->action == fault_action::unreachable;  // no answer: wait
        after(silent ? s_.relay.connect_timeout_us : 0, [done] { done(false, nullptr); });
        return;
    }
    connect_spec spec;
    spec.host = config_.bind_address == "0.0.0.0" ? "127.0.0.1" : config_.bind_address;
    if (target->listener) spec.port = target->listener->port();
    if (target->remote) {
        spec.host = target->remote->address;
        spec.port = target->remote->port;
    }
    spec.proto = port_by_name(port)->proto;
    spec.local_host = from_host;
    spec.peer_host = to_host;
    spec.tls = tls_mode::none;  // STARTTLS when the client session asks
    auto holder = std::make_shared<client_factory>(std::move(make_client));
    tcp_connect(
        io_, trace_, spec, client_tls_.get(),
        [holder](connection_tracer& tracer, bool) { return (*holder)(tracer); },
        [done](protocol_session& session) { done(true, &session); },
        [done](const std::string&) { done(false, nullptr); });
}

}  // namespace maillab::world
