// Test helper: a TCP conversation written as a list of "who says what", turned into the
// packets a capture of it would hold (handshake, one segment per line of the script, FINs).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/capture/tcp_packet.hpp"

namespace maillab::test {

class tcp_conversation {
public:
    tcp_conversation(capture::tcp_endpoint client, capture::tcp_endpoint server,
                     std::int64_t start_us = 1736154000000000)
        : client_(std::move(client)), server_(std::move(server)), t_(start_us) {}

    tcp_conversation& handshake() {
        add(true, "", true, false);
        add(false, "", true, false);
        return *this;
    }
    tcp_conversation& client(std::string bytes) {
        add(true, std::move(bytes), false, false);
        return *this;
    }
    tcp_conversation& server(std::string bytes) {
        add(false, std::move(bytes), false, false);
        return *this;
    }
    // Octets of one side that the capture lost: the sequence numbers move on, no packet.
    tcp_conversation& lose(bool from_client, std::size_t octets) {
        (from_client ? c_next_ : s_next_) += static_cast<std::uint32_t>(octets);
        return *this;
    }
    tcp_conversation& close(bool client_first = true) {
        add(client_first, "", false, true);
        add(!client_first, "", false, true);
        return *this;
    }
    const std::vector<capture::tcp_packet>& packets() const { return packets_; }

private:
    void add(bool from_client, std::string payload, bool syn, bool fin) {
        capture::tcp_packet p;
        p.t_us = t_ += 1000;
        p.src = from_client ? client_ : server_;
        p.dst = from_client ? server_ : client_;
        std::uint32_t& next = from_client ? c_next_ : s_next_;
        p.seq = next;
        p.ack = from_client ? s_next_ : c_next_;
        p.syn = syn;
        p.fin = fin;
        p.ack_flag = !(syn && from_client);
        p.payload_length = static_cast<std::uint32_t>(payload.size());
        p.payload = std::move(payload);
        next += p.payload_length + (syn ? 1u : 0u) + (fin ? 1u : 0u);
        packets_.push_back(std::move(p));
    }

    capture::tcp_endpoint client_;
    capture::tcp_endpoint server_;
    std::int64_t t_;
    std::uint32_t c_next_ = 1000;
    std::uint32_t s_next_ = 90000;
    std::vector<capture::tcp_packet> packets_;
};

}  // namespace maillab::test
