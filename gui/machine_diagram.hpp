// A state machine described as data (sim/core/state_machine) drawn as nodes and edges, with the
// current state lit, the previous one outlined and the last transition in gold with its
// trigger. Used for the protocol servers' machines and for the relay queue's.
#pragma once

#include <string_view>

#include "sim/core/state_machine.hpp"

namespace maillab::gui {

// Draws into the current window at the cursor, `height` tall and as wide as the window allows.
// `current` / `previous` may be empty (nothing lit).
void draw_machine(const state_machine_spec& spec, std::string_view current,
                  std::string_view previous, float height, bool presentation);

}  // namespace maillab::gui
