// Every limit of a live session (`maillab serve`, `maillab-gui --serve`), single server or
// scenario: what the engines enforce (server_limits) and what the transport enforces (idle
// timeouts, connection caps). Defaults are the RFCs' where an RFC names one; docs/security.md
// gives each its reason, option and test.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

#include "sim/core/server_limits.hpp"
#include "sim/net/connection_limits.hpp"

namespace maillab::world {

struct serve_limits {
    server_limits session;
    // RFC 5321 4.5.3.2.7: a server should wait at least 5 minutes for the next command;
    // 4.5.3.2.6: 10 minutes for the "." after the message text.
    std::chrono::milliseconds smtp_idle{std::chrono::minutes(5)};
    std::chrono::milliseconds smtp_data{std::chrono::minutes(10)};
    // RFC 1939 3: an autologout timer of at least 10 minutes.
    std::chrono::milliseconds pop3_idle{std::chrono::minutes(10)};
    // RFC 3501 5.4: at least 30 minutes of inactivity before an autologout.
    std::chrono::milliseconds imap_idle{std::chrono::minutes(30)};
    // The webmail's HTTP keep-alive connections: a browser reopens one when it needs it.
    std::chrono::milliseconds http_idle{std::chrono::minutes(2)};
    // A webmail login ends after this long without a request (OWASP's session guidance: a
    // short idle timeout for a shared class computer).
    std::chrono::milliseconds webmail_session{std::chrono::minutes(30)};
    // Connections open at once, across every listener of the session, and from one address.
    std::size_t max_connections = 500;
    std::size_t max_connections_per_address = 50;

    connection_timeouts timeouts_for(const std::string& proto) const {
        if (proto == "smtp") return {smtp_idle, smtp_data};
        if (proto == "pop3") return {pop3_idle, {}};
        if (proto == "imap") return {imap_idle, {}};
        return {http_idle, {}};
    }
};

}  // namespace maillab::world
