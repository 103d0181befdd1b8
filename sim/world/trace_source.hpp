// What a viewer can open: a recorded trace (JSON Lines) or a scenario file, which is run on the
// virtual clock to produce its trace. The GUI and the terminal replay use this so that
// `maillab-gui scenarios/classic.json` just works.
#pragma once

#include <string>

#include "sim/record/trace_io.hpp"

namespace maillab::world {

// True when the file's text is a scenario ({"maillab_scenario": ...}) rather than a trace.
bool looks_like_scenario(const std::string& path);

// Reads a trace, or loads and runs a scenario (its expectation results are in the trace as
// notes). Throws with file, line and column on a bad file of either kind.
trace_file load_trace_or_scenario(const std::string& path);

}  // namespace maillab::world
