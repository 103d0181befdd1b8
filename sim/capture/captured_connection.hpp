// One TCP connection of a capture turned into trace events, as `maillab serve` would have
// traced it had it been the server: the tcp connect and close, every chunk of bytes both ways,
// and the conversation read by the protocol's observer, once protocol_detection has recognised
// the protocol from the first bytes. When TLS starts (implicit, or after STARTTLS/STLS) the
// observer goes blind: the records are shown as encrypted bytes, and of the handshake what a
// network observer can read (version and cipher from the ServerHello, alerts in the clear).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sim/capture/protocol_detection.hpp"
#include "sim/capture/protocol_observer.hpp"
#include "sim/capture/tcp_reassembly.hpp"
#include "sim/capture/tls_records.hpp"
#include "sim/core/trace.hpp"

namespace maillab::capture {

class captured_connection {
public:
    // `open` is the reassembler's open event of this connection.
    captured_connection(trace& t, capture_clock& clock, const stream_event& open);
    ~captured_connection();

    // The connection's next stream event (anything but open).
    void add(const stream_event& e);

    // Known once the first bytes (or the end) decided it.
    std::optional<app_protocol> protocol() const;
    bool used_tls() const { return tls_ != tls_phase::none; }

private:
    enum class tls_phase { none, handshake, established, failed };

    void decide(bool final);
    void start(const detection& d);
    void process(const stream_event& e);
    void plain_bytes(direction d, const std::string& bytes);
    void tls_bytes(direction d, const std::string& bytes);
    void start_tls(std::string_view mode);
    void tls_established();
    void tls_failed(const std::string& reason);
    void ended();
    std::uint64_t from_side(direction d, event e);  // traced from the sender of that stream
    std::string host(direction sender) const;

    trace& trace_;
    capture_clock& clock_;
    std::uint64_t conn_;
    tcp_endpoint client_;
    tcp_endpoint server_;
    bool handshake_seen_;
    std::int64_t opened_at_;

    // Until the protocol is known: the events so far, and the first bytes of each side.
    std::vector<stream_event> pending_;
    std::string client_first_;
    std::string server_first_;
    std::optional<detection> detected_;

    std::unique_ptr<connection_tracer> tracer_;
    std::unique_ptr<protocol_observer> observer_;

    tls_phase tls_ = tls_phase::none;
    std::string tls_mode_;
    tls_record_reader tls_from_client_;
    tls_record_reader tls_from_server_;
    bool fin_seen_ = false;
    bool ended_ = false;
};

}  // namespace maillab::capture
