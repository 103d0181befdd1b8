// Moving the cursor through a trace the way a teacher steps through a lesson.
#pragma once

#include <cstddef>
#include <optional>

#include "sim/view/trace_model.hpp"

namespace maillab::view {

enum class step_unit {
    event,       // the next or previous event
    exchange,    // to the next/previous reply, so a command and its reply appear together
    connection,  // the next/previous event of the cursor's connection only
};

// The new cursor (an event index); the same cursor when there is nowhere to go.
// direction: +1 forward, -1 back.
std::size_t step(const trace_model& model, std::size_t cursor, int direction, step_unit unit);

}  // namespace maillab::view
