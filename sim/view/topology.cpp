#include "sim/view/topology.hpp"

#include <algorithm>
#include <map>

#include "sim/core/event_fields.hpp"
#include "sim/view/connections.hpp"
#include "sim/view/relay_queue.hpp"

namespace maillab::view {
namespace {

// Columns before compaction, left to right.
enum column_slot { col_client, col_webmail, col_sender, col_dns, col_receiver, col_count };

bool has(const std::vector<std::string>& roles, std::string_view role) {
    return std::find(roles.begin(), roles.end(), role) != roles.end();
}

void add_role(std::vector<std::string>& roles, const std::string& role) {
    if (!has(roles, role)) roles.push_back(role);
}

bool is_server(const std::vector<std::string>& roles) {
    for (const char* r : {"submission", "mx", "pop3", "imap"})
        if (has(roles, r)) return true;
    return false;
}

// The role a port name stands for (scenario port names, docs/scenario-format.md).
std::string role_of_port(const port_ref& port, const std::string& proto) {
    const std::string& n = port.name;
    if (n == "submission" || n == "smtps" || port.number == 587 || port.number == 465)
        return "submission";
    if (n == "smtp" || port.number == 25) return "mx";
    if (proto == "http" || n == "http") return "webmail";
    if (proto == "imap" || proto == "pop3") return proto;
    // SMTP on a port the trace does not name: a user agent's (see kind_of) submission.
    return proto == "smtp" ? "submission" : "";
}

link_kind kind_of(const std::string& proto, const std::vector<std::string>& client_roles,
                  const port_ref& port) {
    if (proto == "http") return link_kind::http;
    if (proto == "pop3" || proto == "imap") return link_kind::retrieval;
    if (proto != "smtp") return link_kind::other;
    // A user agent talking to port 25 (seed 003's SMTPDemo) still submits its own mail; only a
    // server passing mail on is a relay.
    bool client_is_server = is_server(client_roles);
    if (!client_is_server) return link_kind::submission;
    if (port.name == "smtp" || port.number == 25) return link_kind::relay;
    if (port.number == 0 && port.name.empty()) return link_kind::relay;
    return link_kind::submission;
}

// Spreads the hosts of one column over [0, 1] near where their neighbours pull them, keeping
// `gap` between centres (a one-dimensional overlap removal: down, then back up).
void place_column(std::vector<std::pair<float, std::size_t>>& wanted, float gap,
                  std::vector<topology_host>& hosts) {
    std::stable_sort(wanted.begin(), wanted.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    std::size_t n = wanted.size();
    std::vector<float> y(n);
    for (std::size_t k = 0; k < n; ++k) {
        y[k] = std::clamp(wanted[k].first, gap * 0.5f, 1.0f - gap * 0.5f);
        if (k > 0) y[k] = std::max(y[k], y[k - 1] + gap);
    }
    for (std::size_t k = n; k-- > 0;) {
        float limit = k + 1 < n ? y[k + 1] - gap : 1.0f - gap * 0.5f;
        y[k] = std::min(y[k], limit);
    }
    for (std::size_t k = 0; k < n; ++k) hosts[wanted[k].second].y = std::max(y[k], gap * 0.5f);
}

}  // namespace

std::string_view to_string(link_kind kind) {
    switch (kind) {
        case link_kind::http:
            return "http";
        case link_kind::submission:
            return "submission";
        case link_kind::relay:
            return "relay";
        case link_kind::retrieval:
            return "retrieval";
        case link_kind::dns:
            return "dns";
        case link_kind::other:
            return "other";
    }
    return "other";
}

std::optional<std::size_t> topology::host_index(const std::string& name) const {
    for (std::size_t i = 0; i < hosts_.size(); ++i)
        if (hosts_[i].name == name) return i;
    return std::nullopt;
}

topology topology::build(const trace_model& model) {
    topology t;
    auto host = [&](const std::string& name) -> std::size_t {
        if (auto i = t.host_index(name)) return *i;
        t.hosts_.push_back({});
        t.hosts_.back().name = name;
        return t.hosts_.size() - 1;
    };

    // 1. Hosts declared in the header, in file order, with their roles.
    const auto& header = model.header();
    if (header.contains("world") && header["world"].contains("hosts") &&
        header["world"]["hosts"].is_array()) {
        for (const auto& h : header["world"]["hosts"]) {
            if (!h.is_object() || !h.contains("name") || !h["name"].is_string()) continue;
            topology_host& th = t.hosts_[host(h["name"].get<std::string>())];
            th.declared = true;
            if (h.contains("roles") && h["roles"].is_array())
                for (const auto& r : h["roles"])
                    if (r.is_string()) add_role(th.roles, r.get<std::string>());
            if (h.contains("description") && h["description"].is_object()) {
                th.description_en = text_field(h["description"], "en");
                th.description_zh = text_field(h["description"], "zh");
            }
        }
    }
    bool declared_world = !t.hosts_.empty();

    // 2. Hosts and roles seen in the connections; the links they use.
    std::map<std::tuple<std::size_t, std::size_t, std::string, int>, std::size_t> link_of;
    auto connections = list_connections(model);
    for (const auto& c : connections) {
        if (c.client.empty() || c.server.empty()) continue;
        std::size_t client = host(c.client), server = host(c.server);
        if (!declared_world || !t.hosts_[server].declared) {
            std::string role = role_of_port(c.port, c.proto);
            if (!role.empty()) add_role(t.hosts_[server].roles, role);
            if (c.proto == "http") add_role(t.hosts_[client].roles, "browser");
        }
        auto key = std::make_tuple(client, server, c.proto, c.port.number);
        auto [it, fresh] = link_of.try_emplace(key, t.links_.size());
        if (fresh) {
            topology_link l;
            l.client = client;
            l.server = server;
            l.proto = c.proto;
            l.port = c.port.number;
            l.label = protocol_label(c.proto, c.port.number);
            l.first_event = c.connect_event.value_or(c.first_event);
            t.links_.push_back(std::move(l));
        }
        ++t.links_[it->second].uses;
        if (c.failed) ++t.links_[it->second].failures;
        t.conn_links_.emplace_back(c.conn, it->second);
    }
    std::sort(t.conn_links_.begin(), t.conn_links_.end());
    // Link kinds need every host's roles, so they come after all connections are known.
    std::map<std::size_t, port_ref> ports;
    for (const auto& c : connections) {
        auto it = std::lower_bound(t.conn_links_.begin(), t.conn_links_.end(),
                                   std::make_pair(c.conn, std::size_t{0}));
        if (it != t.conn_links_.end() && it->first == c.conn) ports.try_emplace(it->second, c.port);
    }
    for (std::size_t i = 0; i < t.links_.size(); ++i)
        t.links_[i].kind = kind_of(t.links_[i].proto, t.hosts_[t.links_[i].client].roles, ports[i]);

    // 3. DNS: one link per asking host, from the query and answer events.
    for (std::size_t i = 0; i < model.size(); ++i) {
        const event& e = model.at(i);
        if (e.kind != event_kind::dns || text_field(e, "action") != "query") continue;
        if (e.from.empty() || e.to.empty()) continue;
        std::size_t asker = host(e.from), dns = host(e.to);
        add_role(t.hosts_[dns].roles, "dns");
        auto key = std::make_tuple(asker, dns, std::string("dns"), 0);
        auto [it, fresh] = link_of.try_emplace(key, t.links_.size());
        if (fresh) {
            topology_link l;
            l.client = asker;
            l.server = dns;
            l.proto = "dns";
            l.kind = link_kind::dns;
            l.label = "DNS " + text_field(e, "qtype", "MX");
            l.first_event = i;
            t.links_.push_back(std::move(l));
        }
        ++t.links_[it->second].uses;
    }
    // Hosts that appear only in local events (a server that stored mail and was never
    // connected to in this trace) still belong in the picture.
    for (const auto& name : model.hosts()) host(name);
    for (auto& h : t.hosts_)
        if (h.roles.empty()) h.roles.push_back("user_agent");

    // 4. Columns: clients, webmail, the servers that send on, DNS, the servers that receive.
    std::vector<bool> relays_out(t.hosts_.size()), relay_target(t.hosts_.size()),
        submission_target(t.hosts_.size()), retrieval_target(t.hosts_.size());
    for (const auto& l : t.links_) {
        if (l.kind == link_kind::relay) {
            relays_out[l.client] = true;
            relay_target[l.server] = true;
        }
        if (l.kind == link_kind::submission) submission_target[l.server] = true;
        if (l.kind == link_kind::retrieval) retrieval_target[l.server] = true;
    }
    std::vector<int> slot(t.hosts_.size());
    for (std::size_t i = 0; i < t.hosts_.size(); ++i) {
        const auto& r = t.hosts_[i].roles;
        if (has(r, "dns"))
            slot[i] = col_dns;
        else if (has(r, "webmail"))
            slot[i] = col_webmail;
        else if (!is_server(r))
            slot[i] = col_client;
        else if (relays_out[i])
            slot[i] = col_sender;
        else if (relay_target[i])
            slot[i] = col_receiver;
        else if (submission_target[i] && !retrieval_target[i])
            slot[i] = col_sender;
        else if (!submission_target[i] && !retrieval_target[i] && has(r, "submission") &&
                 !has(r, "mx"))
            slot[i] = col_sender;
        else
            slot[i] = col_receiver;
    }
    std::vector<int> compact(col_count, -1);
    for (int s : slot) compact[s] = 0;
    for (int s = 0; s < col_count; ++s)
        if (compact[s] == 0) compact[s] = t.columns_++;
    for (std::size_t i = 0; i < t.hosts_.size(); ++i) {
        t.hosts_[i].column = compact[slot[i]];
        t.hosts_[i].x = (static_cast<float>(t.hosts_[i].column) + 0.5f) /
                        static_cast<float>(std::max(t.columns_, 1));
    }

    // 5. Rows: each host drawn towards the hosts it talks to (a few barycentre sweeps), so
    // Alice's side and Bob's side each keep to their own band. DNS sits at the top, above the
    // relay it answers.
    std::vector<std::vector<std::size_t>> in_column(static_cast<std::size_t>(t.columns_));
    for (std::size_t i = 0; i < t.hosts_.size(); ++i)
        in_column[static_cast<std::size_t>(t.hosts_[i].column)].push_back(i);
    std::size_t rows = 1;
    for (const auto& col : in_column) rows = std::max(rows, col.size());
    float gap = 1.0f / static_cast<float>(rows);
    for (const auto& col : in_column)
        for (std::size_t k = 0; k < col.size(); ++k)
            t.hosts_[col[k]].y = (static_cast<float>(k) + 0.5f) / static_cast<float>(col.size());
    std::vector<std::vector<std::size_t>> neighbours(t.hosts_.size());
    for (const auto& l : t.links_) {
        if (t.hosts_[l.client].column == t.hosts_[l.server].column) continue;
        neighbours[l.client].push_back(l.server);
        neighbours[l.server].push_back(l.client);
    }
    for (int sweep = 0; sweep < 6; ++sweep) {
        for (std::size_t c = 0; c < in_column.size(); ++c) {
            std::size_t col = sweep % 2 == 0 ? c : in_column.size() - 1 - c;
            std::vector<std::pair<float, std::size_t>> wanted;
            for (std::size_t h : in_column[col]) {
                float y = t.hosts_[h].y;
                if (has(t.hosts_[h].roles, "dns")) {
                    y = 0;
                } else if (!neighbours[h].empty()) {
                    y = 0;
                    for (std::size_t n : neighbours[h]) y += t.hosts_[n].y;
                    y /= static_cast<float>(neighbours[h].size());
                }
                wanted.emplace_back(y, h);
            }
            place_column(wanted, gap, t.hosts_);
        }
    }

    // DNS gets a band of its own along the top, so the relay's links to the MX hosts, which
    // cross its column, never run through it.
    bool dns_band = std::any_of(t.hosts_.begin(), t.hosts_.end(),
                                [](const topology_host& h) { return has(h.roles, "dns"); });
    if (dns_band)
        for (auto& h : t.hosts_) h.y = has(h.roles, "dns") ? 0.04f : 0.22f + 0.78f * h.y;

    // 6. Links between the same two hosts side by side.
    for (std::size_t i = 0; i < t.links_.size(); ++i) {
        auto same_pair = [&](const topology_link& a, const topology_link& b) {
            return std::minmax(a.client, a.server) == std::minmax(b.client, b.server);
        };
        int index = 0, count = 0;
        for (std::size_t j = 0; j < t.links_.size(); ++j) {
            if (!same_pair(t.links_[i], t.links_[j])) continue;
            if (j < i) ++index;
            ++count;
        }
        t.links_[i].parallel_index = index;
        t.links_[i].parallel_count = count;
    }
    return t;
}

std::optional<hop> topology::hop_of(const trace_model& model, std::size_t event_index) const {
    if (event_index >= model.size()) return std::nullopt;
    const event& e = model.at(event_index);
    if (e.conn) {
        auto it = std::lower_bound(conn_links_.begin(), conn_links_.end(),
                                   std::make_pair(e.conn, std::size_t{0}));
        if (it == conn_links_.end() || it->first != e.conn) return std::nullopt;
        const topology_link& l = links_[it->second];
        // Local events of a connection (state, store, notes) stay on their host.
        if (e.to.empty()) return std::nullopt;
        return hop{it->second, hosts_[l.client].name == e.from};
    }
    if (e.kind == event_kind::dns && !e.from.empty() && !e.to.empty()) {
        for (std::size_t i = 0; i < links_.size(); ++i) {
            const topology_link& l = links_[i];
            if (l.kind != link_kind::dns) continue;
            if (hosts_[l.client].name == e.from && hosts_[l.server].name == e.to)
                return hop{i, true};
            if (hosts_[l.client].name == e.to && hosts_[l.server].name == e.from)
                return hop{i, false};
        }
    }
    return std::nullopt;
}

std::optional<std::size_t> topology::host_of(const trace_model& model,
                                             std::size_t event_index) const {
    if (event_index >= model.size()) return std::nullopt;
    const event& e = model.at(event_index);
    if (e.from.empty()) return std::nullopt;
    return host_index(e.from);
}

std::vector<host_activity> activity_at(const trace_model& model, const topology& topo,
                                       std::size_t cursor) {
    std::vector<host_activity> out(topo.hosts().size());
    if (model.empty()) return out;
    cursor = std::min(cursor, model.size() - 1);
    for (std::size_t i = 0; i <= cursor; ++i) {
        const event& e = model.at(i);
        if (e.kind != event_kind::dns || text_field(e, "action") != "query") continue;
        for (const std::string* name : {&e.from, &e.to}) {
            auto h = topo.host_index(*name);
            if (!h) continue;
            ++out[*h].dns_lookups;
        }
    }
    // How recent the last DNS event is (query or answer), for the flash on the DNS host.
    for (std::size_t back = 0; back <= cursor && back < 8; ++back) {
        const event& e = model.at(cursor - back);
        if (e.kind != event_kind::dns) continue;
        for (const std::string* name : {&e.from, &e.to})
            if (auto h = topo.host_index(*name))
                out[*h].events_since_dns = std::min(out[*h].events_since_dns, back);
    }
    for (const auto& q : queue_at(model, cursor)) {
        auto h = topo.host_index(q.host);
        if (!h) continue;
        if (!q.removed) ++out[*h].queued;
        out[*h].retries += static_cast<std::size_t>(q.retries);
        if (q.state == "bounced") ++out[*h].bounces;
    }
    return out;
}

}  // namespace maillab::view
