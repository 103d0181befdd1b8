// Decoding captured frames down to TCP (sim/capture/packet_decoder): every link type maillab
// reads, IPv4 and IPv6, VLAN tags, padding, a snapshot length that cut the packet, and what
// is skipped.
#include "sim/capture/packet_decoder.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace maillab::capture;

namespace {

std::string bytes(std::initializer_list<int> list) {
    std::string out;
    for (int b : list) out += static_cast<char>(b);
    return out;
}

// A TCP header: 12345 -> 25, seq 0x01020304, ack 0x0a0b0c0d, flags, then the payload.
std::string tcp(int flags, std::string_view payload) {
    return bytes({0x30, 0x39, 0x00, 0x19, 1, 2, 3, 4, 10, 11, 12, 13, 0x50, flags, 0xff, 0xff, 0,
                  0, 0, 0}) +
           std::string(payload);
}

std::string ipv4(std::string_view segment, int protocol = 6, int fragment_bits = 0) {
    int total = 20 + static_cast<int>(segment.size());
    return bytes({0x45, 0, total >> 8, total & 0xff, 0, 1, fragment_bits >> 8, fragment_bits & 0xff,
                  64, protocol, 0, 0, 127, 0, 0, 1, 127, 0, 0, 2}) +
           std::string(segment);
}

std::string ipv6(std::string_view segment, int next = 6, std::string_view extension = "") {
    int length = static_cast<int>(segment.size() + extension.size());
    std::string h = bytes({0x60, 0, 0, 0, length >> 8, length & 0xff, next, 64});
    h += std::string(15, '\0') + '\x01';  // ::1
    h += std::string(15, '\0') + '\x02';  // ::2
    return h + std::string(extension) + std::string(segment);
}

std::string ethernet(std::string_view packet, int type = 0x0800) {
    return std::string(12, '\x11') + bytes({type >> 8, type & 0xff}) + std::string(packet);
}

void check_segment(const decoded_frame& d, std::string_view payload) {
    REQUIRE(d.packet.has_value());
    CHECK(d.skipped == skip_reason::none);
    CHECK(d.packet->src.port == 12345);
    CHECK(d.packet->dst.port == 25);
    CHECK(d.packet->seq == 0x01020304u);
    CHECK(d.packet->ack == 0x0a0b0c0du);
    CHECK(d.packet->payload == payload);
    CHECK(d.packet->payload_length == payload.size());
}

}  // namespace

TEST_CASE("decoder: Ethernet, IPv4, TCP; the padding of a short frame is not payload") {
    std::string frame = ethernet(ipv4(tcp(0x18, "QUIT\r\n"))) + std::string(6, '\0');
    auto d = decode_frame(link_type::ethernet, frame, 42);
    check_segment(d, "QUIT\r\n");
    CHECK(d.packet->src.address == "127.0.0.1");
    CHECK(d.packet->dst.to_string() == "127.0.0.2:25");
    CHECK(d.packet->ack_flag);
    CHECK_FALSE(d.packet->syn);
    CHECK(d.packet->t_us == 42);
}

TEST_CASE("decoder: flags") {
    auto d = decode_frame(link_type::raw, ipv4(tcp(0x02 | 0x01 | 0x04 | 0x10, "")), 0);
    REQUIRE(d.packet);
    CHECK(d.packet->syn);
    CHECK(d.packet->fin);
    CHECK(d.packet->rst);
    CHECK(d.packet->ack_flag);
}

TEST_CASE("decoder: VLAN tags, Linux cooked SLL and SLL2, BSD loopback, raw IP") {
    std::string packet = ipv4(tcp(0x18, "EHLO x\r\n"));
    std::string tagged = std::string(12, '\x11') + bytes({0x81, 0x00, 0, 5, 0x08, 0x00}) + packet;
    check_segment(decode_frame(link_type::ethernet, tagged, 0), "EHLO x\r\n");
    std::string sll = std::string(14, '\0') + bytes({0x08, 0x00}) + packet;
    check_segment(decode_frame(link_type::linux_sll, sll, 0), "EHLO x\r\n");
    std::string sll2 = bytes({0x08, 0x00}) + std::string(18, '\0') + packet;
    check_segment(decode_frame(link_type::linux_sll2, sll2, 0), "EHLO x\r\n");
    // DLT_NULL in the capturing host's byte order: little-endian AF_INET, and big-endian.
    check_segment(decode_frame(link_type::null, bytes({2, 0, 0, 0}) + packet, 0), "EHLO x\r\n");
    check_segment(decode_frame(link_type::null, bytes({0, 0, 0, 2}) + packet, 0), "EHLO x\r\n");
    check_segment(decode_frame(link_type::loop, bytes({0, 0, 0, 2}) + packet, 0), "EHLO x\r\n");
    check_segment(decode_frame(link_type::raw, packet, 0), "EHLO x\r\n");
    check_segment(decode_frame(link_type::ipv4, packet, 0), "EHLO x\r\n");
}

TEST_CASE("decoder: IPv6, with an extension header, over Ethernet and BSD loopback") {
    std::string packet = ipv6(tcp(0x18, "+OK\r\n"));
    auto d = decode_frame(link_type::ethernet, ethernet(packet, 0x86DD), 0);
    check_segment(d, "+OK\r\n");
    CHECK(d.packet->src.address == "::1");
    CHECK(d.packet->src.to_string() == "::1:12345");
    // Hop-by-hop options (8 octets) before TCP.
    std::string hop = bytes({6, 0, 1, 4, 0, 0, 0, 0});
    check_segment(decode_frame(link_type::raw, ipv6(tcp(0x18, "+OK\r\n"), 0, hop), 0), "+OK\r\n");
    // macOS's AF_INET6 is 30, FreeBSD's 28.
    check_segment(decode_frame(link_type::null, bytes({30, 0, 0, 0}) + packet, 0), "+OK\r\n");
    check_segment(decode_frame(link_type::loop, bytes({0, 0, 0, 28}) + packet, 0), "+OK\r\n");
}

TEST_CASE("decoder: the snapshot length cut the payload: what is there, and how long it was") {
    std::string frame = ethernet(ipv4(tcp(0x18, "0123456789")));
    frame.resize(frame.size() - 6);
    auto d = decode_frame(link_type::ethernet, frame, 0);
    REQUIRE(d.packet);
    CHECK(d.packet->payload == "0123");
    CHECK(d.packet->payload_length == 10);
}

TEST_CASE("decoder: what is not a TCP segment says why") {
    CHECK(decode_frame(link_type::ethernet, ethernet("arp arp arp", 0x0806), 0).skipped ==
          skip_reason::not_ip);
    CHECK(decode_frame(link_type::raw, ipv4("udp datagram", 17), 0).skipped ==
          skip_reason::not_tcp);
    CHECK(decode_frame(link_type::raw, ipv4(tcp(0x18, "x"), 6, 0x2000), 0).skipped ==
          skip_reason::fragment);
    CHECK(decode_frame(link_type::raw, ipv6(tcp(0x18, "x"), 44, bytes({6, 0, 0, 1, 0, 0, 0, 1})), 0)
              .skipped == skip_reason::fragment);
    CHECK(decode_frame(link_type::ethernet, std::string(10, '\0'), 0).skipped ==
          skip_reason::truncated);
    std::string short_tcp = ipv4(tcp(0x18, ""));
    short_tcp.resize(30);  // the TCP header is cut
    CHECK(decode_frame(link_type::raw, short_tcp, 0).skipped == skip_reason::truncated);
    std::string bad = ipv4(tcp(0x18, ""));
    bad[0] = 0x43;  // a header length of 12 octets
    CHECK(decode_frame(link_type::raw, bad, 0).skipped == skip_reason::malformed);
    CHECK(decode_frame(link_type::null, bytes({99, 0, 0, 0}) + ipv4(tcp(0x18, "")), 0).skipped ==
          skip_reason::not_ip);
}
