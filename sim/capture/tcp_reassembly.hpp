// Follows every TCP connection of a capture: which side is the client, the two byte streams put
// back in order (tcp_stream), and how the connection began and ended (SYN, FIN, RST). Sans-I/O:
// packets in, in capture order; stream events out, in the order they become known. Testable
// with packets written by hand.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "sim/capture/tcp_packet.hpp"
#include "sim/capture/tcp_stream.hpp"

namespace maillab::capture {

enum class direction {
    to_server,  // the client's stream
    to_client,  // the server's stream
};
std::string_view to_string(direction d);

struct stream_event {
    enum class kind {
        open,        // a connection starts: client, server, handshake_seen
        data,        // the next octets of one direction's stream
        gap,         // octets of one direction the capture does not have
        fin,         // one direction ended (FIN), after all its octets
        reset,       // a RST from `dir`'s sender: the connection is gone
        refused,     // the server answered the SYN with a RST: there was no connection
        unfinished,  // the capture shows no end for the connection (it ended first, or the
                     // ports were used again by a new SYN)
    } type = kind::data;
    std::uint64_t connection = 0;             // 1, 2, ... in the order connections appear
    direction dir = direction::to_server;     // data, gap: whose stream; fin, reset: who sent it
    std::int64_t t_us = 0;                    // the packet that made it known
    std::string bytes;                        // data
    std::uint64_t lost = 0;                   // gap: octets
    tcp_endpoint client;                      // open
    tcp_endpoint server;                      // open
    bool handshake_seen = false;              // open: the SYN or SYN-ACK is in the capture
};

class tcp_reassembler {
public:
    struct options {
        // Octets one direction may keep waiting behind a hole before the hole is given up.
        std::size_t max_buffered_per_stream = 4 * 1024 * 1024;
        // For a connection whose SYN is not in the capture and whose endpoints served no
        // earlier connection: whether a port is a server's. When neither or both ports are,
        // the lower one is taken for the server's (clients use high ephemeral ports).
        std::function<bool(std::uint16_t)> is_server_port;
    };
    tcp_reassembler();
    explicit tcp_reassembler(options o);

    std::vector<stream_event> add(const tcp_packet& p);
    // The end of the capture: every connection still open delivers what it has, then
    // `unfinished`, at the time of the last packet.
    std::vector<stream_event> finish();

    struct counters {
        std::uint64_t connections = 0;
        std::uint64_t ignored_packets = 0;  // no payload, no SYN, of no connection seen
        std::uint64_t duplicate_octets = 0;
        std::uint64_t lost_octets = 0;
    };
    const counters& stats() const { return stats_; }

private:
    struct connection {
        std::uint64_t id = 0;
        tcp_endpoint client;
        tcp_endpoint server;
        tcp_stream to_server;
        tcp_stream to_client;
        bool handshake_seen = false;
        bool server_answered = false;  // SYN-ACK, or any octet from the server
        bool fin_reported[2] = {false, false};
        std::optional<std::uint32_t> client_isn;

        connection(std::size_t max_buffered) : to_server(max_buffered), to_client(max_buffered) {}
        tcp_stream& stream(direction d) { return d == direction::to_server ? to_server : to_client; }
    };
    using key = std::pair<tcp_endpoint, tcp_endpoint>;  // the two endpoints, lower first

    connection& open(const tcp_packet& p, std::vector<stream_event>& out);
    void emit_pieces(connection& c, direction d, std::vector<stream_piece>& pieces,
                     std::int64_t t_us, std::vector<stream_event>& out);
    void end(connection& c, stream_event::kind how, direction by, std::int64_t t_us,
             std::vector<stream_event>& out);
    void count(const connection& c);

    options options_;
    std::map<key, connection> active_;
    std::set<tcp_endpoint> servers_seen_;  // endpoints that accepted a SYN in this capture
    std::uint64_t last_id_ = 0;
    std::int64_t last_t_us_ = 0;  // the latest packet: when the capture ended
    counters stats_;
};

}  // namespace maillab::capture
