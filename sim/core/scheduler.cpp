#include "sim/core/scheduler.hpp"

namespace maillab {

void scheduler::schedule_at(std::int64_t t_us, std::function<void()> action) {
    if (t_us < clock_.now_us()) t_us = clock_.now_us();
    queue_.push(pending{t_us, next_order_++, std::move(action)});
}

void scheduler::schedule_after(std::int64_t delay_us, std::function<void()> action) {
    schedule_at(clock_.now_us() + delay_us, std::move(action));
}

std::size_t scheduler::run(std::size_t max_actions) {
    std::size_t ran = 0;
    while (!queue_.empty() && ran < max_actions) {
        pending next = queue_.top();
        queue_.pop();
        clock_.advance_to(next.t_us);
        next.action();
        ++ran;
    }
    return ran;
}

}  // namespace maillab
