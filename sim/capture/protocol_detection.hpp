// Which protocol a captured connection speaks, from the server's port and from the first bytes
// each side sent. Content wins over the port (a lab server may listen anywhere): the mail
// protocols' servers speak first, and their greetings differ ("220 " SMTP, "+OK" POP3, "* OK"
// IMAP); an HTTP client speaks first with a request line. A TLS ClientHello first means
// implicit TLS (SMTPS, POP3S, IMAPS), and then only the port can tell which protocol is inside.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace maillab::capture {

enum class app_protocol { unknown, smtp, pop3, imap, http };
// "smtp", "pop3", "imap", "http", or "tcp" for unknown (the trace's proto field).
std::string_view to_string(app_protocol p);

struct port_use {
    app_protocol protocol = app_protocol::unknown;
    bool implicit_tls = false;
};
// The standard ports (25, 587, 465; 110, 995; 143, 993; 80, 8080) and maillab serve's defaults
// (2525, 4465; 1110, 9950; 1143, 9930).
std::optional<port_use> protocol_by_port(std::uint16_t port);

struct detection {
    app_protocol protocol = app_protocol::unknown;
    bool implicit_tls = false;
    std::string reason;  // for the trace: how it was recognised ("greeting \"220 \"", "port 25")
};

// `client_first` and `server_first` are what each side sent so far (either may be empty).
// Nothing while more bytes could still decide; with `final` (the connection ended, or enough
// was seen) always an answer, the port's or unknown.
std::optional<detection> detect_protocol(std::uint16_t server_port, std::string_view client_first,
                                         std::string_view server_first, bool final);

}  // namespace maillab::capture
