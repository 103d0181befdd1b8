// Where the hosts of a scenario that run on other machines are reached (issue #14: one world
// across a class network). `maillab serve SCENARIO --as HOST` runs one host here; a connection
// to any other host goes to the address a --peer option or the scenario's `address` key gives.
//
//   --peer mail.b.example=10.0.0.2          every service of the host at its standard port
//   --peer mail.b.example=10.0.0.2:2525     the host's SMTP (MX) service at that port
//   --peer mail.b.example:imap=10.0.0.2:1143   one service at an address and port
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace maillab::world {

struct scenario;

struct remote_endpoint {
    std::string address;  // an IP address or a name the machine resolves
    unsigned short port = 0;
};

struct peer_rule {
    std::string host;
    std::string service;  // empty: every service (a port then means the SMTP service)
    std::string address;
    std::optional<unsigned short> port;
};

// Parses "HOST[:SERVICE]=ADDRESS[:PORT]". Throws std::invalid_argument saying what is wrong.
peer_rule parse_peer_rule(const std::string& text);

// The peers of a scenario: --peer rules first, then the hosts' `address` keys.
class peer_table {
public:
    // Checks every rule's host and service against the scenario (std::invalid_argument).
    peer_table(const scenario& s, const std::vector<peer_rule>& rules);

    // Where to connect for `service` ("smtp", "imap", ...) of `host`; nullopt when the host
    // has no address here.
    std::optional<remote_endpoint> find(const std::string& host, const std::string& service) const;
    bool empty() const { return by_host_.empty() && by_service_.empty(); }

private:
    std::map<std::string, peer_rule> by_host_;     // host -> rule without a service
    std::map<std::string, peer_rule> by_service_;  // "host:service" -> rule
};

}  // namespace maillab::world
