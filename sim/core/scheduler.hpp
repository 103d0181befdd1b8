// A discrete-event scheduler on the virtual clock (the ns-3 habit): actions run in (time, order
// of scheduling) order, so a run is deterministic whatever the machine is doing.
#pragma once

#include <cstdint>
#include <functional>
#include <queue>
#include <vector>

#include "sim/core/clock.hpp"

namespace maillab {

class scheduler {
public:
    explicit scheduler(virtual_clock& clock) : clock_(clock) {}

    void schedule_at(std::int64_t t_us, std::function<void()> action);
    void schedule_after(std::int64_t delay_us, std::function<void()> action);

    // Runs actions until none is left or `max_actions` ran; returns how many ran.
    std::size_t run(std::size_t max_actions = SIZE_MAX);
    bool idle() const { return queue_.empty(); }
    virtual_clock& clock() { return clock_; }

private:
    struct pending {
        std::int64_t t_us;
        std::uint64_t order;
        std::function<void()> action;
    };
    struct later_first {
        bool operator()(const pending& a, const pending& b) const {
            return a.t_us != b.t_us ? a.t_us > b.t_us : a.order > b.order;
        }
    };

    virtual_clock& clock_;
    std::uint64_t next_order_ = 0;
    std::priority_queue<pending, std::vector<pending>, later_first> queue_;
};

}  // namespace maillab
