// libFuzzer target: the trace loader (sim/record/trace_io's read_trace) on any bytes, as
// `maillab replay`, `export` and the GUI open a recording someone handed them; what it loads
// is written out again as the recorder and `maillab annotate` would. A damaged file is refused
// with a trace_format_error naming the line, never a crash or another exception.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include "sim/record/trace_io.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
    try {
        maillab::trace_file file = maillab::read_trace(in, "fuzz.jsonl");
        (void)maillab::header_line(file.header, file.version);
        for (const auto& e : file.events) (void)maillab::event_line(e);
    } catch (const maillab::trace_format_error&) {
        // The one expected way to refuse a file; anything else escapes and is a finding.
    }
    return 0;
}
