#include "sim/view/event_inbox.hpp"

namespace maillab::view {

void event_inbox::on_header(const nlohmann::json& header) {
    std::lock_guard lock(mutex_);
    header_ = header;
}

void event_inbox::on_event(const event& e) {
    // The copy is made before taking the lock, so the GUI never waits for it.
    event copy = e;
    {
        std::lock_guard lock(mutex_);
        queue_.push_back(std::move(copy));
        ++received_;
    }
    if (auto wakeup = wakeup_.load()) wakeup();
}

std::vector<event> event_inbox::take() {
    std::vector<event> out;
    std::lock_guard lock(mutex_);
    out.swap(queue_);
    return out;
}

std::optional<nlohmann::json> event_inbox::header() const {
    std::lock_guard lock(mutex_);
    return header_;
}

std::size_t event_inbox::received() const {
    std::lock_guard lock(mutex_);
    return received_;
}

}  // namespace maillab::view
