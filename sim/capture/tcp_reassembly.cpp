// Connection tracking: theory of operation.
//
// Connections are keyed by their two endpoints. The side that sent the SYN (without ACK) is the
// client; with only the SYN-ACK in the capture it is the side the SYN-ACK went to; with neither
// (the capture began mid-connection) an endpoint that was a server in an earlier connection is
// the server again, or else the port decides. A new SYN on endpoints whose connection
// is finished starts a new connection with a new id; one on a connection that never finished
// ends the old one as unfinished first.
//
// Each packet's ACK is applied to the other direction before its own data (tcp_stream gives up
// a hole the peer has acknowledged), so events come out in the order a reader of the capture
// would learn them. A FIN is reported once every octet before it is accounted for; a RST ends
// the connection at once, delivering what both directions hold (holes as gaps). A RST to a SYN
// that was never answered is a refused connection, not a reset one.

#include "sim/capture/tcp_reassembly.hpp"

#include <algorithm>

namespace maillab::capture {

tcp_reassembler::tcp_reassembler() : tcp_reassembler(options{}) {}
tcp_reassembler::tcp_reassembler(options o) : options_(std::move(o)) {}

std::string_view to_string(direction d) {
    return d == direction::to_server ? "to_server" : "to_client";
}

tcp_reassembler::connection& tcp_reassembler::open(const tcp_packet& p,
                                                   std::vector<stream_event>& out) {
    bool src_is_client;
    if (p.syn) {
        src_is_client = !p.ack_flag;  // SYN from the client, SYN-ACK from the server
    } else if (servers_seen_.count(p.dst) != servers_seen_.count(p.src)) {
        // An endpoint that accepted an earlier connection of the capture is a server.
        src_is_client = servers_seen_.count(p.dst) > 0;
    } else {
        auto server_port = [&](std::uint16_t port) {
            return options_.is_server_port && options_.is_server_port(port);
        };
        bool dst_serves = server_port(p.dst.port);
        bool src_serves = server_port(p.src.port);
        if (dst_serves != src_serves) src_is_client = dst_serves;
        else src_is_client = p.src.port > p.dst.port;
    }
    key k = std::minmax(p.src, p.dst);
    auto [it, inserted] = active_.try_emplace(k, options_.max_buffered_per_stream);
    connection& c = it->second;
    c.id = ++last_id_;
    c.client = src_is_client ? p.src : p.dst;
    c.server = src_is_client ? p.dst : p.src;
    c.handshake_seen = p.syn;
    if (p.syn) servers_seen_.insert(c.server);
    ++stats_.connections;
    stream_event e;
    e.type = stream_event::kind::open;
    e.connection = c.id;
    e.t_us = p.t_us;
    e.client = c.client;
    e.server = c.server;
    e.handshake_seen = c.handshake_seen;
    out.push_back(std::move(e));
    return c;
}

void tcp_reassembler::emit_pieces(connection& c, direction d, std::vector<stream_piece>& pieces,
                                  std::int64_t t_us, std::vector<stream_event>& out) {
    for (auto& piece : pieces) {
        stream_event e;
        e.connection = c.id;
        e.dir = d;
        e.t_us = t_us;
        if (piece.type == stream_piece::kind::data) {
            e.type = stream_event::kind::data;
            e.bytes = std::move(piece.bytes);
        } else {
            e.type = stream_event::kind::gap;
            e.lost = piece.lost;
        }
        out.push_back(std::move(e));
    }
    pieces.clear();
    int index = d == direction::to_server ? 0 : 1;
    if (c.stream(d).finished() && !c.fin_reported[index]) {
        c.fin_reported[index] = true;
        stream_event e;
        e.type = stream_event::kind::fin;
        e.connection = c.id;
        e.dir = d;
        e.t_us = t_us;
        out.push_back(std::move(e));
    }
}

void tcp_reassembler::count(const connection& c) {
    stats_.duplicate_octets += c.to_server.duplicate_octets() + c.to_client.duplicate_octets();
    stats_.lost_octets += c.to_server.lost_octets() + c.to_client.lost_octets();
}

void tcp_reassembler::end(connection& c, stream_event::kind how, direction by, std::int64_t t_us,
                          std::vector<stream_event>& out) {
    std::vector<stream_piece> pieces;
    for (direction d : {direction::to_server, direction::to_client}) {
        c.stream(d).flush(pieces);
        emit_pieces(c, d, pieces, t_us, out);
    }
    stream_event e;
    e.type = how;
    e.connection = c.id;
    e.dir = by;
    e.t_us = t_us;
    out.push_back(std::move(e));
    count(c);
}

std::vector<stream_event> tcp_reassembler::add(const tcp_packet& p) {
    std::vector<stream_event> out;
    last_t_us_ = std::max(last_t_us_, p.t_us);
    key k = std::minmax(p.src, p.dst);
    auto it = active_.find(k);
    if (it != active_.end() && p.syn && !p.ack_flag && it->second.client == p.src &&
        it->second.client_isn && *it->second.client_isn != p.seq) {
        // The client's ports in use again by a new connection while the old one shows no end.
        end(it->second, stream_event::kind::unfinished, direction::to_server, p.t_us, out);
        active_.erase(it);
        it = active_.end();
    }
    if (it == active_.end()) {
        // A lone ACK, FIN or RST of a connection that began before the capture and sent
        // nothing in it: there is nothing to show.
        if (!p.syn && p.payload_length == 0) {
            ++stats_.ignored_packets;
            return out;
        }
        open(p, out);
        it = active_.find(k);
    }
    connection& c = it->second;
    direction d = p.src == c.client ? direction::to_server : direction::to_client;
    direction other = d == direction::to_server ? direction::to_client : direction::to_server;
    if (d == direction::to_client) c.server_answered = c.server_answered || p.syn || p.payload_length;
    std::vector<stream_piece> pieces;

    if (p.syn) {
        c.handshake_seen = true;
        if (d == direction::to_server) c.client_isn = p.seq;
        c.stream(d).syn(p.seq);
    }
    // What the peer has received tells which holes in the other direction are for good.
    if (p.ack_flag) {
        c.stream(other).acknowledged(p.ack, pieces);
        emit_pieces(c, other, pieces, p.t_us, out);
    }
    if (p.rst) {
        bool refused = d == direction::to_client && c.handshake_seen && !c.server_answered &&
                       c.to_server.delivered_octets() == 0;
        end(c, refused ? stream_event::kind::refused : stream_event::kind::reset, d, p.t_us, out);
        active_.erase(it);
        return out;
    }
    if (p.payload_length > 0 || p.fin) {
        // RFC 9293 3.4: data on a SYN (TCP Fast Open) starts after the SYN's sequence number.
        std::uint32_t data_seq = p.syn ? p.seq + 1 : p.seq;
        c.stream(d).segment(data_seq, p.payload, p.payload_length, p.fin, pieces);
        emit_pieces(c, d, pieces, p.t_us, out);
    }
    if (c.fin_reported[0] && c.fin_reported[1]) {
        count(c);
        active_.erase(it);
    }
    return out;
}

std::vector<stream_event> tcp_reassembler::finish() {
    std::vector<connection*> open_ones;
    for (auto& [k, c] : active_) open_ones.push_back(&c);
    std::sort(open_ones.begin(), open_ones.end(),
              [](const connection* a, const connection* b) { return a->id < b->id; });
    std::vector<stream_event> out;
    for (connection* c : open_ones)
        end(*c, stream_event::kind::unfinished, direction::to_server, last_t_us_, out);
    active_.clear();
    return out;
}

}  // namespace maillab::capture
