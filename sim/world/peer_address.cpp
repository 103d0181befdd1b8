#include "sim/world/peer_address.hpp"

#include <charconv>
#include <stdexcept>

#include <fmt/format.h>

#include "sim/world/scenario.hpp"
#include "sim/world/scenario_loader.hpp"

namespace maillab::world {
namespace {

unsigned short parse_port(std::string_view text, const std::string& whole) {
    unsigned value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || value == 0 || value > 65535)
        throw std::invalid_argument(
            fmt::format("--peer {}: \"{}\" is not a port number (1-65535)", whole, text));
    return static_cast<unsigned short>(value);
}

}  // namespace

peer_rule parse_peer_rule(const std::string& text) {
    auto eq = text.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == text.size())
        throw std::invalid_argument(fmt::format(
            "--peer {}: expected HOST[:SERVICE]=ADDRESS[:PORT], e.g. mail.b.example=10.0.0.2:25",
            text));
    peer_rule rule;
    std::string left = text.substr(0, eq);
    std::string right = text.substr(eq + 1);
    if (auto colon = left.find(':'); colon != std::string::npos) {
        rule.host = left.substr(0, colon);
        rule.service = left.substr(colon + 1);
        if (!port_by_name(rule.service))
            throw std::invalid_argument(fmt::format(
                "--peer {}: \"{}\" is not a service (smtp, submission, smtps, pop3, pop3s, imap, "
                "imaps, http)",
                text, rule.service));
    } else {
        rule.host = left;
    }
    // An IPv6 address is written in brackets when a port follows: [fd00::2]:25.
    if (right.starts_with('[')) {
        auto close = right.find(']');
        if (close == std::string::npos)
            throw std::invalid_argument(fmt::format("--peer {}: \"[\" without \"]\"", text));
        rule.address = right.substr(1, close - 1);
        if (close + 1 < right.size()) {
            if (right[close + 1] != ':')
                throw std::invalid_argument(fmt::format("--peer {}: expected \":PORT\" after \"]\"", text));
            rule.port = parse_port(std::string_view(right).substr(close + 2), text);
        }
    } else if (auto colon = right.rfind(':'); colon != std::string::npos &&
                                              right.find(':') == colon) {
        rule.address = right.substr(0, colon);
        rule.port = parse_port(std::string_view(right).substr(colon + 1), text);
    } else {
        rule.address = right;
    }
    if (rule.host.empty() || rule.address.empty())
        throw std::invalid_argument(fmt::format(
            "--peer {}: expected HOST[:SERVICE]=ADDRESS[:PORT], e.g. mail.b.example=10.0.0.2:25",
            text));
    return rule;
}

peer_table::peer_table(const scenario& s, const std::vector<peer_rule>& rules) {
    for (const auto& h : s.hosts)
        if (!h.address.empty()) by_host_[h.name] = {h.name, "", h.address, std::nullopt};
    for (const auto& r : rules) {
        bool known = false;
        for (const auto& h : s.hosts) known |= h.name == r.host;
        if (!known) {
            std::string names;
            for (const auto& h : s.hosts) names += (names.empty() ? "" : ", ") + h.name;
            throw std::invalid_argument(fmt::format(
                "--peer: \"{}\" is not a host of the scenario (its hosts: {})", r.host, names));
        }
        if (r.service.empty()) by_host_[r.host] = r;
        else by_service_[r.host + ":" + r.service] = r;
    }
}

std::optional<remote_endpoint> peer_table::find(const std::string& host,
                                                const std::string& service) const {
    if (auto it = by_service_.find(host + ":" + service); it != by_service_.end()) {
        const peer_rule& r = it->second;
        return remote_endpoint{r.address, r.port.value_or(port_by_name(service)->number)};
    }
    if (auto it = by_host_.find(host); it != by_host_.end()) {
        const peer_rule& r = it->second;
        // A port given for the whole host is its SMTP port, the one other mail hosts use.
        unsigned short port = r.port && service == "smtp" ? *r.port : port_by_name(service)->number;
        return remote_endpoint{r.address, port};
    }
    return std::nullopt;
}

}  // namespace maillab::world
