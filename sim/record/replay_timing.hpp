// How long `maillab replay --speed X` waits between two events: their gap in the trace's time
// divided by X, and never more than two seconds, so the idle minutes of a recorded class (no
// client connected) do not stall the lesson.
#pragma once

#include <cstdint>

namespace maillab {

inline constexpr std::int64_t replay_max_pause_us = 2'000'000;

// Microseconds to wait before showing the event at `next_t_us` after the one at
// `previous_t_us`, at `speed` (> 0; 1 = as recorded). Out-of-order times wait 0.
std::int64_t replay_pause_us(std::int64_t previous_t_us, std::int64_t next_t_us, double speed);

}  // namespace maillab
