// `maillab import CAPTURE`: a capture file (pcap or pcapng, from tcpdump or Wireshark) read
// packet by packet (pcap_reader), each frame decoded to its TCP segment (packet_decoder), and
// the TCP connections turned into a trace (capture_session). The trace's header says where it
// came from: "mode": "import", the capture's file name, its link type and the times of its
// first and last packet.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/capture/capture_session.hpp"
#include "sim/core/event.hpp"

namespace maillab::capture {

struct import_options {
    // A capture cut off in the middle of a packet: import the packets before it (with a
    // warning) instead of refusing the file.
    bool keep_partial = false;
};

struct import_result {
    nlohmann::json header;
    std::vector<event> events;
    std::vector<std::string> warnings;  // each names the file
    std::uint64_t frames = 0;
    std::map<std::string, std::uint64_t> skipped;  // frames that were no TCP, by reason
    capture_summary summary;
};

// Throws capture_error (naming the file and what is wrong) for a file that is not a capture
// maillab can read; truncated_capture for one cut off mid-packet, unless keep_partial.
import_result import_capture(const std::string& path, const import_options& options = {});

}  // namespace maillab::capture
