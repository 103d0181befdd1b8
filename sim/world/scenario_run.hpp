// Runs a scenario from start to end on the virtual clock and checks its expectations: what
// `maillab run SCENARIO.json`, the tests and the GUI use. The expectation results are also put
// into the trace as notes, so a replay shows them.
#pragma once

#include <optional>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/core/trace.hpp"
#include "sim/world/expectations.hpp"
#include "sim/world/scenario.hpp"
#include "sim/world/world.hpp"

namespace maillab::world {

struct scenario_result {
    nlohmann::json header;
    std::vector<event> events;
    std::vector<step_outcome> steps;
    std::vector<expectation_result> expectations;
    bool all_steps_finished = false;
    bool passed = false;  // every step finished and every expectation held
    std::optional<client_output_edit_status> edit;  // a what-if branch: what became of its edit
};

// `edit`: a what-if branch (what_if.hpp); without it the run is the scenario's own.
scenario_result run_scenario(const scenario& s, const std::vector<trace_listener*>& listeners = {},
                             const client_output_edit* edit = nullptr);

// The trace header of a scenario: its id, titles and the topology (hosts, roles, domains, MX,
// links), so a viewer can draw the world without the scenario file.
nlohmann::json scenario_header(const scenario& s);

}  // namespace maillab::world
