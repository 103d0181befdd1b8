// The relay queue as a state machine, read from the trace's queue events (docs/trace-format.md,
// "queue events"): each entry (one per destination domain of an accepted mail) moves
// queued -> trying MX -> deferred -> trying MX ... -> delivered or bounced, and leaves the queue.
//
// The relay (sim/world/relay_agent.cpp) traces what it does with an entry, not a state enum, so
// this machine is derived: queue_machine() describes it in the same form as the protocol
// engines' machines, and the state panel draws it with the same code.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "sim/core/state_machine.hpp"
#include "sim/view/trace_model.hpp"

namespace maillab::view {

// "smtp.queue": queued, trying MX, deferred, delivered, bounced.
const state_machine_spec& queue_machine();

struct queue_entry {
    std::string host;  // the relaying server
    std::uint64_t queue_id = 0;
    std::string domain;
    std::string message_id;
    std::vector<std::string> recipients;  // still to deliver
    std::vector<std::string> delivered;
    std::vector<std::string> failed;
    std::string state;     // a state of queue_machine()
    std::string previous;  // the state before the last transition ("" before the first)
    std::string trigger;   // what made the last transition
    int attempt = 0;
    int retries = 0;  // times it was deferred
    std::string mx;   // the MX tried last
    std::string last_error;
    std::int64_t next_attempt_us = 0;  // when deferred
    bool removed = false;              // finished and out of the queue
    std::size_t first_event = 0;
    std::size_t last_event = 0;  // the queue event of the last change
};

// Every queue entry seen at or before `cursor`, in order of enqueueing (finished ones too, with
// removed = true).
std::vector<queue_entry> queue_at(const trace_model& model, std::size_t cursor);

// queue_at() for a view that asks every frame: the last answer is kept, a cursor moved forward
// (playing, stepping) applies only the events in between, going back or another trace starts
// again. Scanning the whole trace up to the cursor every frame was most of a frame on a
// million-event recording (docs/performance.md, GUI frame time).
class queue_tracker {
public:
    const std::vector<queue_entry>& at(const trace_model& model, std::size_t cursor);

private:
    void restart(const trace_model& model);

    const event* first_event_ = nullptr;  // which trace the answer is for (its storage)
    std::size_t next_event_ = 0;          // the next event to apply
    bool valid_ = false;
    std::vector<queue_entry> entries_;
    std::unordered_map<std::string, std::size_t> active_;  // "host#id" -> entry not yet removed
};

}  // namespace maillab::view
