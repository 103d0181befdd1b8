#include "sim/view/connections.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <unordered_map>

#include "sim/core/event_fields.hpp"

namespace maillab::view {
namespace {

bool is_session_proto(std::string_view proto) {
    return proto == "smtp" || proto == "pop3" || proto == "imap" || proto == "http";
}

// A port name as the scenario spells it -> the protocol spoken there.
std::string proto_of_port_name(std::string_view name) {
    if (name == "smtp" || name == "submission" || name == "smtps") return "smtp";
    if (name == "imap" || name == "imaps") return "imap";
    if (name == "pop3" || name == "pop3s") return "pop3";
    if (name == "http") return "http";
    return {};
}

std::optional<int> digits_at(std::string_view text, std::size_t at, std::size_t* end) {
    std::size_t i = at;
    int value = 0;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])) && i - at < 6)
        value = value * 10 + (text[i++] - '0');
    if (i == at || value > 65535) return std::nullopt;
    *end = i;
    return value;
}

}  // namespace

std::optional<port_ref> port_in_connect_text(std::string_view text) {
    // Simulated links: "... port 25 (smtp) ..." or "... (port 143 (imap), in-memory link ...)".
    for (std::size_t at = text.find("port "); at != std::string_view::npos;
         at = text.find("port ", at + 1)) {
        std::size_t end = 0;
        auto number = digits_at(text, at + 5, &end);
        if (!number) continue;
        port_ref port{*number, {}};
        if (text.substr(end, 2) == " (") {
            std::size_t close = text.find(')', end + 2);
            if (close != std::string_view::npos)
                port.name = std::string(text.substr(end + 2, close - end - 2));
        }
        return port;
    }
    // Real sockets: "connection 127.0.0.1:40000 -> 127.0.0.1:2525": the server's port.
    std::size_t arrow = text.find("->");
    if (arrow == std::string_view::npos) return std::nullopt;
    std::size_t colon = text.rfind(':');
    if (colon == std::string_view::npos || colon < arrow) return std::nullopt;
    std::size_t end = 0;
    auto number = digits_at(text, colon + 1, &end);
    if (!number) return std::nullopt;
    return port_ref{*number, {}};
}

std::vector<connection_info> list_connections(const trace_model& model) {
    std::vector<connection_info> out;
    std::unordered_map<std::uint64_t, std::size_t> position;
    std::vector<bool> ends_known;
    for (std::size_t i = 0; i < model.size(); ++i) {
        const event& e = model.at(i);
        if (!e.conn) continue;
        auto [it, fresh] = position.try_emplace(e.conn, out.size());
        if (fresh) {
            out.push_back({});
            out.back().conn = e.conn;
            out.back().first_event = i;
            ends_known.push_back(false);
        }
        connection_info& c = out[it->second];
        c.last_event = i;
        if (e.kind == event_kind::tcp) {
            std::string action = text_field(e, "action");
            if (action == "connect" && !c.connect_event) {
                c.connect_event = i;
                if (auto port = port_in_connect_text(e.text)) c.port = *port;
                if (!e.from.empty() && !e.to.empty()) {
                    c.client = e.from;
                    c.server = e.to;
                    ends_known[it->second] = true;
                }
            } else if (action == "connect_failed") {
                c.failed = true;
            }
        }
        if (c.proto.empty() && is_session_proto(e.proto)) c.proto = e.proto;
        // Without a connect event, the first command or reply says which end is the client.
        if (!ends_known[it->second] && !e.from.empty() && !e.to.empty()) {
            bool from_server = e.kind == event_kind::reply;
            c.client = from_server ? e.to : e.from;
            c.server = from_server ? e.from : e.to;
            ends_known[it->second] = e.kind == event_kind::command || e.kind == event_kind::reply;
        }
    }
    for (auto& c : out)
        if (c.proto.empty()) c.proto = proto_of_port_name(c.port.name);
    return out;
}

std::string protocol_label(std::string_view proto, int port) {
    std::string name(proto);
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char ch) { return static_cast<char>(std::toupper(ch)); });
    if (name.empty()) name = "TCP";
    return port ? fmt::format("{} {}", name, port) : name;
}

}  // namespace maillab::view
