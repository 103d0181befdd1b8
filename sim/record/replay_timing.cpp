#include "sim/record/replay_timing.hpp"

#include <algorithm>

namespace maillab {

std::int64_t replay_pause_us(std::int64_t previous_t_us, std::int64_t next_t_us, double speed) {
    if (next_t_us <= previous_t_us || !(speed > 0)) return 0;
    double scaled = static_cast<double>(next_t_us - previous_t_us) / speed;
    // Compare as doubles: a tiny speed would overflow the integer before the cap applied.
    if (scaled >= static_cast<double>(replay_max_pause_us)) return replay_max_pause_us;
    return static_cast<std::int64_t>(scaled);
}

}  // namespace maillab
