#include "sim/capture/capture_session.hpp"

#include <algorithm>

#include "sim/capture/protocol_detection.hpp"

namespace maillab::capture {
namespace {

tcp_reassembler::options reassembly_options(std::size_t max_buffered) {
    tcp_reassembler::options o;
    o.max_buffered_per_stream = max_buffered;
    // A connection caught mid-way: the side on a mail or web port is the server.
    o.is_server_port = [](std::uint16_t port) { return protocol_by_port(port).has_value(); };
    return o;
}

}  // namespace

capture_session::capture_session(nlohmann::json header, std::size_t max_buffered_per_stream)
    : trace_(clock_, std::move(header)), reassembler_(reassembly_options(max_buffered_per_stream)) {
    trace_.set_retain(false);
    trace_.subscribe(collected_);
}

capture_session::~capture_session() = default;

void capture_session::add(const tcp_packet& p) { dispatch(reassembler_.add(p)); }

void capture_session::dispatch(std::vector<stream_event> events) {
    for (auto& e : events) {
        if (e.type == stream_event::kind::open) {
            connections_.emplace(e.connection,
                                 std::make_unique<captured_connection>(trace_, clock_, e));
            continue;
        }
        auto it = connections_.find(e.connection);
        if (it != connections_.end()) it->second->add(e);
    }
}

std::vector<event> capture_session::finish() {
    dispatch(reassembler_.finish());
    std::vector<event> events = std::move(collected_.events);
    collected_.events.clear();
    // Events were written connection by connection, some after the fact (an IMAP state change
    // once its tagged answer came): time order makes one story of them.
    std::stable_sort(events.begin(), events.end(),
                     [](const event& a, const event& b) { return a.t_us < b.t_us; });
    std::vector<std::uint64_t> renumbered(events.size() + 1, 0);
    for (std::size_t i = 0; i < events.size(); ++i) {
        if (events[i].seq < renumbered.size()) renumbered[events[i].seq] = i + 1;
    }
    for (std::size_t i = 0; i < events.size(); ++i) {
        events[i].seq = i + 1;
        if (events[i].cause && *events[i].cause < renumbered.size())
            events[i].cause = renumbered[*events[i].cause];
    }
    return events;
}

capture_summary capture_session::summary() const {
    capture_summary s;
    const auto& r = reassembler_.stats();
    s.connections = r.connections;
    s.lost_octets = r.lost_octets;
    s.duplicate_octets = r.duplicate_octets;
    s.ignored_packets = r.ignored_packets;
    for (const auto& [id, c] : connections_) {
        if (auto p = c->protocol()) ++s.by_protocol[std::string(to_string(*p))];
        if (c->used_tls()) ++s.tls_connections;
    }
    return s;
}

}  // namespace maillab::capture
