#include "sim/net/session_link.hpp"

#include <fmt/format.h>

#include "sim/net/tap.hpp"

namespace maillab {

session_link::session_link(pipe_endpoint& end, protocol_session& session,
                           connection_tracer& tracer)
    : end_(end), session_(session), tracer_(tracer) {
    session_.set_wake([this] { flush(); });
    end_.on_receive = [this](std::string_view bytes) {
        if (closed_) return;
        if (tls_) return receive_tls(bytes);
        session_.receive(bytes);
        flush();
    };
    end_.on_close = [this] {
        if (closed_) return;
        closed_ = true;
        // The peer's own close is already traced by its end. What this end adds is its answer:
        // it closes its side too (the second FIN of a TCP close), so each end traces only what
        // it does itself and no close appears twice.
        event e = tap::tcp("close",
                           fmt::format("{} closes its side too ({} closed first)",
                                       tracer_.local_host(), tracer_.peer_host()),
                           "memory");
        e.fields["by"] = tracer_.local_host();
        e.fields["answering"] = tracer_.peer_host();
        tracer_.outgoing(std::move(e));
        if (tls_ && !tls_->established())
            tracer_.local(tap::tls("failed", "TLS handshake failed: the peer closed the connection",
                                   {{"reason", "connection closed during the handshake"}}));
        session_.connection_lost();
        mark_closed();
    };
}

session_link::~session_link() = default;

void session_link::enable_tls(SSL_CTX* context, bool server_side) {
    tls_context_ = context;
    server_side_ = server_side;
}

void session_link::trace_connect(std::string_view detail) {
    tracer_.outgoing(tap::tcp("connect",
                              fmt::format("{} connects to {} ({})", tracer_.local_host(),
                                          tracer_.peer_host(), detail),
                              "memory"));
}

void session_link::start() {
    session_.start();
    flush();
}

void session_link::start_with_tls() { begin_tls(true); }

void session_link::begin_tls(bool implicit) {
    implicit_ = implicit;
    if (!tls_context_) {
        tracer_.local(tap::tls("failed", "this host offers no TLS; closing",
                               {{"reason", "no TLS configured on this link"}}));
        return close_here("TLS requested but not available");
    }
    tracer_.local(tap::tls("handshake_start", "TLS handshake starts",
                           {{"mode", implicit ? "implicit" : "starttls"}}));
    tls_ = std::make_unique<memory_tls>(tls_context_, server_side_);
    tls_->start();
    send_ciphertext();
}

void session_link::receive_tls(std::string_view ciphertext) {
    if (tls_fault_ && !tls_->established()) {
        // The scripted fault answers the ClientHello with a handshake_failure alert's effect:
        // the handshake ends here and the connection closes.
        if (tls_fault_applied_) tls_fault_applied_();
        return tls_failed(*tls_fault_);
    }
    bool was_established = tls_->established();
    tls_->feed(ciphertext);
    send_ciphertext();
    if (tls_->failed()) return tls_failed(tls_->error());
    if (!was_established && tls_->established()) {
        tls_info info = tls_->info();
        tracer_.local(tap::tls("established",
                               fmt::format("TLS established: {} {}", info.version, info.cipher),
                               {{"version", info.version},
                                {"cipher", info.cipher},
                                {"mode", implicit_ ? "implicit" : "starttls"}}));
        tracer_.set_inside_tls(true);
        tracer_.note("net.tls.visible",
                     "from here on a network observer sees only encrypted records; maillab shows "
                     "the plaintext because it is an endpoint",
                     {}, std::nullopt);
        if (implicit_) session_.start();
        else session_.tls_established(info);
        flush();
    }
    std::string plaintext = tls_->take_plaintext();
    if (!plaintext.empty() && !closed_) {
        session_.receive(plaintext);
        flush();
    }
}

void session_link::tls_failed(const std::string& reason) {
    tracer_.local(tap::tls("failed", "TLS handshake failed: " + reason, {{"reason", reason}}));
    close_here("TLS handshake failed");
    session_.connection_lost();
}

void session_link::send_ciphertext() {
    if (!tls_ || closed_) return;
    std::string records = tls_->take_ciphertext();
    if (!records.empty()) end_.send(std::move(records));
}

void session_link::flush() {
    if (closed_) return;
    std::string out = session_.take_output();
    if (!out.empty() && rewrite_outgoing) out = rewrite_outgoing(std::move(out));
    if (!out.empty()) {
        tracer_.outgoing(tap::bytes(out));
        if (tls_ && tls_->established()) {
            tls_->write(out);
            send_ciphertext();
        } else {
            end_.send(std::move(out));
        }
    }
    if (session_.wants_tls() && !tls_) return begin_tls(false);
    if (session_.wants_close()) close_here("");
}

void session_link::close_here(std::string_view why) {
    if (closed_) return;
    closed_ = true;
    event e = tap::tcp("close",
                       why.empty() ? "connection closed by " + tracer_.local_host()
                                   : fmt::format("connection closed by {}: {}", tracer_.local_host(), why),
                       "memory");
    e.fields["by"] = tracer_.local_host();
    tracer_.outgoing(std::move(e));
    end_.close();
    mark_closed();
}

void session_link::abort(std::string_view why) {
    if (closed_) return;
    close_here(why);
    session_.connection_lost();
}

void session_link::mark_closed() {
    if (on_closed) on_closed();
}

}  // namespace maillab
