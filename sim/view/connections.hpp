// The connections of a trace, one entry each: who connected to whom, over which protocol and on
// which port. The topology, the side-by-side lanes and "follow one mail" all start from here.
//
// The port is read from the text of the TCP connect event ("... connects to mail.b.example
// (port 25 (smtp), in-memory link, 2 ms latency)", or a real socket's "connection
// 127.0.0.1:40000 -> 127.0.0.1:2525"): the trace has no separate port field, and the text is
// written in one place per transport (sim/world/world.cpp, sim/net/tcp_connection.cpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/view/trace_model.hpp"

namespace maillab::view {

struct port_ref {
    int number = 0;
    std::string name;  // "submission", "imap", ... ("" when the text gives only the number)
};

// The port of a connect event's text, if it names one.
std::optional<port_ref> port_in_connect_text(std::string_view text);

struct connection_info {
    std::uint64_t conn = 0;
    std::string client;  // the host that connected
    std::string server;  // the host it connected to
    std::string proto;   // "smtp", "pop3", "imap", "http"; "" when no protocol event was seen
    port_ref port;       // number 0 when the trace does not say
    std::size_t first_event = 0;               // index of its first event
    std::size_t last_event = 0;                // index of its last event
    std::optional<std::size_t> connect_event;  // the TCP connect, if traced
    bool failed = false;                       // the connect failed (no answer, refused)
};

// Every connection in order of first appearance.
std::vector<connection_info> list_connections(const trace_model& model);

// "SMTP 587", "IMAP 143", "HTTP 80"; without a known port just "SMTP".
std::string protocol_label(std::string_view proto, int port);

}  // namespace maillab::view
