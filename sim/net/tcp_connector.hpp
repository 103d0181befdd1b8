// Opens a real TCP connection to a server and runs a client protocol session over it (plain,
// STARTTLS when the session asks, or implicit TLS). Used by relays and user agents that talk to
// real servers, and by tests that drive `maillab serve` with maillab's own client.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>

#include "sim/core/trace.hpp"
#include "sim/net/tcp_connection.hpp"

namespace maillab {

struct connect_spec {
    std::string host;           // name or address to connect to
    unsigned short port = 0;
    std::string proto;          // "smtp"
    std::string local_host;     // this end's name in the trace ("ua.alice")
    std::string peer_host;      // the server's name in the trace (default host:port)
    tls_mode tls = tls_mode::none;
};

// Resolves and connects asynchronously. The connection keeps itself alive while it runs;
// `on_finished` gets the session when it has ended, `on_failed` the reason (also traced) when
// no connection could be made.
void tcp_connect(boost::asio::io_context& io, trace& t, connect_spec spec,
                 boost::asio::ssl::context* tls, tcp_connection::session_factory factory,
                 std::function<void(protocol_session&)> on_finished,
                 std::function<void(const std::string&)> on_failed);

}  // namespace maillab
