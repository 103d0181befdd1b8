#include "sim/world/serve_setup.hpp"

#include <algorithm>

#include <fstream>
#include <iterator>
#include <stdexcept>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "sim/net/tls_context.hpp"
#include "sim/world/live_server.hpp"
#include "sim/world/live_world.hpp"
#include "sim/world/peer_address.hpp"
#include "sim/world/scenario.hpp"
#include "sim/world/scenario_loader.hpp"
#include "sim/world/scenario_run.hpp"

namespace maillab::world {

// The configuration of either kind of session, made by the constructor, used by open().
struct live_servers::prepared {
    live_server_config single;
    live_world_config world;
};

namespace {

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::invalid_argument(path + ": cannot read");
    return std::string(std::istreambuf_iterator<char>(in), {});
}

// --tls-cert/--tls-key, or the self-signed certificate kept in --tls-dir (made on first use).
certificate_pair certificate_for(const serve_options& opts, std::string name,
                                 std::vector<std::string>& notes) {
    if (!opts.tls_cert.empty() || !opts.tls_key.empty()) {
        if (opts.tls_cert.empty() || opts.tls_key.empty())
            throw std::invalid_argument("--tls-cert and --tls-key go together");
        return certificate_pair{slurp(opts.tls_cert), slurp(opts.tls_key)};
    }
    std::string dir = opts.tls_dir.empty() ? default_tls_dir() : opts.tls_dir;
    bool created = false;
    if (name.empty()) name = "maillab";
    certificate_pair pair = load_or_create_certificate(dir, name, created);
    notes.push_back((created ? "created a self-signed TLS certificate in "
                             : "using the TLS certificate in ") +
                    dir);
    return pair;
}

std::string remark_for(const std::string& service, const std::string& proto, bool implicit_tls,
                       bool starttls, const std::string& address, unsigned short port) {
    if (service == "http" || proto == "http")
        return fmt::format("(webmail: open http://{}:{}/ in a browser)", address, port);
    if (implicit_tls) return "(implicit TLS)";
    if (starttls) return proto == "pop3" || service == "pop3" ? "(STLS offered)"
                                                               : "(STARTTLS offered)";
    return {};
}

}  // namespace

live_servers::live_servers(serve_options opts)
    : opts_(std::move(opts)), prepared_(std::make_unique<prepared>()) {
    if (!opts_.scenario_path.empty()) {
        scenario_ = std::make_unique<scenario>(load_scenario_file(opts_.scenario_path));
        live_world_config& config = prepared_->world;
        config.bind_address = opts_.bind;
        config.base_port = static_cast<unsigned short>(std::max(opts_.base_port, 0));
        // A class network's host listens where the other machines look for it, unless the
        // teacher numbers the ports (--base-port N) or asks the OS (--base-port 0).
        config.standard_ports = opts_.base_port < 0 && !opts_.as_host.empty();
        config.only_host = opts_.as_host;
        for (const auto& p : opts_.peers) config.peers.push_back(parse_peer_rule(p));
        config.limits = opts_.limits;
        bool any_tls = false;
        for (const auto& h : scenario_->hosts) any_tls |= h.tls;
        if (any_tls) config.certificate = certificate_for(opts_, "maillab." + scenario_->id, notes_);
        return;
    }
    live_server_config& config = prepared_->single;
    config.bind_address = opts_.bind;
    config.hostname = opts_.hostname;
    config.domains = opts_.domains;
    // On the command line a port of 0 turns that listener off.
    auto port_or_off = [](int port) -> std::optional<unsigned short> {
        if (port == 0) return std::nullopt;
        return static_cast<unsigned short>(port);
    };
    config.smtp_port = port_or_off(opts_.smtp_port);
    config.smtps_port = port_or_off(opts_.smtps_port);
    config.pop3_port = port_or_off(opts_.pop3_port);
    config.pop3s_port = port_or_off(opts_.pop3s_port);
    config.imap_port = port_or_off(opts_.imap_port);
    config.imaps_port = port_or_off(opts_.imaps_port);
    config.http_port = port_or_off(opts_.http_port);
    config.store_dir = opts_.store_dir;
    config.max_message_size = opts_.max_message_size;
    config.limits = opts_.limits;
    if (opts_.users.empty() && opts_.domains.empty()) {
        opts_.users = {"alice@example.org:alice", "bob@example.org:bob"};
        notes_.push_back("no --user given: using alice@example.org (password alice) and "
                         "bob@example.org (password bob)");
    }
    for (const auto& spec : opts_.users) config.users.push_back(parse_user_spec(spec));
    if (config.smtp_port || config.smtps_port || config.pop3_port || config.pop3s_port ||
        config.imap_port || config.imaps_port) {
        std::string name = config.hostname;
        if (name.empty() && !config.domains.empty()) name = "mail." + config.domains[0];
        if (name.empty() && !config.users.empty())
            name = "mail." + config.users[0].address.substr(config.users[0].address.rfind('@') + 1);
        config.certificate = certificate_for(opts_, name, notes_);
    }
}

live_servers::~live_servers() = default;

nlohmann::json live_servers::trace_header() const {
    nlohmann::json header;
    if (scenario_) {
        header = scenario_header(*scenario_);
    } else {
        header = {{"scenario", "serve"}, {"title", "maillab serve (real sockets)"}};
    }
    header["mode"] = "live";
    // A class network's machines each record one host; the merged view names its sources by it.
    if (!opts_.as_host.empty()) header["as"] = opts_.as_host;
    return header;
}

void live_servers::open(boost::asio::io_context& io, trace& t) {
    endpoints_.clear();
    if (scenario_) {
        world_ = std::make_unique<live_world>(io, t, *scenario_, prepared_->world);
        for (const auto& e : world_->endpoints()) {
            std::string proto = e.service == "submission" ? "smtp" : e.service;
            endpoints_.push_back({e.host, e.service, opts_.bind, e.port,
                                  remark_for(e.service, proto, e.implicit_tls, e.starttls,
                                             opts_.bind, e.port)});
        }
        return;
    }
    server_ = std::make_unique<live_server>(io, t, prepared_->single);
    for (const auto& l : server_->listeners()) {
        const listener_spec& spec = l->spec();
        std::string address = server_->config().bind_address;
        endpoints_.push_back({server_->config().hostname, spec.name, address, l->port(),
                              remark_for(spec.name, spec.proto, spec.tls == tls_mode::implicit,
                                         spec.tls == tls_mode::starttls, address, l->port())});
    }
}

void live_servers::start() {
    if (world_) world_->start();
    if (server_) server_->start();
}

void live_servers::stop() {
    if (world_) world_->stop();
    if (server_) server_->stop();
}

void live_servers::close() {
    world_.reset();
    server_.reset();
}

std::vector<std::string> live_servers::describe() const {
    std::vector<std::string> lines;
    auto with_remark = [](const listen_endpoint& e) {
        return e.remark.empty() ? std::string() : " " + e.remark;
    };
    if (scenario_) {
        lines.push_back(fmt::format("scenario {}: {}", scenario_->id, scenario_->title.en));
        for (const auto& e : endpoints_)
            lines.push_back(fmt::format("{:<20} {:<11} {}{}", e.host, e.service,
                                        connect_address(e), with_remark(e)));
        if (!opts_.as_host.empty()) {
            // The other hosts of the world, and where this machine will look for them.
            peer_table peers(*scenario_, prepared_->world.peers);
            for (const auto& h : scenario_->hosts) {
                if (h.name == opts_.as_host) continue;
                auto smtp = peers.find(h.name, "smtp");
                if (!h.roles.count(host_role::mx)) continue;
                lines.push_back(fmt::format("{:<20} {:<11} {}", h.name, "smtp",
                                            smtp ? fmt::format("on another machine: {}:{}",
                                                               smtp->address, smtp->port)
                                                 : "on another machine, address unknown (give "
                                                   "--peer " + h.name + "=ADDRESS[:PORT])"));
            }
        }
        // With --as, only this host's own users: on a student's machine the others' passwords
        // are not theirs to see (the scenario file still holds them; docs/class-network.md).
        const host_spec* own = opts_.as_host.empty() ? nullptr : scenario_->find_host(opts_.as_host);
        auto is_own = [&](const std::string& address) {
            if (!own) return true;
            auto domain = address.substr(address.rfind('@') + 1);
            return std::find(own->domains.begin(), own->domains.end(), domain) != own->domains.end();
        };
        std::string users = "users:";
        for (const auto& u : scenario_->users)
            if (is_own(u.address)) users += " " + u.address + " (password " + u.password + ")";
        lines.push_back(users);
        return lines;
    }
    for (const auto& e : endpoints_)
        lines.push_back(
            fmt::format("{} listening on {}{}", e.service, connect_address(e), with_remark(e)));
    if (server_)
        lines.push_back(fmt::format("local domains: {}; users: {}; store: {}",
                                    fmt::join(server_->config().domains, ", "),
                                    server_->store().users().size(),
                                    opts_.store_dir.empty() ? "in memory" : opts_.store_dir));
    return lines;
}

std::string connect_address(const listen_endpoint& e) {
    return fmt::format("{}:{}", e.address, e.port);
}

}  // namespace maillab::world
