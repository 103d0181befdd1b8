// Accepts real TCP connections on one port and gives each a protocol session; keeps track of
// them so a shutdown can end them all. Over the server's connection caps (connection_gate) a
// connection gets a polite refusal instead of a session.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "sim/net/tcp_connection.hpp"

namespace maillab {

struct listener_spec {
    std::string name;       // "smtp", "smtps": for messages
    std::string proto;      // protocol of the sessions ("smtp")
    std::string bind_address;
    unsigned short port = 0;
    tls_mode tls = tls_mode::none;
    std::string local_host;  // host name shown in the trace for this server
    connection_timeouts timeouts;  // for every accepted connection
};

class tcp_listener {
public:
    // Throws boost::system::system_error when the address cannot be bound.
    tcp_listener(boost::asio::io_context& io, trace& t, listener_spec spec,
                 boost::asio::ssl::context* tls, tcp_connection::session_factory factory);

    // Before start(): count connections in `gate` (shared by a server's listeners); over its
    // caps a connection is answered with refusal_text() and closed.
    void set_gate(std::shared_ptr<connection_gate> gate) { gate_ = std::move(gate); }

    void start();
    void stop();
    // Tells every live connection that the world changed (see tcp_connection::poke).
    void poke_all();
    unsigned short port() const { return acceptor_.local_endpoint().port(); }
    const listener_spec& spec() const { return spec_; }

private:
    void accept_next();

    boost::asio::io_context& io_;
    trace& trace_;
    listener_spec spec_;
    boost::asio::ssl::context* tls_;
    tcp_connection::session_factory factory_;
    boost::asio::ip::tcp::acceptor acceptor_;
    std::vector<std::weak_ptr<tcp_connection>> connections_;
    std::shared_ptr<connection_gate> gate_;
};

}  // namespace maillab
