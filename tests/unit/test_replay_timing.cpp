#include "sim/record/replay_timing.hpp"

#include <doctest/doctest.h>

using namespace maillab;

TEST_CASE("replay timing: the gap scaled by the speed, never more than two seconds") {
    CHECK(replay_pause_us(1'000'000, 1'500'000, 1.0) == 500'000);
    CHECK(replay_pause_us(1'000'000, 1'500'000, 100.0) == 5'000);
    CHECK(replay_pause_us(1'000'000, 1'500'000, 0.5) == 1'000'000);
    // An idle hour in a live class: capped.
    CHECK(replay_pause_us(0, 3'600'000'000LL, 1.0) == replay_max_pause_us);
    CHECK(replay_pause_us(0, 3'600'000'000LL, 1e-9) == replay_max_pause_us);
    CHECK(replay_pause_us(0, 3'000'000, 1.0) == replay_max_pause_us);
    // The same instant, or times out of order: no wait.
    CHECK(replay_pause_us(5, 5, 1.0) == 0);
    CHECK(replay_pause_us(9, 5, 1.0) == 0);
    CHECK(replay_pause_us(0, 10, 0.0) == 0);
}
