#include "sim/capture/pcap_reader.hpp"

#include <pcap/pcap.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include <fmt/format.h>

namespace maillab::capture {

std::optional<link_type> link_type_from_dlt(int dlt) {
    switch (dlt) {
        case DLT_EN10MB: return link_type::ethernet;
        case DLT_LINUX_SLL: return link_type::linux_sll;
#ifdef DLT_LINUX_SLL2
        case DLT_LINUX_SLL2: return link_type::linux_sll2;
#endif
        case DLT_NULL: return link_type::null;
        case DLT_LOOP: return link_type::loop;
        case DLT_RAW: return link_type::raw;
#ifdef DLT_IPV4
        case DLT_IPV4: return link_type::ipv4;
#endif
#ifdef DLT_IPV6
        case DLT_IPV6: return link_type::ipv6;
#endif
        default: return std::nullopt;
    }
}

pcap_reader::pcap_reader(const std::string& path) : path_(path) {
    // fopen first: libpcap's message for a missing file does not say which file it was.
    std::FILE* file = std::fopen(path.c_str(), "rb");
    if (!file)
        throw capture_error(fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
    char error[PCAP_ERRBUF_SIZE] = {};
    // Microseconds whatever the file holds: a nanosecond pcapng is converted by libpcap.
    handle_ = pcap_fopen_offline_with_tstamp_precision(file, PCAP_TSTAMP_PRECISION_MICRO, error);
    if (!handle_) {
        std::fclose(file);
        throw capture_error(fmt::format(
            "{}: not a capture file maillab can read (pcap or pcapng, as tcpdump -w and "
            "Wireshark write them): {}",
            path, error));
    }
    dlt_ = pcap_datalink(handle_);
    auto link = link_type_from_dlt(dlt_);
    if (!link) {
        const char* name = pcap_datalink_val_to_name(dlt_);
        std::string what = fmt::format(
            "{}: link type {} (DLT {}) is not one maillab decodes: capture on an Ethernet or "
            "loopback interface, or with tcpdump -i any (Linux cooked), so the frames carry IP",
            path, name ? name : "unknown", dlt_);
        pcap_close(handle_);
        throw capture_error(what);
    }
    link_ = *link;
}

pcap_reader::~pcap_reader() {
    if (handle_) pcap_close(handle_);
}

std::string pcap_reader::link_name() const {
    const char* name = pcap_datalink_val_to_name(dlt_);
    return name ? name : std::to_string(dlt_);
}

bool pcap_reader::next(captured_frame& out) {
    struct pcap_pkthdr* header = nullptr;
    const u_char* data = nullptr;
    int rc = pcap_next_ex(handle_, &header, &data);
    if (rc == PCAP_ERROR_BREAK) return false;  // end of file
    if (rc != 1) {
        std::string why = pcap_geterr(handle_);
        // libpcap says "truncated dump file; tried to read N captured bytes, only got M".
        if (why.find("truncated") != std::string::npos)
            throw truncated_capture(fmt::format("{}: the file ends in the middle of frame {} "
                                                "(cut off while it was written?): {}",
                                                path_, frames_ + 1, why),
                                    frames_);
        throw capture_error(fmt::format("{}: frame {}: {}", path_, frames_ + 1, why));
    }
    ++frames_;
    out.number = frames_;
    out.t_us = static_cast<std::int64_t>(header->ts.tv_sec) * 1000000 + header->ts.tv_usec;
    out.bytes = std::string_view(reinterpret_cast<const char*>(data), header->caplen);
    out.wire_length = header->len;
    return true;
}

}  // namespace maillab::capture
