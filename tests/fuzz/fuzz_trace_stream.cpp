// libFuzzer target: what `maillab replay --attach` and `maillab-gui --attach ADDR:PORT` read
// from a publisher (sim/record/trace_stream's line_splitter and trace_stream_reader), on any
// bytes, arriving in two pieces split where the first byte says; every event read is merged
// (trace_merge) with a second copy of itself as another source. A stream that is not one ends
// with a reason; nothing may throw or crash.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "sim/record/trace_merge.hpp"
#include "sim/record/trace_stream.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
    std::size_t cut = bytes.empty() ? 0 : data[0] % (bytes.size() + 1);
    maillab::line_splitter lines(4096);
    maillab::trace_stream_reader reader("fuzz:1");
    maillab::trace_merger merger;
    std::size_t a = merger.add_source("a", "fuzz:1", nlohmann::json::object());
    std::size_t b = merger.add_source("a", "fuzz:2", nlohmann::json::object());
    merger.set_clock_offset(b, -static_cast<std::int64_t>(data[0]) * 1000,
                            maillab::clock_offset_origin::given);
    for (std::string_view piece : {bytes.substr(0, cut), bytes.substr(cut)}) {
        if (!lines.feed(piece)) return 0;
        while (auto line = lines.next_line()) {
            auto r = reader.take_line(*line);
            if (r.header) merger.identify_source(a, maillab::source_name(*r.header, "a"), *r.header);
            if (r.ev) {
                merger.push(a, *r.ev);
                merger.push(b, *r.ev);
                (void)merger.release(r.ev->t_us);
            }
        }
    }
    (void)merger.release_all();
    (void)merger.header();
    return 0;
}
