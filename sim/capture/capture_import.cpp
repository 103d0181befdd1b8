#include "sim/capture/capture_import.hpp"

#include <filesystem>
#include <optional>

#include <fmt/format.h>

#include "sim/capture/packet_decoder.hpp"
#include "sim/capture/pcap_reader.hpp"

namespace maillab::capture {

import_result import_capture(const std::string& path, const import_options& options) {
    pcap_reader reader(path);
    std::string name = std::filesystem::path(path).filename().string();
    capture_session session({{"scenario", "import"},
                             {"title", fmt::format("imported from the capture {}", name)},
                             {"mode", "import"},
                             {"capture", name},
                             {"link_type", reader.link_name()}});
    import_result result;
    std::optional<std::int64_t> first, last;
    captured_frame frame;
    try {
        while (reader.next(frame)) {
            ++result.frames;
            if (!first) first = frame.t_us;
            last = frame.t_us;
            decoded_frame d = decode_frame(reader.link(), frame.bytes, frame.t_us);
            if (!d.packet) {
                ++result.skipped[std::string(to_string(d.skipped))];
                continue;
            }
            session.add(*d.packet);
        }
    } catch (const truncated_capture& cut) {
        if (!options.keep_partial)
            throw truncated_capture(
                fmt::format("{}; `maillab import --partial` imports the {} frames before it",
                            cut.what(), cut.frames_read()),
                cut.frames_read());
        result.warnings.push_back(
            fmt::format("{}; the {} frames before it were imported", cut.what(), cut.frames_read()));
    }
    result.events = session.finish();
    result.summary = session.summary();
    result.header = session.header();
    result.header["packets"] = result.frames;
    if (first) {
        result.header["first_packet_t_us"] = *first;
        result.header["last_packet_t_us"] = *last;
    } else {
        result.warnings.push_back(fmt::format("{}: the capture holds no packets", path));
    }
    if (result.frames > 0 && result.summary.connections == 0)
        result.warnings.push_back(fmt::format(
            "{}: none of the {} packets belongs to a TCP connection with data (is the capture "
            "filter right?)",
            path, result.frames));
    return result;
}

}  // namespace maillab::capture
