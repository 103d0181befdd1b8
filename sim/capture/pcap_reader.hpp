// Reads a capture file with libpcap (pcap, and pcapng where libpcap reads it: every interface of
// the file with the same link type), one frame at a time. The only file I/O of the import;
// everything after it works on bytes. A file that is not a capture, or is cut short, throws
// capture_error with the file name and what is wrong.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "sim/capture/packet_decoder.hpp"

struct pcap;  // libpcap's handle (pcap_t), kept out of this header

namespace maillab::capture {

class capture_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// A capture cut off in the middle of a packet (the capturing program was killed): the frames
// before it were read.
class truncated_capture : public capture_error {
public:
    truncated_capture(const std::string& what, std::size_t frames_read)
        : capture_error(what), frames_read_(frames_read) {}
    std::size_t frames_read() const { return frames_read_; }

private:
    std::size_t frames_read_;
};

// The link type of a libpcap DLT_ number, or nothing when maillab cannot decode it.
std::optional<link_type> link_type_from_dlt(int dlt);

struct captured_frame {
    std::size_t number = 0;      // 1 for the first frame of the file
    std::int64_t t_us = 0;       // microseconds since the Unix epoch
    std::string_view bytes;      // valid until the next call to next()
    std::uint32_t wire_length = 0;
};

class pcap_reader {
public:
    // Throws capture_error: the file cannot be opened, is not a capture libpcap reads, or has a
    // link type maillab does not decode.
    explicit pcap_reader(const std::string& path);
    ~pcap_reader();
    pcap_reader(const pcap_reader&) = delete;
    pcap_reader& operator=(const pcap_reader&) = delete;

    link_type link() const { return link_; }
    std::string link_name() const;  // libpcap's name of the link type, e.g. "EN10MB"

    // The next frame, or false at the end. Throws truncated_capture when the file ends in the
    // middle of a frame, capture_error on any other damage.
    bool next(captured_frame& out);

private:
    std::string path_;
    ::pcap* handle_ = nullptr;
    int dlt_ = 0;
    link_type link_ = link_type::ethernet;
    std::size_t frames_ = 0;
};

}  // namespace maillab::capture
