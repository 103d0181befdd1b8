// libFuzzer target: the lab loader (sim/lab/lab_loader) on any text, the lab's own scenario
// included (checkpoints are checked against it). A lab that names a scenario by path finds the
// shipped ones: the text is loaded as if it were labs/fuzz.json of the source tree. It must
// load or be refused with a file_format_error naming the place.
#include <cstddef>
#include <cstdint>
#include <string>

#include "sim/core/strict_json.hpp"
#include "sim/lab/lab_loader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string text(reinterpret_cast<const char*>(data), size);
    try {
        (void)maillab::lab::load_lab_text(MAILLAB_SOURCE_DIR "/labs/fuzz.json", text);
    } catch (const maillab::file_format_error&) {
        // The one expected way to refuse a file; anything else escapes and is a finding.
    }
    return 0;
}
