// Binds a sans-I/O protocol session to an in-memory pipe end, with the tap: every chunk this end
// sends is traced as a `bytes` event, and connect/close as `tcp` events. With a TLS context the
// link also does TLS (memory_tls.hpp): STARTTLS when the session asks for it, or implicit TLS
// from the start (SMTPS, POP3S, IMAPS); the traced bytes are then the plaintext inside TLS.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <openssl/ssl.h>

#include "sim/core/session.hpp"
#include "sim/core/trace.hpp"
#include "sim/net/memory_pipe.hpp"
#include "sim/net/memory_tls.hpp"

namespace maillab {

class session_link {
public:
    session_link(pipe_endpoint& end, protocol_session& session, connection_tracer& tracer);
    ~session_link();
    session_link(const session_link&) = delete;
    session_link& operator=(const session_link&) = delete;

    // TLS becomes possible on this link (the context outlives the link).
    void enable_tls(SSL_CTX* context, bool server_side);
    // A scripted fault: this (server) end fails every TLS handshake, naming `reason`;
    // `applied` is called when it does (the world traces the rule then).
    void fail_tls(std::string reason, std::function<void()> applied = {}) {
        tls_fault_ = std::move(reason);
        tls_fault_applied_ = std::move(applied);
    }

    // Call on the connecting side: traces the connect and starts both directions.
    void trace_connect(std::string_view detail);
    void start();
    // Implicit TLS: the handshake first, then the session starts inside it.
    void start_with_tls();
    bool closed() const { return closed_; }
    // The program at this end stops (a server restart): the connection ends without a goodbye,
    // whatever the session was doing; `why` goes into the trace.
    void abort(std::string_view why);

    // When set, what the session sends passes through it before the tap and the wire see it:
    // a what-if branch (sim/world/what_if.hpp) changes or drops one client command here, once,
    // for every protocol. What it returns is what is traced and sent. Unset in normal runs.
    std::function<std::string(std::string)> rewrite_outgoing;

    // Called once, when this end is closed (by either side); the world uses it to know when a
    // conversation is over. It may not destroy the link.
    std::function<void()> on_closed;

private:
    void flush();
    void begin_tls(bool implicit);
    void receive_tls(std::string_view ciphertext);
    void tls_failed(const std::string& reason);
    void send_ciphertext();
    void close_here(std::string_view why);
    void mark_closed();

    pipe_endpoint& end_;
    protocol_session& session_;
    connection_tracer& tracer_;
    SSL_CTX* tls_context_ = nullptr;
    bool server_side_ = false;
    std::unique_ptr<memory_tls> tls_;
    bool implicit_ = false;
    std::optional<std::string> tls_fault_;
    std::function<void()> tls_fault_applied_;
    bool closed_ = false;
};

}  // namespace maillab
