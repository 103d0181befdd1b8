// libFuzzer target: the capture importer (sim/capture, `maillab import`) on any bytes. libpcap
// reads files only, so each input is written to one scratch file first; then the whole import
// runs: frames, TCP reassembly, protocol recognition, the SMTP/POP3/IMAP/HTTP observers. A file
// that is not a capture is refused with a capture_error naming it, never a crash.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <unistd.h>

#include "sim/capture/capture_import.hpp"
#include "sim/capture/pcap_reader.hpp"
#include "sim/record/trace_io.hpp"

namespace {
const std::string& scratch_path() {
    static const std::string path = [] {
        const char* dir = std::getenv("TMPDIR");
        return std::string(dir && *dir ? dir : "/tmp") + "/maillab-fuzz-pcap-" +
               std::to_string(::getpid()) + ".pcap";
    }();
    static const bool removed_at_exit = [] {
        std::atexit([] { std::remove(scratch_path().c_str()); });
        return true;
    }();
    (void)removed_at_exit;
    return path;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string& path = scratch_path();
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) return 0;
    if (size) std::fwrite(data, 1, size, f);
    std::fclose(f);
    for (bool keep_partial : {false, true}) {
        try {
            maillab::capture::import_options options;
            options.keep_partial = keep_partial;
            auto result = maillab::capture::import_capture(path, options);
            (void)maillab::header_line(result.header);
            for (const auto& e : result.events) (void)maillab::event_line(e);
        } catch (const maillab::capture::capture_error&) {
            // The one expected way to refuse a file; anything else escapes and is a finding.
        }
    }
    return 0;
}
