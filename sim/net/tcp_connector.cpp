#include "sim/net/tcp_connector.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <fmt/format.h>

#include "sim/net/tap.hpp"

namespace maillab {

namespace asio = boost::asio;
using asio::ip::tcp;

void tcp_connect(asio::io_context& io, trace& t, connect_spec spec, asio::ssl::context* tls,
                 tcp_connection::session_factory factory,
                 std::function<void(protocol_session&)> on_finished,
                 std::function<void(const std::string&)> on_failed) {
    if (spec.peer_host.empty()) spec.peer_host = fmt::format("{}:{}", spec.host, spec.port);
    auto resolver = std::make_shared<tcp::resolver>(io);
    auto socket = std::make_shared<tcp::socket>(io);
    auto shared_spec = std::make_shared<connect_spec>(std::move(spec));
    auto fail = [&t, shared_spec, on_failed](const std::string& why) {
        event e = tap::tcp("connect_failed",
                           fmt::format("cannot connect to {}: {}", shared_spec->peer_host, why),
                           "tcp");
        e.from = shared_spec->local_host;
        e.to = shared_spec->peer_host;
        e.fields["reason"] = why;
        t.append(std::move(e));
        if (on_failed) on_failed(why);
    };
    resolver->async_resolve(
        shared_spec->host, std::to_string(shared_spec->port),
        [&t, resolver, socket, shared_spec, tls, factory = std::move(factory),
         on_finished = std::move(on_finished), fail](
            const boost::system::error_code& ec, tcp::resolver::results_type results) mutable {
            if (ec) return fail(ec.message());
            asio::async_connect(
                *socket, results,
                [&t, socket, shared_spec, tls, factory = std::move(factory),
                 on_finished = std::move(on_finished), fail](
                    const boost::system::error_code& ec2, const tcp::endpoint&) mutable {
                    if (ec2) return fail(ec2.message());
                    auto tracer = std::make_unique<connection_tracer>(
                        t, t.new_connection_id(), shared_spec->proto, shared_spec->local_host,
                        shared_spec->peer_host);
                    auto connection = std::make_shared<tcp_connection>(
                        std::move(*socket), tls, shared_spec->tls, false, std::move(tracer),
                        std::move(factory));
                    connection->set_on_finished(std::move(on_finished));
                    connection->start();
                });
        });
}

}  // namespace maillab
