// libFuzzer target: the scenario loader (sim/world/scenario_loader) on any text. A scenario
// file comes from anywhere (handed around a class): it must load, or be refused with a
// file_format_error naming the place, never crash, hang or throw anything else.
#include <cstddef>
#include <cstdint>
#include <string>

#include "sim/core/strict_json.hpp"
#include "sim/world/scenario_loader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string text(reinterpret_cast<const char*>(data), size);
    try {
        (void)maillab::world::load_scenario_text("fuzz.json", text);
    } catch (const maillab::file_format_error&) {
        // The one expected way to refuse a file; anything else escapes and is a finding.
    }
    return 0;
}
