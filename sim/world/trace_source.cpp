#include "sim/world/trace_source.hpp"

#include <fstream>

#include "sim/world/scenario_loader.hpp"
#include "sim/world/scenario_run.hpp"

namespace maillab::world {

bool looks_like_scenario(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::string head(4096, '\0');
    in.read(head.data(), static_cast<std::streamsize>(head.size()));
    head.resize(static_cast<std::size_t>(in.gcount()));
    // A trace starts with its header line {"format":"maillab-trace",...}; a scenario names its
    // format version in the first object.
    return head.find("\"maillab_scenario\"") != std::string::npos &&
           head.find("\"maillab-trace\"") == std::string::npos;
}

trace_file load_trace_or_scenario(const std::string& path) {
    if (!looks_like_scenario(path)) return read_trace_file(path);
    scenario s = load_scenario_file(path);
    scenario_result result = run_scenario(s);
    trace_file f;
    f.header = result.header;
    f.events = std::move(result.events);
    if (!result.passed)
        f.warnings.push_back(path + ": the scenario ran, but not every expectation was met "
                                    "(see the notes at the end of the trace)");
    return f;
}

}  // namespace maillab::world
