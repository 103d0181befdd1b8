#include "sim/world/mail_hosts.hpp"

#include <functional>
#include <map>
#include <set>

#include "sim/imap/server_session.hpp"
#include "sim/pop3/server_session.hpp"
#include "sim/smtp/address.hpp"
#include "sim/smtp/server_session.hpp"

namespace maillab::world {

struct mail_hosts::mail_system {
    std::set<std::string> domains;
    mail_store store;
};

mail_hosts::mail_hosts(const scenario& s, const dns_zone& dns, relay_environment& env,
                       std::int64_t start_us, bool live)
    : s_(s), env_(env), start_us_(start_us) {
    // Hosts that share a domain share a store, transitively: a host serving a.example and
    // b.example joins the systems of both into one. Union-find over the domains.
    std::map<std::string, std::string> parent;
    std::function<std::string(const std::string&)> root = [&](const std::string& d) {
        std::string r = d;
        while (parent[r] != r) r = parent[r];
        return r;
    };
    for (const auto& h : s_.hosts)
        for (const auto& d : h.domains)
            if (!parent.count(d)) parent[d] = d;
    for (const auto& h : s_.hosts)
        for (std::size_t i = 1; i < h.domains.size(); ++i)
            parent[root(h.domains[i])] = root(h.domains[0]);
    std::map<std::string, mail_system*> by_root;
    for (const auto& [domain, _] : parent) {
        std::string r = root(domain);
        if (!by_root.count(r)) {
            systems_.push_back(std::make_unique<mail_system>());
            by_root[r] = systems_.back().get();
        }
        by_root[r]->domains.insert(domain);
    }
    for (const auto& h : s_.hosts) {
        auto rt = std::make_unique<host>();
        rt->spec = &h;
        if (!h.domains.empty()) rt->store = &by_root.at(root(h.domains.front()))->store;
        hosts_[h.name] = std::move(rt);
    }
    for (const auto& u : s_.users) {
        std::string domain = smtp::domain_of(u.address);
        for (auto& sys : systems_)
            if (sys->domains.count(domain)) sys->store.add_user(u.address, u.password);
    }
    for (auto& [name, rt] : hosts_) {
        if (!rt->store) continue;
        rt->delivery = std::make_unique<smtp::local_delivery>(*rt->store, rt->spec->domains);
        rt->maildrop = std::make_unique<pop3::store_maildrop>(*rt->store);
        const auto& roles = rt->spec->roles;
        if (roles.count(host_role::submission) || roles.count(host_role::mx)) {
            rt->relay = std::make_unique<relay_agent>(name, *rt->store, *rt->delivery, dns,
                                                      s_.relay, env);
            relay_agent* agent = rt->relay.get();
            rt->delivery->set_on_enqueued(
                [agent](std::uint64_t id, std::uint64_t seq) { agent->queued(id, seq); });
        }
    }
    for (auto& [name, rt] : hosts_) {
        const host_spec& spec = *rt->spec;
        if (!spec.roles.count(host_role::webmail)) continue;
        rt->web_legs = std::make_unique<webmail_legs>(
            env, name, spec.imap_server, spec.submission_server,
            live ? random_tokens() : seeded_tokens(s_.id + "/" + name));
        http::webmail::webmail_config config;
        // STARTTLS on its legs when both servers offer it, as a careful webmail would.
        const host_spec* imap = s_.find_host(spec.imap_server);
        const host_spec* submission = s_.find_host(spec.submission_server);
        config.use_starttls = imap && submission && imap->tls && submission->tls;
        rt->webmail = std::make_unique<http::webmail::webmail_app>(config, *rt->web_legs);
    }
}

mail_hosts::~mail_hosts() = default;

mail_hosts::host* mail_hosts::find(const std::string& name) {
    auto it = hosts_.find(name);
    return it == hosts_.end() ? nullptr : it->second.get();
}

const mail_store* mail_hosts::store_for_domain(const std::string& domain) const {
    for (const auto& sys : systems_)
        if (sys->domains.count(domain)) return &sys->store;
    return nullptr;
}

const mail_store* mail_hosts::store_of_host(const std::string& name) const {
    auto it = hosts_.find(name);
    return it == hosts_.end() ? nullptr : it->second->store;
}

void mail_hosts::set_on_change(std::function<void()> callback) {
    auto shared = std::make_shared<std::function<void()>>(std::move(callback));
    for (auto& sys : systems_)
        sys->store.set_on_change([shared](const std::string&, const std::string&) { (*shared)(); });
}

std::unique_ptr<protocol_session> mail_hosts::make_server(host& h, const port_info& port,
                                                          const std::string& peer,
                                                          connection_tracer& tracer,
                                                          bool tls_active) {
    const host_spec& spec = *h.spec;
    std::unique_ptr<protocol_session> server;
    if (port.proto == "http") {
        // Fault rules speak of mail commands; the webmail's HTTP server has none to match.
        return std::make_unique<http::server_session>(http::server_config{}, *h.webmail, tracer);
    }
    if (port.proto == "smtp") {
        smtp::server_config config;
        config.hostname = spec.name;
        config.peer_address = peer;
        config.max_message_size = spec.max_message_size;
        config.tls_available = spec.tls;
        config.tls_active = tls_active || port.implicit_tls;
        config.require_auth = port.role == host_role::submission;
        config.limits = limits_;
        server = std::make_unique<smtp::server_session>(config, *h.delivery, tracer);
    } else if (port.proto == "pop3") {
        pop3::server_config config;
        config.hostname = spec.name;
        config.tls_available = spec.tls;
        config.tls_active = tls_active || port.implicit_tls;
        config.limits = limits_;
        server = std::make_unique<pop3::server_session>(config, *h.maildrop, tracer);
    } else {
        imap::server_config config;
        config.hostname = spec.name;
        config.tls_available = spec.tls;
        config.tls_active = tls_active || port.implicit_tls;
        config.session_limits = limits_;
        server = std::make_unique<imap::server_session>(config, *h.store, tracer);
    }
    if (fault_injector::applies(s_.faults, spec.name, port.proto))
        server = std::make_unique<fault_injector>(std::move(server), s_.faults, fault_counts_,
                                                  spec.name, port.proto, tracer, start_us_,
                                                  [this](std::int64_t delay_us,
                                                         std::function<void()> action) {
                                                      env_.after(delay_us, std::move(action));
                                                  });
    return server;
}

const fault_rule* active_fault(const scenario& s, fault_action action, const std::string& host,
                               const std::string& proto, std::int64_t elapsed_us) {
    for (const auto& r : s.faults)
        if (r.action == action && r.host == host && (r.proto.empty() || r.proto == proto) &&
            elapsed_us >= r.from_us && (!r.until_us || elapsed_us < *r.until_us))
            return &r;
    return nullptr;
}

}  // namespace maillab::world
