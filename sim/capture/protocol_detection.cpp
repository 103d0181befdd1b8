#include "sim/capture/protocol_detection.hpp"

#include <array>
#include <cctype>

#include <fmt/format.h>

#include "sim/core/bytes.hpp"

namespace maillab::capture {
namespace {

// More than this from one side without a line end: it is not a line protocol's first line.
constexpr std::size_t max_first_line = 4096;

struct known_port {
    std::uint16_t port;
    app_protocol protocol;
    bool implicit_tls;
};
constexpr std::array<known_port, 16> known_ports{{
    {25, app_protocol::smtp, false},   {587, app_protocol::smtp, false},
    {465, app_protocol::smtp, true},   {2525, app_protocol::smtp, false},
    {4465, app_protocol::smtp, true},  {110, app_protocol::pop3, false},
    {995, app_protocol::pop3, true},   {1110, app_protocol::pop3, false},
    {9950, app_protocol::pop3, true},  {143, app_protocol::imap, false},
    {993, app_protocol::imap, true},   {1143, app_protocol::imap, false},
    {9930, app_protocol::imap, true},  {80, app_protocol::http, false},
    {8080, app_protocol::http, false}, {8000, app_protocol::http, false},
}};

// RFC 8446 5.1: a handshake record (22) of TLS 1.0 to 1.3 on the wire (03 01 .. 03 04; a
// ClientHello's record often says 03 01 for compatibility).
bool looks_like_tls(std::string_view b) {
    return b.size() >= 3 && static_cast<unsigned char>(b[0]) == 22 &&
           static_cast<unsigned char>(b[1]) == 3 && static_cast<unsigned char>(b[2]) <= 4;
}

std::optional<std::string_view> first_line(std::string_view b) {
    auto lf = b.find('\n');
    if (lf == std::string_view::npos) return std::nullopt;
    std::string_view line = b.substr(0, lf);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    return line;
}

bool starts_with(std::string_view s, std::string_view prefix) {
    return s.substr(0, prefix.size()) == prefix;
}

std::optional<app_protocol> by_server_line(std::string_view line) {
    // RFC 5321 4.2: "220 " or "220-" (a multi-line greeting), or "554" when it refuses.
    if (starts_with(line, "220 ") || starts_with(line, "220-") || line == "220" ||
        starts_with(line, "554 "))
        return app_protocol::smtp;
    if (starts_with(line, "+OK") || starts_with(line, "-ERR")) return app_protocol::pop3;  // RFC 1939 4
    if (starts_with(line, "* OK") || starts_with(line, "* PREAUTH") || starts_with(line, "* BYE"))
        return app_protocol::imap;  // RFC 3501 7.1
    if (starts_with(line, "HTTP/1.")) return app_protocol::http;
    return std::nullopt;
}

// RFC 9112 3: method SP request-target SP HTTP-version.
bool is_request_line(std::string_view line) {
    auto first_space = line.find(' ');
    auto last_space = line.rfind(' ');
    if (first_space == std::string_view::npos || first_space == 0 || last_space == first_space)
        return false;
    for (char c : line.substr(0, first_space))
        if (!std::isupper(static_cast<unsigned char>(c))) return false;
    return starts_with(line.substr(last_space + 1), "HTTP/1.");
}

}  // namespace

std::string_view to_string(app_protocol p) {
    switch (p) {
        case app_protocol::smtp: return "smtp";
        case app_protocol::pop3: return "pop3";
        case app_protocol::imap: return "imap";
        case app_protocol::http: return "http";
        case app_protocol::unknown: return "tcp";
    }
    return "tcp";
}

std::optional<port_use> protocol_by_port(std::uint16_t port) {
    for (const auto& k : known_ports)
        if (k.port == port) return port_use{k.protocol, k.implicit_tls};
    return std::nullopt;
}

std::optional<detection> detect_protocol(std::uint16_t server_port, std::string_view client_first,
                                         std::string_view server_first, bool final) {
    auto port = protocol_by_port(server_port);
    auto by_port = [&](std::string why) {
        if (!port) return detection{app_protocol::unknown, false, why + fmt::format(
                                        "; port {} is not a known one", server_port)};
        return detection{port->protocol, port->implicit_tls,
                         why + fmt::format("; port {}", server_port)};
    };
    if (looks_like_tls(client_first) || looks_like_tls(server_first)) {
        detection d = by_port("a TLS handshake from the start (implicit TLS)");
        d.implicit_tls = true;
        return d;
    }
    if (auto line = first_line(server_first)) {
        if (auto p = by_server_line(*line))
            return detection{*p, false, fmt::format("the server's first line \"{}\"",
                                                    visible_bytes(line->substr(0, 40)))};
    }
    if (auto line = first_line(client_first)) {
        if (is_request_line(*line))
            return detection{app_protocol::http, false,
                             fmt::format("the request line \"{}\"",
                                         visible_bytes(line->substr(0, 60)))};
    }
    bool undecidable = first_line(server_first) || first_line(client_first) ||
                       server_first.size() > max_first_line ||
                       client_first.size() > max_first_line;
    if (undecidable || final) {
        if (port && !port->implicit_tls) return by_port("first bytes not recognised");
        // An implicit-TLS port whose first bytes are no TLS: the port cannot be trusted.
        if (port) return detection{app_protocol::unknown, false,
                                   fmt::format("port {} is for TLS but the bytes are not",
                                               server_port)};
        return by_port("first bytes not recognised");
    }
    return std::nullopt;
}

}  // namespace maillab::capture
