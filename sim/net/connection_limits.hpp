// Limits on real connections, enforced by the transport (sim/net), not the engines: how long a
// connection may stay silent, and how many may be open at once, in all and from one address.
// Over a cap the listener still accepts the socket, but gives it a refusal_session that says
// "too many connections" in the protocol's own words and closes, so a client learns why
// instead of hanging in the kernel's backlog. Nothing here spends a thread per connection:
// a silent connection costs one pending read and one timer.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <string>

#include "sim/core/session.hpp"
#include "sim/core/trace.hpp"

namespace maillab {

struct connection_timeouts {
    // No bytes from the peer for this long ends the connection (0: never). Output the server
    // sends (IMAP IDLE updates) does not count as activity.
    std::chrono::milliseconds idle{0};
    // While the engine receives a message text (SMTP DATA), instead of `idle`.
    std::chrono::milliseconds message_text{0};
};

// Counts open connections across every listener of one server. Thread-compatible: used from
// the io_context's one thread.
class connection_gate {
public:
    // 0 means no cap.
    connection_gate(std::size_t max_total, std::size_t max_per_address);

    // A place taken by one connection; destroying it (the connection ended) gives it back.
    using ticket = std::shared_ptr<void>;
    struct admission {
        ticket held;         // null when refused
        std::string reason;  // why refused: "too many connections (500 open, limit 500)"
    };
    admission admit(const std::string& address);

    std::size_t open_connections() const;
    std::size_t max_total() const;
    std::size_t max_per_address() const;

private:
    struct counts;
    std::shared_ptr<counts> counts_;  // shared with the tickets, which may outlive the gate
};

// What a server says before closing a connection it will not serve: SMTP 421 4.7.0 (RFC 5321
// 3.8), POP3 -ERR [SYS/TEMP] (RFC 2449 8.1.2), IMAP * BYE (RFC 3501 7.1.5), HTTP 503 with
// Retry-After (RFC 9110 15.6.4).
std::string refusal_text(const std::string& proto, const std::string& host,
                         const std::string& reason);

// A session that only says refusal_text() and asks to close. Over implicit TLS it runs after
// the handshake like any session, so an SMTPS client reads the 421 too.
class refusal_session final : public protocol_session {
public:
    refusal_session(std::string proto, std::string host, std::string reason,
                    connection_tracer& tracer);
    void start() override;
    void receive(std::string_view) override {}
    void tls_established(const tls_info&) override {}
    void connection_lost() override {}
    std::string take_output() override;
    bool wants_tls() const override { return false; }
    bool wants_close() const override { return started_; }

private:
    std::string proto_;
    std::string host_;
    std::string reason_;
    connection_tracer& tracer_;
    std::string out_;
    bool started_ = false;
};

}  // namespace maillab
