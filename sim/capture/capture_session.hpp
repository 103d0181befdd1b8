// The import without files: TCP packets in, in capture order, and out a trace like any other,
// its events in time order and numbered from 1. Frames are decoded and files read elsewhere
// (packet_decoder, pcap_reader, capture_import); this is what the tests drive with packets
// written by hand.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/capture/captured_connection.hpp"
#include "sim/capture/protocol_observer.hpp"
#include "sim/capture/tcp_reassembly.hpp"
#include "sim/core/trace.hpp"

namespace maillab::capture {

struct capture_summary {
    std::uint64_t connections = 0;
    std::map<std::string, std::uint64_t> by_protocol;  // "smtp" -> 2; "tcp" for unknown
    std::uint64_t tls_connections = 0;
    std::uint64_t lost_octets = 0;       // in gaps
    std::uint64_t duplicate_octets = 0;  // retransmitted or overlapping, delivered once
    std::uint64_t ignored_packets = 0;   // of no connection the capture shows
};

class capture_session {
public:
    // `header` goes into the trace's header (the clock is "real": capture times are).
    explicit capture_session(nlohmann::json header,
                             std::size_t max_buffered_per_stream = 4 * 1024 * 1024);
    ~capture_session();

    void add(const tcp_packet& p);
    // The end of the capture. The events sorted by time (events of one instant keep the order
    // they were written in), numbered 1, 2, ..., with every cause renumbered alike.
    std::vector<event> finish();

    const nlohmann::json& header() const { return trace_.header(); }
    capture_summary summary() const;

private:
    class collector final : public trace_listener {
    public:
        void on_event(const event& e) override { events.push_back(e); }
        std::vector<event> events;
    };

    void dispatch(std::vector<stream_event> events);

    capture_clock clock_;
    trace trace_;
    collector collected_;
    tcp_reassembler reassembler_;
    std::map<std::uint64_t, std::unique_ptr<captured_connection>> connections_;
};

}  // namespace maillab::capture
