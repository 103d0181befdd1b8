// One TCP segment as a capture shows it: what the reassembler takes (sim/capture/tcp_reassembly)
// and what the frame decoder makes (sim/capture/packet_decoder). A plain value, so tests can
// write packets by hand without a capture file.
#pragma once

#include <cstdint>
#include <string>

namespace maillab::capture {

struct tcp_endpoint {
    std::string address;  // "127.0.0.1", "::1"
    std::uint16_t port = 0;

    // "127.0.0.1:2525", written as maillab serve writes a real peer (tcp_listener.cpp).
    std::string to_string() const { return address + ":" + std::to_string(port); }
    bool operator==(const tcp_endpoint&) const = default;
    auto operator<=>(const tcp_endpoint&) const = default;
};

struct tcp_packet {
    std::int64_t t_us = 0;  // capture time, microseconds since the Unix epoch
    tcp_endpoint src;
    tcp_endpoint dst;
    std::uint32_t seq = 0;
    std::uint32_t ack = 0;
    bool syn = false;
    bool ack_flag = false;
    bool fin = false;
    bool rst = false;
    std::string payload;  // the bytes the capture holds
    // The segment's payload length on the wire: more than payload.size() when the capture's
    // snapshot length cut the packet short (those octets are then missing from the stream).
    std::uint32_t payload_length = 0;
};

}  // namespace maillab::capture
