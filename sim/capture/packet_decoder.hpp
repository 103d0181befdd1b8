// Decodes one captured frame down to its TCP segment: the link layer (Ethernet with VLAN tags,
// Linux cooked SLL and SLL2, BSD loopback NULL and LOOP, raw IP), IPv4 or IPv6 (extension
// headers skipped), then TCP. Sans-I/O: bytes in, a tcp_packet out, never reading past the
// captured length; whatever is not a TCP segment comes back with the reason.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "sim/capture/tcp_packet.hpp"

namespace maillab::capture {

enum class link_type {
    ethernet,    // DLT_EN10MB: Ethernet, and Linux loopback captures (tcpdump -i lo)
    linux_sll,   // DLT_LINUX_SLL: "tcpdump -i any" on older libpcap
    linux_sll2,  // DLT_LINUX_SLL2: "tcpdump -i any" since libpcap 1.10
    null,        // DLT_NULL: BSD and macOS loopback, address family in the capturing host's order
    loop,        // DLT_LOOP: OpenBSD loopback, address family in network order
    raw,         // DLT_RAW: the frame is an IPv4 or IPv6 packet
    ipv4,        // LINKTYPE_IPV4
    ipv6,        // LINKTYPE_IPV6
};
std::string_view to_string(link_type t);

enum class skip_reason {
    none,        // a TCP segment
    not_ip,      // ARP, LLDP, a link header maillab does not know
    not_tcp,     // UDP, ICMP, ...
    fragment,    // an IP fragment: maillab does not put fragments back together
    truncated,   // the capture cut the frame before the end of the TCP header
    malformed,   // a header that contradicts itself (a length too small)
};
std::string_view to_string(skip_reason r);

struct decoded_frame {
    std::optional<tcp_packet> packet;
    skip_reason skipped = skip_reason::none;
};

// `frame` is what the capture holds (the IP header says how long the packet was on the wire).
decoded_frame decode_frame(link_type link, std::string_view frame, std::int64_t t_us);

}  // namespace maillab::capture
