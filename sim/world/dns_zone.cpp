#include "sim/world/dns_zone.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "sim/core/bytes.hpp"

namespace maillab::world {

dns_zone::dns_zone(std::map<std::string, std::vector<mx_record>> mx,
                   std::set<std::string> host_names, std::string server_name)
    : mx_(std::move(mx)), hosts_(std::move(host_names)), server_name_(std::move(server_name)) {}

mx_answer dns_zone::lookup_mx(const std::string& domain) const {
    mx_answer a;
    std::string d = to_lower(domain);
    if (auto it = mx_.find(d); it != mx_.end() && !it->second.empty()) {
        a.exists = true;
        a.exchangers = it->second;
        // Equal preferences keep the file's order: deterministic (a real resolver would
        // shuffle them, RFC 5321 5.1).
        std::stable_sort(a.exchangers.begin(), a.exchangers.end(),
                         [](const mx_record& x, const mx_record& y) {
                             return x.preference < y.preference;
                         });
        return a;
    }
    if (hosts_.count(d)) {
        a.exists = true;
        a.implicit = true;
        a.exchangers = {{0, d}};
    }
    return a;
}

mx_answer dns_zone::resolve_mx(trace& t, const std::string& asking_host, const std::string& domain,
                               std::optional<std::uint64_t> cause) const {
    event q;
    q.kind = event_kind::dns;
    q.proto = "dns";
    q.from = asking_host;
    q.to = server_name_;
    q.cause = cause;
    q.text = fmt::format("{} asks: MX records of {}?", asking_host, domain);
    q.explain = "dns.query.mx";
    q.fields = {{"action", "query"}, {"qtype", "MX"}, {"name", domain}};
    std::uint64_t query_seq = t.append(std::move(q));

    mx_answer a = lookup_mx(domain);
    event r;
    r.kind = event_kind::dns;
    r.proto = "dns";
    r.from = server_name_;
    r.to = asking_host;
    r.cause = query_seq;
    r.fields = {{"action", "answer"}, {"qtype", "MX"}, {"name", domain}};
    nlohmann::json records = nlohmann::json::array();
    std::string list;
    for (const auto& x : a.exchangers) {
        records.push_back({{"preference", x.preference}, {"host", x.host}});
        list += fmt::format("{}{} {}", list.empty() ? "" : ", ", x.preference, x.host);
    }
    r.fields["records"] = records;
    if (!a.exists) {
        r.text = fmt::format("{}: no such domain (NXDOMAIN)", domain);
        r.explain = "dns.answer.nxdomain";
        r.fields["rcode"] = "NXDOMAIN";
    } else if (a.implicit) {
        r.text = fmt::format("{}: no MX records; the domain's own address is its mail server "
                             "(implicit MX)",
                             domain);
        r.explain = "dns.answer.implicit_mx";
        r.fields["rcode"] = "NOERROR";
        r.fields["implicit"] = true;
    } else {
        r.text = fmt::format("{} MX {}", domain, list);
        r.explain = "dns.answer.mx";
        r.fields["rcode"] = "NOERROR";
    }
    t.append(std::move(r));
    return a;
}

}  // namespace maillab::world
