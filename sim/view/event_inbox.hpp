// The hand-off between a trace that lives on another thread (the io_context of the servers
// maillab-gui runs with --serve) and the GUI thread, which owns the view model. The inbox is a
// listener of that trace: on_event() copies each event into a queue under a mutex; the GUI
// takes everything queued once per frame. Nothing else crosses threads: the trace, its
// listeners and the engines stay on their thread, the model on the GUI's.
#pragma once

#include <atomic>
#include <cstddef>
#include <mutex>
#include <optional>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/core/event.hpp"
#include "sim/core/trace.hpp"

namespace maillab::view {

class event_inbox final : public trace_listener {
public:
    // Producer side (the trace's thread).
    void on_header(const nlohmann::json& header) override;
    void on_event(const event& e) override;

    // Consumer side (any other thread): every event queued since the last call, in the order
    // they were appended. Cheap when nothing is queued: the vector is swapped out, not copied.
    std::vector<event> take();
    // The header of the trace this inbox subscribed to, once it has.
    std::optional<nlohmann::json> header() const;
    // Events received so far (taken or not).
    std::size_t received() const;
    // Called on the producer's thread after each event is queued, so a consumer that sleeps
    // between frames wakes at once (the GUI passes glfwPostEmptyEvent). May be set at any time;
    // the function must be safe to call from another thread.
    void set_wakeup(void (*wakeup)()) { wakeup_.store(wakeup); }

private:
    mutable std::mutex mutex_;
    std::vector<event> queue_;
    std::optional<nlohmann::json> header_;
    std::size_t received_ = 0;
    std::atomic<void (*)()> wakeup_{nullptr};
};

}  // namespace maillab::view
