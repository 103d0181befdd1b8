// One real TCP connection (Boost.Asio) running a sans-I/O protocol session, plain or TLS
// (implicit TLS from the start, or STARTTLS when the session asks). The tap traces connect,
// every chunk in and out, the TLS handshake, and close or reset. Single-threaded: all handlers
// run on one io_context thread, the same one that owns the trace.
#pragma once

#include <array>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>

#include "sim/core/session.hpp"
#include "sim/core/trace.hpp"
#include "sim/net/connection_limits.hpp"

namespace maillab {

enum class tls_mode { none, starttls, implicit };

class tcp_connection : public std::enable_shared_from_this<tcp_connection> {
public:
    using session_factory =
        std::function<std::unique_ptr<protocol_session>(connection_tracer&, bool tls_active)>;

    tcp_connection(boost::asio::ip::tcp::socket socket, boost::asio::ssl::context* tls,
                   tls_mode mode, bool server_side, std::unique_ptr<connection_tracer> tracer,
                   session_factory make_session);

    // Before start(): end the connection when the peer stays silent too long (server side).
    void set_timeouts(connection_timeouts timeouts) { timeouts_ = timeouts; }
    // Before start(): a place in the server's connection_gate, given back when this ends.
    void hold(connection_gate::ticket ticket) { ticket_ = std::move(ticket); }

    // Traces the connect, does the implicit-TLS handshake if any, starts the session.
    void start();
    // Ends the connection now (server shutdown).
    void stop();
    // The world changed: let the session push what it wants to (IMAP IDLE), and send it.
    void poke();
    bool finished() const { return finished_; }
    // Called once when the connection has ended, with the session still alive: the owner of a
    // client job reads its result here.
    void set_on_finished(std::function<void(protocol_session&)> fn) { on_finished_ = std::move(fn); }
    protocol_session* session() { return session_.get(); }

private:
    void begin_session();
    void read_more();
    void on_read(const boost::system::error_code& ec, std::size_t n);
    void flush();
    void write_next();
    void after_writes();
    void start_tls();
    void close_gracefully();
    void finish(std::string_view why, bool reset);
    void trace_bytes(bool incoming, std::string_view bytes);
    void trace_tcp(std::string_view action, std::string text, bool incoming);
    // Idle timeout: one timer per connection, re-armed only when it fires (or when the
    // deadline moves earlier), so a byte-a-minute client costs no wake-ups in between.
    std::chrono::steady_clock::time_point idle_deadline() const;
    void arm_idle_timer();
    void on_idle_timer(const boost::system::error_code& ec);
    void idle_timed_out();
    // After a failed login the engine asks for its reply to be held back.
    void hold_output(std::uint32_t delay_ms);

    boost::asio::ip::tcp::socket plain_;
    std::optional<boost::asio::ssl::stream<boost::asio::ip::tcp::socket>> tls_stream_;
    boost::asio::ssl::context* tls_;
    tls_mode mode_;
    bool server_side_;
    std::unique_ptr<connection_tracer> tracer_;
    session_factory make_session_;
    std::function<void(protocol_session&)> on_finished_;
    std::unique_ptr<protocol_session> session_;
    boost::asio::steady_timer close_timer_;
    connection_timeouts timeouts_;
    connection_gate::ticket ticket_;
    boost::asio::steady_timer idle_timer_;
    std::chrono::steady_clock::time_point last_input_;
    std::optional<std::uint64_t> inputs_seen_;  // the session's completed_inputs() then
    bool idle_timer_armed_ = false;
    bool close_after_writes_ = false;  // timed out: close once the goodbye is sent
    boost::asio::steady_timer delay_timer_;
    bool holding_output_ = false;

    std::array<char, 16 * 1024> read_buffer_{};
    std::deque<std::string> writes_;
    bool writing_ = false;
    bool reading_ = false;
    bool closing_ = false;
    bool finished_ = false;
    bool wrote_since_last_read_ = false;
};

}  // namespace maillab
