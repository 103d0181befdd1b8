#include "sim/net/tcp_connection.hpp"

#include <openssl/ssl.h>

#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/write.hpp>
#include <fmt/format.h>

#include "sim/net/tap.hpp"

namespace maillab {

namespace asio = boost::asio;
using asio::ip::tcp;

tcp_connection::tcp_connection(tcp::socket socket, asio::ssl::context* tls, tls_mode mode,
                               bool server_side, std::unique_ptr<connection_tracer> tracer,
                               session_factory make_session)
    : plain_(std::move(socket)),
      tls_(tls),
      mode_(tls ? mode : tls_mode::none),
      server_side_(server_side),
      tracer_(std::move(tracer)),
      make_session_(std::move(make_session)),
      close_timer_(plain_.get_executor()),
      idle_timer_(plain_.get_executor()),
      delay_timer_(plain_.get_executor()) {}

void tcp_connection::trace_tcp(std::string_view action, std::string text, bool incoming) {
    event e = tap::tcp(action, std::move(text), "tcp");
    if (incoming) tracer_->incoming(std::move(e));
    else tracer_->outgoing(std::move(e));
}

void tcp_connection::trace_bytes(bool incoming, std::string_view bytes) {
    event e = tap::bytes(bytes);
    if (incoming) tracer_->incoming(std::move(e));
    else tracer_->outgoing(std::move(e));
}

void tcp_connection::start() {
    boost::system::error_code ec;
    auto peer = plain_.remote_endpoint(ec);
    auto local = plain_.local_endpoint(ec);
    auto from = server_side_ ? peer : local;
    auto to = server_side_ ? local : peer;
    std::string client = fmt::format("{}:{}", from.address().to_string(), from.port());
    std::string server = fmt::format("{}:{}", to.address().to_string(), to.port());
    event e = tap::tcp("connect", fmt::format("connection {} -> {}", client, server), "tcp");
    // Both ends by address: the class network's merged view recognises a relay's connection
    // from one machine in the other machine's trace by them (sim/record/trace_merge).
    e.fields["client"] = client;
    e.fields["server"] = server;
    if (server_side_) tracer_->incoming(std::move(e));
    else tracer_->outgoing(std::move(e));
    last_input_ = std::chrono::steady_clock::now();
    arm_idle_timer();
    if (mode_ == tls_mode::implicit) {
        start_tls();
        return;
    }
    begin_session();
}

void tcp_connection::begin_session() {
    session_ = make_session_(*tracer_, tls_stream_.has_value());
    // A late answer (the webmail's HTTP response after its IMAP leg) is sent from a fresh
    // handler, never from inside the session's own call.
    std::weak_ptr<tcp_connection> weak = shared_from_this();
    auto executor = tls_stream_ ? tls_stream_->get_executor() : plain_.get_executor();
    session_->set_wake([weak, executor] {
        asio::post(executor, [weak] {
            auto self = weak.lock();
            if (!self || self->finished_) return;
            self->flush();
            self->read_more();
        });
    });
    session_->start();
    flush();
    read_more();
}

void tcp_connection::read_more() {
    if (reading_ || closing_ || finished_ || !session_ || holding_output_) return;
    if (session_->wants_tls() || session_->wants_close()) return;
    reading_ = true;
    auto self = shared_from_this();
    auto handler = [self](const boost::system::error_code& ec, std::size_t n) {
        self->on_read(ec, n);
    };
    if (tls_stream_) tls_stream_->async_read_some(asio::buffer(read_buffer_), handler);
    else plain_.async_read_some(asio::buffer(read_buffer_), handler);
}

void tcp_connection::on_read(const boost::system::error_code& ec, std::size_t n) {
    reading_ = false;
    if (finished_) return;
    if (n > 0) {
        std::string_view bytes(read_buffer_.data(), n);
        trace_bytes(true, bytes);
        wrote_since_last_read_ = false;
        session_->receive(bytes);
        // Progress, not bytes, keeps a connection alive (see completed_inputs()).
        auto inputs = session_->completed_inputs();
        if (!inputs || inputs != inputs_seen_) last_input_ = std::chrono::steady_clock::now();
        inputs_seen_ = inputs;
        if (std::uint32_t delay = session_->take_output_delay_ms()) {
            hold_output(delay);
            return;
        }
        flush();
        arm_idle_timer();  // the engine may have entered DATA, whose timeout differs
    }
    if (ec) {
        bool reset = ec == asio::error::connection_reset;
        if (ec == asio::error::operation_aborted) return;
        if (reset && wrote_since_last_read_)
            tracer_->note(tracer_->proto() + ".note.replies_unread",
                          "the client closed without reading the replies (its kernel answered "
                          "them with a TCP reset)",
                          {}, std::nullopt);
        finish(reset ? "connection reset by peer" : "connection closed by peer", reset);
        return;
    }
    read_more();
}

void tcp_connection::flush() {
    if (!session_ || holding_output_) return;
    std::string out = session_->take_output();
    if (!out.empty()) {
        trace_bytes(false, out);
        wrote_since_last_read_ = true;
        writes_.push_back(std::move(out));
    }
    if (!writing_) write_next();
}

void tcp_connection::write_next() {
    if (finished_) return;
    if (writes_.empty()) {
        after_writes();
        return;
    }
    writing_ = true;
    auto self = shared_from_this();
    auto handler = [self](const boost::system::error_code& ec, std::size_t) {
        self->writing_ = false;
        if (self->finished_) return;
        self->writes_.pop_front();
        if (ec) {
            if (ec == asio::error::broken_pipe || ec == asio::error::connection_reset)
                self->tracer_->note(self->tracer_->proto() + ".note.replies_unread",
                                    "the client closed without reading the replies", {},
                                    std::nullopt);
            self->finish(fmt::format("write failed: {}", ec.message()), true);
            return;
        }
        self->write_next();
    };
    if (tls_stream_) asio::async_write(*tls_stream_, asio::buffer(writes_.front()), handler);
    else asio::async_write(plain_, asio::buffer(writes_.front()), handler);
}

// Everything the session produced is on the wire: now it may switch to TLS or close.
void tcp_connection::after_writes() {
    if (!session_ || closing_) return;
    if (session_->wants_tls()) {
        if (!reading_) start_tls();
        return;
    }
    if (session_->wants_close() || close_after_writes_) {
        close_gracefully();
        return;
    }
    read_more();
}

void tcp_connection::hold_output(std::uint32_t delay_ms) {
    holding_output_ = true;
    tracer_->note("net.note.reply_delayed",
                  fmt::format("after a failed login the server holds its reply back {} ms, so "
                              "guessing passwords is slow",
                              delay_ms),
                  {{"delay_ms", delay_ms}}, std::nullopt);
    auto self = shared_from_this();
    delay_timer_.expires_after(std::chrono::milliseconds(delay_ms));
    delay_timer_.async_wait([self](const boost::system::error_code& ec) {
        self->holding_output_ = false;
        if (ec || self->finished_) return;
        self->flush();
        self->read_more();
    });
}

std::chrono::steady_clock::time_point tcp_connection::idle_deadline() const {
    bool text = session_ && session_->receiving_message_text() &&
                timeouts_.message_text.count() > 0;
    return last_input_ + (text ? timeouts_.message_text : timeouts_.idle);
}

void tcp_connection::arm_idle_timer() {
    if (timeouts_.idle.count() == 0 || finished_ || closing_) return;
    auto deadline = idle_deadline();
    // A pending wait that ends no later than needed is left alone: it re-checks when it fires.
    if (idle_timer_armed_ && idle_timer_.expiry() <= deadline) return;
    idle_timer_armed_ = true;
    idle_timer_.expires_at(deadline);
    auto self = shared_from_this();
    idle_timer_.async_wait([self](const boost::system::error_code& ec) { self->on_idle_timer(ec); });
}

void tcp_connection::on_idle_timer(const boost::system::error_code& ec) {
    if (ec == asio::error::operation_aborted) return;  // re-armed earlier, or stopped
    idle_timer_armed_ = false;
    if (finished_ || closing_) return;
    if (std::chrono::steady_clock::now() < idle_deadline()) {
        arm_idle_timer();  // input came meanwhile: wait for the rest of the new period
        return;
    }
    idle_timed_out();
}

void tcp_connection::idle_timed_out() {
    auto limit = std::chrono::duration_cast<std::chrono::milliseconds>(
        session_ && session_->receiving_message_text() && timeouts_.message_text.count() > 0
            ? timeouts_.message_text
            : timeouts_.idle);
    tracer_->note("net.note.idle_timeout",
                  fmt::format("nothing from the client for {:.3g} s: the server ends the "
                              "connection",
                              limit.count() / 1000.0),
                  {{"timeout_ms", limit.count()}}, std::nullopt);
    if (!session_ || writing_) {
        // Still in the TLS handshake, or the client does not even read what was sent.
        trace_tcp("close", "connection closed: idle timeout", false);
        closing_ = true;
        finish("", false);
        return;
    }
    session_->idle_timeout();
    close_after_writes_ = true;
    // The goodbye gets a few seconds to leave; then the socket is closed regardless.
    auto self = shared_from_this();
    close_timer_.expires_after(std::chrono::seconds(5));
    close_timer_.async_wait([self](const boost::system::error_code& ec) {
        if (!ec) self->finish("", false);
    });
    flush();
}

void tcp_connection::start_tls() {
    if (!tls_) {
        finish("TLS requested but not configured", false);
        return;
    }
    tracer_->local(tap::tls("handshake_start", "TLS handshake starts",
                            {{"mode", mode_ == tls_mode::implicit ? "implicit" : "starttls"}}));

    tls_stream_.emplace(std::move(plain_), *tls_);
    auto self = shared_from_this();
    tls_stream_->async_handshake(
        server_side_ ? asio::ssl::stream_base::server : asio::ssl::stream_base::client,
        [self](const boost::system::error_code& ec) {
            if (self->finished_) return;
            if (ec) {
                self->tracer_->local(tap::tls("failed", "TLS handshake failed: " + ec.message(),
                                              {{"reason", ec.message()}}));
                self->trace_tcp("close", "connection closed: TLS handshake failed", false);
                self->closing_ = true;
                self->finish("", false);
                return;
            }
            SSL* ssl = self->tls_stream_->native_handle();
            tls_info info{SSL_get_version(ssl), SSL_CIPHER_get_name(SSL_get_current_cipher(ssl))};
            self->tracer_->local(
                tap::tls("established",
                         fmt::format("TLS established: {} {}", info.version, info.cipher),
                         {{"version", info.version}, {"cipher", info.cipher}}));
            self->tracer_->set_inside_tls(true);
            self->tracer_->note("net.tls.visible",
                                "from here on a network observer sees only encrypted records; "
                                "maillab shows the plaintext because it is an endpoint",
                                {}, std::nullopt);
            if (!self->session_) {
                self->begin_session();
                return;
            }
            self->session_->tls_established(info);
            self->flush();
        });
}

void tcp_connection::close_gracefully() {
    if (closing_) return;
    closing_ = true;
    trace_tcp("close",
              "connection closed by " + tracer_->local_host(), false);
    auto self = shared_from_this();
    if (tls_stream_) {
        // Send close_notify, but do not wait long for the peer's.
        close_timer_.expires_after(std::chrono::seconds(2));
        close_timer_.async_wait([self](const boost::system::error_code&) {
            self->finish("", false);
        });
        tls_stream_->async_shutdown([self](const boost::system::error_code&) {
            self->finish("", false);
        });
        return;
    }
    finish("", false);
}

void tcp_connection::poke() {
    if (finished_ || closing_ || !session_) return;
    session_->world_changed();
    flush();
}

void tcp_connection::stop() {
    if (finished_) return;
    if (!closing_) trace_tcp("close", "connection closed: server shutting down", false);
    closing_ = true;
    finish("", false);
}

void tcp_connection::finish(std::string_view why, bool reset) {
    if (finished_) return;
    finished_ = true;
    if (!why.empty() && !closing_) trace_tcp(reset ? "reset" : "close", std::string(why), true);
    close_timer_.cancel();
    idle_timer_.cancel();
    delay_timer_.cancel();
    ticket_.reset();
    boost::system::error_code ec;
    auto& sock = tls_stream_ ? tls_stream_->next_layer() : plain_;
    sock.shutdown(tcp::socket::shutdown_both, ec);
    sock.close(ec);
    if (session_) session_->connection_lost();
    if (session_ && on_finished_) on_finished_(*session_);
}

}  // namespace maillab
