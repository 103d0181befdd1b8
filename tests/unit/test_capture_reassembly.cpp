// TCP reassembly of captured segments (sim/capture/tcp_stream, tcp_reassembly): order,
// retransmission, overlap, wrap-around, gaps, bounded memory, and how connections begin and end.
#include "sim/capture/tcp_reassembly.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace maillab::capture;

namespace {

// The stream's bytes with every gap written as "<gap N>", as one string to compare.
std::string joined(const std::vector<stream_piece>& pieces) {
    std::string out;
    for (const auto& p : pieces)
        out += p.type == stream_piece::kind::data ? p.bytes
                                                  : "<gap " + std::to_string(p.lost) + ">";
    return out;
}

std::string run(tcp_stream& s, std::uint32_t seq, std::string_view data, bool fin = false) {
    std::vector<stream_piece> out;
    s.segment(seq, data, static_cast<std::uint32_t>(data.size()), fin, out);
    return joined(out);
}

tcp_endpoint client{"10.0.0.1", 50000};
tcp_endpoint server{"10.0.0.2", 25};

tcp_packet packet(const tcp_endpoint& from, const tcp_endpoint& to, std::uint32_t seq,
                  std::string payload, std::string_view flags = "A", std::uint32_t ack = 0,
                  std::int64_t t = 0) {
    tcp_packet p;
    p.t_us = t;
    p.src = from;
    p.dst = to;
    p.seq = seq;
    p.ack = ack;
    p.syn = flags.find('S') != std::string_view::npos;
    p.fin = flags.find('F') != std::string_view::npos;
    p.rst = flags.find('R') != std::string_view::npos;
    p.ack_flag = flags.find('A') != std::string_view::npos;
    p.payload_length = static_cast<std::uint32_t>(payload.size());
    p.payload = std::move(payload);
    return p;
}

// Every event in a compact form: "open 1", "data 1 > HELO", "gap 1 < 5", "fin 1 >", ...
std::vector<std::string> summary(const std::vector<stream_event>& events) {
    std::vector<std::string> out;
    for (const auto& e : events) {
        std::string id = std::to_string(e.connection);
        std::string dir = e.dir == direction::to_server ? ">" : "<";
        switch (e.type) {
            case stream_event::kind::open: out.push_back("open " + id); break;
            case stream_event::kind::data: out.push_back("data " + id + " " + dir + " " + e.bytes); break;
            case stream_event::kind::gap:
                out.push_back("gap " + id + " " + dir + " " + std::to_string(e.lost));
                break;
            case stream_event::kind::fin: out.push_back("fin " + id + " " + dir); break;
            case stream_event::kind::reset: out.push_back("reset " + id + " " + dir); break;
            case stream_event::kind::refused: out.push_back("refused " + id); break;
            case stream_event::kind::unfinished: out.push_back("unfinished " + id); break;
        }
    }
    return out;
}

void append(std::vector<stream_event>& all, std::vector<stream_event> more) {
    for (auto& e : more) all.push_back(std::move(e));
}

}  // namespace

TEST_CASE("tcp_stream: in order, the SYN takes one sequence number") {
    tcp_stream s(1024);
    s.syn(1000);
    CHECK(run(s, 1001, "EHLO a\r\n") == "EHLO a\r\n");
    CHECK(run(s, 1009, "QUIT\r\n") == "QUIT\r\n");
    CHECK(s.delivered_octets() == 14);
}

TEST_CASE("tcp_stream: segments out of order wait for the ones before them") {
    tcp_stream s(1024);
    s.syn(0);
    CHECK(run(s, 7, "ccc") == "");
    CHECK(run(s, 4, "bbb") == "");
    CHECK(s.buffered() == 6);
    CHECK(run(s, 1, "aaa") == "aaabbbccc");
    CHECK(s.buffered() == 0);
}

TEST_CASE("tcp_stream: a retransmission is delivered once") {
    tcp_stream s(1024);
    s.syn(0);
    CHECK(run(s, 1, "MAIL FROM:<a@b>\r\n") == "MAIL FROM:<a@b>\r\n");
    CHECK(run(s, 1, "MAIL FROM:<a@b>\r\n") == "");
    CHECK(s.duplicate_octets() == 17);
    // A keep-alive probe: one old octet (RFC 9293 3.8.4).
    CHECK(run(s, 17, "\n") == "");
    // A retransmitted segment that arrives before the one it follows is kept once too.
    CHECK(run(s, 22, "late") == "");
    CHECK(run(s, 22, "late") == "");
    CHECK(run(s, 18, "RCPT") == "RCPTlate");
}

TEST_CASE("tcp_stream: overlapping segments give each octet once, the first copy wins") {
    tcp_stream s(1024);
    s.syn(0);
    CHECK(run(s, 1, "0123456789") == "0123456789");
    CHECK(run(s, 6, "56789abcde") == "abcde");  // half old, half new
    // Early segments overlapping each other and a later filler.
    CHECK(run(s, 20, "jklmn") == "");
    CHECK(run(s, 18, "hiJKL") == "");  // "JKL" overlaps "jkl" kept before: "jkl" stays
    CHECK(run(s, 24, "Nopqr") == "");  // "N" overlaps "n": "n" stays
    CHECK(run(s, 16, "fg") == "fghijklmnopqr");
}

TEST_CASE("tcp_stream: sequence numbers wrap around 2^32") {
    tcp_stream s(1024);
    s.syn(0xFFFFFFF8u);  // data starts at 0xFFFFFFF9
    std::string first = "1234567";  // 0xFFFFFFF9 .. 0xFFFFFFFF
    std::string second = "89abcdef";  // 0x00000000 .. 0x00000007
    CHECK(run(s, 0x00000000u, second) == "");  // after the wrap, early
    CHECK(run(s, 0xFFFFFFF9u, first) == first + second);
    CHECK(run(s, 0x00000008u, "g") == "g");
    CHECK(run(s, 0xFFFFFFFBu, "345") == "");  // a retransmission from before the wrap
}

TEST_CASE("tcp_stream: a hole the peer acknowledged is a gap with its size") {
    tcp_stream s(1024);
    s.syn(0);
    CHECK(run(s, 1, "aaaa") == "aaaa");
    CHECK(run(s, 9, "cccc") == "");  // octets 5..8 are not in the capture
    std::vector<stream_piece> out;
    s.acknowledged(5, out);  // acknowledges only what was delivered: nothing lost yet
    CHECK(out.empty());
    s.acknowledged(13, out);
    CHECK(joined(out) == "<gap 4>cccc");
    CHECK(s.lost_octets() == 4);
}

TEST_CASE("tcp_stream: a hole still open at the end is a gap, also one before the FIN") {
    tcp_stream s(1024);
    s.syn(0);
    CHECK(run(s, 1, "ab") == "ab");
    CHECK(run(s, 6, "f", true) == "");  // "cde" missing, then "f" and the FIN
    CHECK_FALSE(s.finished());
    std::vector<stream_piece> out;
    s.flush(out);
    CHECK(joined(out) == "<gap 3>f");
    CHECK(s.finished());

    tcp_stream tail(1024);
    tail.syn(0);
    std::vector<stream_piece> cut;
    // The snapshot length kept 3 of 10 octets: the other 7 are missing at the end.
    tail.segment(1, "abc", 10, false, cut);
    CHECK(joined(cut) == "abc");
    cut.clear();
    tail.flush(cut);
    CHECK(joined(cut) == "<gap 7>");
}

TEST_CASE("tcp_stream: memory is bounded: a hole is given up when too much waits behind it") {
    tcp_stream s(8);
    s.syn(0);
    CHECK(run(s, 11, "12345") == "");
    CHECK(run(s, 16, "6789") == "<gap 10>123456789");  // 9 octets waiting > 8
    CHECK(s.buffered() == 0);
}

TEST_CASE("tcp_stream: the capture started mid-stream: the first octet seen starts it") {
    tcp_stream s(1024);
    CHECK(run(s, 123456, "250 OK\r\n") == "250 OK\r\n");
    CHECK(run(s, 123464, "221 Bye\r\n", true) == "221 Bye\r\n");
    CHECK(s.finished());
}

TEST_CASE("tcp_reassembler: a whole connection, client found by its SYN") {
    tcp_reassembler r;
    std::vector<stream_event> all;
    append(all, r.add(packet(client, server, 100, "", "S")));
    append(all, r.add(packet(server, client, 500, "", "SA", 101)));
    append(all, r.add(packet(client, server, 101, "", "A", 501)));
    append(all, r.add(packet(server, client, 501, "220 hi\r\n", "A", 101)));
    append(all, r.add(packet(client, server, 101, "QUIT\r\n", "A", 509)));
    append(all, r.add(packet(server, client, 509, "221 bye\r\n", "AF", 107)));
    append(all, r.add(packet(client, server, 107, "", "AF", 519)));
    append(all, r.add(packet(server, client, 519, "", "A", 108)));
    CHECK(summary(all) == std::vector<std::string>{
                              "open 1", "data 1 < 220 hi\r\n", "data 1 > QUIT\r\n",
                              "data 1 < 221 bye\r\n", "fin 1 <", "fin 1 >"});
    CHECK(all[0].client == client);
    CHECK(all[0].server == server);
    CHECK(all[0].handshake_seen);
    CHECK(summary(r.finish()).empty());  // nothing left open
}

TEST_CASE("tcp_reassembler: a RST ends the connection; a RST to a SYN refuses it") {
    tcp_reassembler r;
    std::vector<stream_event> all;
    append(all, r.add(packet(client, server, 100, "", "S")));
    append(all, r.add(packet(server, client, 500, "", "SA", 101)));
    append(all, r.add(packet(client, server, 101, "HELO x\r\n", "A", 501)));
    append(all, r.add(packet(client, server, 109, "", "R")));
    CHECK(summary(all) ==
          std::vector<std::string>{"open 1", "data 1 > HELO x\r\n", "reset 1 >"});

    all.clear();
    append(all, r.add(packet(client, server, 900, "", "S")));
    append(all, r.add(packet(server, client, 0, "", "RA", 901)));
    CHECK(summary(all) == std::vector<std::string>{"open 2", "refused 2"});
}

TEST_CASE("tcp_reassembler: mid-stream, the server is the side on a known port") {
    tcp_reassembler::options o;
    o.is_server_port = [](std::uint16_t port) { return port == 25; };
    tcp_reassembler r(o);
    // A lone ACK of a connection that sent nothing in the capture shows nothing.
    CHECK(r.add(packet(client, server, 7, "", "A", 9)).empty());
    auto events = r.add(packet(server, client, 5000, "250 OK\r\n", "A", 77));
    REQUIRE(events.size() == 2);
    CHECK(events[0].client == client);
    CHECK_FALSE(events[0].handshake_seen);
    CHECK(summary(r.finish()) == std::vector<std::string>{"unfinished 1"});
}

TEST_CASE("tcp_reassembler: an acknowledged hole is a gap as soon as the ACK is seen") {
    tcp_reassembler r;
    std::vector<stream_event> all;
    append(all, r.add(packet(client, server, 0, "", "S")));
    append(all, r.add(packet(server, client, 0, "", "SA", 1)));
    append(all, r.add(packet(client, server, 1, "MAIL\r\n", "A", 1)));
    // The segment at 7..12 was not captured; the next one was.
    append(all, r.add(packet(client, server, 13, "DATA\r\n", "A", 1)));
    append(all, r.add(packet(server, client, 1, "250 OK\r\n", "A", 19)));
    CHECK(summary(all) == std::vector<std::string>{"open 1", "data 1 > MAIL\r\n", "gap 1 > 6",
                                                   "data 1 > DATA\r\n", "data 1 < 250 OK\r\n"});
}

TEST_CASE("tcp_reassembler: ports used again by a new SYN make a new connection") {
    tcp_reassembler r;
    std::vector<stream_event> all;
    append(all, r.add(packet(client, server, 100, "", "S")));
    append(all, r.add(packet(server, client, 500, "", "SA", 101)));
    append(all, r.add(packet(client, server, 101, "x", "AF", 501)));
    append(all, r.add(packet(server, client, 501, "", "AF", 103)));
    append(all, r.add(packet(client, server, 7000, "", "S")));
    append(all, r.add(packet(server, client, 9000, "", "SA", 7001)));
    append(all, r.add(packet(client, server, 7001, "y", "A", 9001)));
    CHECK(summary(all) == std::vector<std::string>{"open 1", "data 1 > x", "fin 1 >", "fin 1 <",
                                                   "open 2", "data 2 > y"});
    // A SYN with a new ISN while the old connection shows no end: the old one is unfinished.
    all.clear();
    append(all, r.add(packet(client, server, 12345, "", "S")));
    CHECK(summary(all) == std::vector<std::string>{"unfinished 2", "open 3"});
}

TEST_CASE("tcp_reassembler: mid-stream, an endpoint that served before is the server again") {
    tcp_reassembler r;  // no port hint: the lower port would be taken for the server's
    tcp_endpoint high_server{"10.0.0.2", 48089};
    tcp_endpoint low_client{"10.0.0.1", 47192};
    tcp_endpoint other_client{"10.0.0.1", 50000};
    r.add(packet(other_client, high_server, 1, "", "S"));
    auto events = r.add(packet(low_client, high_server, 77, "a1 NOOP\r\n", "A", 5));
    REQUIRE(events.size() == 2);
    CHECK(events[0].type == stream_event::kind::open);
    CHECK(events[0].client == low_client);
    CHECK(events[0].server == high_server);
}
