#include "sim/net/tcp_listener.hpp"

#include <fmt/format.h>

namespace maillab {

namespace asio = boost::asio;
using asio::ip::tcp;

tcp_listener::tcp_listener(asio::io_context& io, trace& t, listener_spec spec,
                           asio::ssl::context* tls, tcp_connection::session_factory factory)
    : io_(io), trace_(t), spec_(std::move(spec)), tls_(tls), factory_(std::move(factory)),
      acceptor_(io) {
    tcp::endpoint endpoint(asio::ip::make_address(spec_.bind_address), spec_.port);
    acceptor_.open(endpoint.protocol());
    acceptor_.set_option(tcp::acceptor::reuse_address(true));
    acceptor_.bind(endpoint);
    acceptor_.listen();
}

void tcp_listener::start() { accept_next(); }

void tcp_listener::accept_next() {
    acceptor_.async_accept([this](const boost::system::error_code& ec, tcp::socket socket) {
        if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
        if (!ec) {
            boost::system::error_code ignored;
            auto peer = socket.remote_endpoint(ignored);
            std::string peer_name =
                fmt::format("{}:{}", peer.address().to_string(), peer.port());
            auto tracer = std::make_unique<connection_tracer>(
                trace_, trace_.new_connection_id(), spec_.proto, spec_.local_host, peer_name);
            connection_gate::admission admission;
            if (gate_) admission = gate_->admit(peer.address().to_string());
            bool refused = gate_ && !admission.held;
            tcp_connection::session_factory factory = factory_;
            connection_timeouts timeouts = spec_.timeouts;
            if (refused) {
                factory = [proto = spec_.proto, host = spec_.local_host,
                           reason = admission.reason](connection_tracer& t, bool) {
                    return std::make_unique<refusal_session>(proto, host, reason, t);
                };
                // A refused connection gets little time: it must not become the cheap way
                // around the cap (a TLS handshake that never ends).
                timeouts.idle = std::chrono::seconds(10);
                timeouts.message_text = {};
            }
            auto connection = std::make_shared<tcp_connection>(
                std::move(socket), tls_, spec_.tls, true, std::move(tracer), factory);
            connection->set_timeouts(timeouts);
            if (!refused) connection->hold(std::move(admission.held));
            // Forget connections that ended, so a long class session does not grow this list.
            std::erase_if(connections_, [](const auto& w) { return w.expired(); });
            connections_.push_back(connection);
            connection->start();
        }
        accept_next();
    });
}

void tcp_listener::poke_all() {
    for (auto& weak : connections_)
        if (auto c = weak.lock()) c->poke();
}

void tcp_listener::stop() {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    for (auto& weak : connections_)
        if (auto c = weak.lock()) c->stop();
    connections_.clear();
}

}  // namespace maillab
