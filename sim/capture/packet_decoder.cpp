// Frame decoding: theory of operation.
//
// Each layer reads its header from a string_view and hands the rest to the next: link ->
// network (IPv4, RFC 791; IPv6, RFC 8200) -> TCP (RFC 9293 3.1). Lengths come from the headers,
// not from the frame, so Ethernet padding after a short packet is dropped (the IP total length
// says where the packet ends), and the captured bytes only bound what can be read: when the
// snapshot length cut the packet, the TCP payload is what is there and payload_length says how
// long it was on the wire. Checksums are not checked: captures on the sending host (and every
// loopback capture) see them before the network card fills them in.

#include "sim/capture/packet_decoder.hpp"

#include <arpa/inet.h>

#include <array>

namespace maillab::capture {
namespace {

constexpr std::uint16_t ethertype_ipv4 = 0x0800;
constexpr std::uint16_t ethertype_ipv6 = 0x86DD;
constexpr std::uint8_t ip_proto_tcp = 6;

std::uint16_t be16(std::string_view b, std::size_t at) {
    return static_cast<std::uint16_t>((static_cast<unsigned char>(b[at]) << 8) |
                                      static_cast<unsigned char>(b[at + 1]));
}

std::uint32_t be32(std::string_view b, std::size_t at) {
    return (static_cast<std::uint32_t>(be16(b, at)) << 16) | be16(b, at + 2);
}

std::uint32_t le32(std::string_view b, std::size_t at) {
    std::uint32_t v = 0;
    for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(b[at + i]);
    return v;
}

std::string address_text(int family, const char* bytes) {
    std::array<char, INET6_ADDRSTRLEN> text{};
    if (!inet_ntop(family, bytes, text.data(), text.size())) return "?";
    return text.data();
}

// What the network layer hands to TCP.
struct ip_payload {
    std::string src;
    std::string dst;
    std::string_view segment;      // the captured part of the TCP segment
    std::uint32_t segment_length;  // the TCP segment's length according to the IP header
};

struct network_result {
    std::optional<ip_payload> payload;
    skip_reason skipped = skip_reason::none;
};

network_result skip(skip_reason why) { return {std::nullopt, why}; }

network_result decode_ipv4(std::string_view p) {
    if (p.size() < 20) return skip(skip_reason::truncated);
    unsigned version = static_cast<unsigned char>(p[0]) >> 4;
    std::size_t header = (static_cast<unsigned char>(p[0]) & 0x0F) * 4u;
    if (version != 4 || header < 20) return skip(skip_reason::malformed);
    std::uint16_t total = be16(p, 2);
    if (total < header) return skip(skip_reason::malformed);
    // RFC 791 3.1: more-fragments flag or a fragment offset means a piece of a larger packet.
    if ((be16(p, 6) & 0x3FFF) != 0) return skip(skip_reason::fragment);
    if (static_cast<unsigned char>(p[9]) != ip_proto_tcp) return skip(skip_reason::not_tcp);
    if (p.size() < header) return skip(skip_reason::truncated);
    ip_payload out;
    out.src = address_text(AF_INET, p.data() + 12);
    out.dst = address_text(AF_INET, p.data() + 16);
    out.segment_length = total - static_cast<std::uint32_t>(header);
    out.segment = p.substr(header, out.segment_length);
    return {std::move(out), skip_reason::none};
}

network_result decode_ipv6(std::string_view p) {
    if (p.size() < 40) return skip(skip_reason::truncated);
    if ((static_cast<unsigned char>(p[0]) >> 4) != 6) return skip(skip_reason::malformed);
    std::uint32_t length = be16(p, 4);  // everything after the fixed header
    std::uint8_t next = static_cast<unsigned char>(p[6]);
    std::string src = address_text(AF_INET6, p.data() + 8);
    std::string dst = address_text(AF_INET6, p.data() + 24);
    std::size_t at = 40;
    // RFC 8200 4: extension headers come before the upper layer; skip the ones a TCP packet
    // may carry. A jumbogram (length 0) is not something a mail session sends.
    for (;;) {
        if (next == ip_proto_tcp) break;
        if (next == 44) return skip(skip_reason::fragment);
        std::size_t ext = 0;
        if (next == 0 || next == 43 || next == 60) {
            if (p.size() < at + 2) return skip(skip_reason::truncated);
            ext = (static_cast<unsigned char>(p[at + 1]) + 1u) * 8u;
        } else if (next == 51) {  // RFC 4302 2.2: AH counts in 4-octet units, minus 2
            if (p.size() < at + 2) return skip(skip_reason::truncated);
            ext = (static_cast<unsigned char>(p[at + 1]) + 2u) * 4u;
        } else {
            return skip(skip_reason::not_tcp);
        }
        if (p.size() < at + ext) return skip(skip_reason::truncated);
        if (at - 40 + ext > length) return skip(skip_reason::malformed);
        next = static_cast<unsigned char>(p[at]);
        at += ext;
    }
    ip_payload out;
    out.src = std::move(src);
    out.dst = std::move(dst);
    out.segment_length = length - static_cast<std::uint32_t>(at - 40);
    out.segment = p.substr(at, out.segment_length);
    return {std::move(out), skip_reason::none};
}

network_result decode_ip(std::string_view p) {
    if (p.empty()) return skip(skip_reason::truncated);
    switch (static_cast<unsigned char>(p[0]) >> 4) {
        case 4: return decode_ipv4(p);
        case 6: return decode_ipv6(p);
        default: return skip(skip_reason::not_ip);
    }
}

network_result decode_by_ethertype(std::uint16_t type, std::string_view p) {
    if (type == ethertype_ipv4) return decode_ipv4(p);
    if (type == ethertype_ipv6) return decode_ipv6(p);
    return skip(skip_reason::not_ip);
}

// BSD loopback: the address family of the packet. AF_INET is 2 everywhere; AF_INET6 is 10 on
// Linux, 24 on NetBSD and OpenBSD, 28 on FreeBSD, 30 on macOS.
network_result decode_by_family(std::uint32_t family, std::string_view p) {
    if (family == 2) return decode_ipv4(p);
    if (family == 10 || family == 24 || family == 28 || family == 30) return decode_ipv6(p);
    return skip(skip_reason::not_ip);
}

network_result decode_link(link_type link, std::string_view f) {
    switch (link) {
        case link_type::ethernet: {
            if (f.size() < 14) return skip(skip_reason::truncated);
            std::uint16_t type = be16(f, 12);
            std::size_t at = 14;
            // IEEE 802.1Q and 802.1ad tags (a double-tagged frame has two) come before the type.
            while (type == 0x8100 || type == 0x88A8 || type == 0x9100) {
                if (f.size() < at + 4) return skip(skip_reason::truncated);
                type = be16(f, at + 2);
                at += 4;
            }
            return decode_by_ethertype(type, f.substr(at));
        }
        case link_type::linux_sll:
            if (f.size() < 16) return skip(skip_reason::truncated);
            return decode_by_ethertype(be16(f, 14), f.substr(16));
        case link_type::linux_sll2:
            if (f.size() < 20) return skip(skip_reason::truncated);
            return decode_by_ethertype(be16(f, 0), f.substr(20));
        case link_type::null: {
            if (f.size() < 4) return skip(skip_reason::truncated);
            // In the byte order of the host that captured: the small value is the right one.
            std::uint32_t little = le32(f, 0);
            return decode_by_family(little <= 0xFFFF ? little : be32(f, 0), f.substr(4));
        }
        case link_type::loop:
            if (f.size() < 4) return skip(skip_reason::truncated);
            return decode_by_family(be32(f, 0), f.substr(4));
        case link_type::raw: return decode_ip(f);
        case link_type::ipv4: return decode_ipv4(f);
        case link_type::ipv6: return decode_ipv6(f);
    }
    return skip(skip_reason::not_ip);
}

}  // namespace

std::string_view to_string(link_type t) {
    switch (t) {
        case link_type::ethernet: return "EN10MB";
        case link_type::linux_sll: return "LINUX_SLL";
        case link_type::linux_sll2: return "LINUX_SLL2";
        case link_type::null: return "NULL";
        case link_type::loop: return "LOOP";
        case link_type::raw: return "RAW";
        case link_type::ipv4: return "IPV4";
        case link_type::ipv6: return "IPV6";
    }
    return "?";
}

std::string_view to_string(skip_reason r) {
    switch (r) {
        case skip_reason::none: return "none";
        case skip_reason::not_ip: return "not IP";
        case skip_reason::not_tcp: return "not TCP";
        case skip_reason::fragment: return "IP fragment";
        case skip_reason::truncated: return "cut short by the capture";
        case skip_reason::malformed: return "malformed header";
    }
    return "?";
}

decoded_frame decode_frame(link_type link, std::string_view frame, std::int64_t t_us) {
    network_result net = decode_link(link, frame);
    if (!net.payload) return {std::nullopt, net.skipped};
    std::string_view s = net.payload->segment;
    // RFC 9293 3.1: the header is at least 20 octets; data offset counts 32-bit words.
    if (s.size() < 20) return {std::nullopt, skip_reason::truncated};
    std::size_t header = (static_cast<unsigned char>(s[12]) >> 4) * 4u;
    if (header < 20 || header > net.payload->segment_length)
        return {std::nullopt, skip_reason::malformed};
    if (s.size() < header) return {std::nullopt, skip_reason::truncated};
    tcp_packet p;
    p.t_us = t_us;
    p.src = {std::move(net.payload->src), be16(s, 0)};
    p.dst = {std::move(net.payload->dst), be16(s, 2)};
    p.seq = be32(s, 4);
    p.ack = be32(s, 8);
    auto flags = static_cast<unsigned char>(s[13]);
    p.fin = flags & 0x01;
    p.syn = flags & 0x02;
    p.rst = flags & 0x04;
    p.ack_flag = flags & 0x10;
    p.payload = std::string(s.substr(header));
    p.payload_length = net.payload->segment_length - static_cast<std::uint32_t>(header);
    return {std::move(p), skip_reason::none};
}

}  // namespace maillab::capture
