// The scenario's DNS: MX records per mail domain, and every host name resolving to itself.
// A lookup is traced as two `dns` events, the query from the asking host and the answer to it,
// so students see the step that turns "bob@b.example" into "connect to mx1.b.example".
// RFC 5321 5.1: the MX records are tried in preference order, lowest first; a domain without MX
// records but with an address record of its own is its own mail exchanger ("implicit MX").
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "sim/core/trace.hpp"
#include "sim/world/scenario.hpp"

namespace maillab::world {

struct mx_answer {
    bool exists = false;               // false: NXDOMAIN, no such domain
    bool implicit = false;             // no MX records; the domain's own address is used
    std::vector<mx_record> exchangers;  // in the order to try
};

class dns_zone {
public:
    // `server_name`: the host that answers in the trace (the scenario's dns host, or "dns").
    dns_zone(std::map<std::string, std::vector<mx_record>> mx, std::set<std::string> host_names,
             std::string server_name);

    // Pure lookup, no trace.
    mx_answer lookup_mx(const std::string& domain) const;
    // The lookup as `asking_host` does it: query and answer events in the trace.
    mx_answer resolve_mx(trace& t, const std::string& asking_host, const std::string& domain,
                         std::optional<std::uint64_t> cause) const;

    const std::string& server_name() const { return server_name_; }

private:
    std::map<std::string, std::vector<mx_record>> mx_;
    std::set<std::string> hosts_;
    std::string server_name_;
};

}  // namespace maillab::world
