// Where each protocol session's state machine stands at the cursor: the current state and the
// last transition, per connection, read from the trace's state events.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "sim/core/state_machine.hpp"
#include "sim/view/trace_model.hpp"

namespace maillab::view {

struct machine_status {
    const state_machine_spec* spec = nullptr;  // null for machines without a description
    std::string machine;                       // "smtp.server"
    std::uint64_t conn = 0;
    std::string host;                          // where the machine runs
    std::string current;
    std::string previous;                      // from-state of the last transition
    std::size_t last_event_index = 0;          // the state event of the last transition
};

// Every (machine, connection) that has moved at or before `cursor`, in order of first movement.
std::vector<machine_status> machines_at(const trace_model& model, std::size_t cursor);

// machines_at() for a view that asks every frame: keeps the last answer, so asking again at the
// same cursor costs nothing, and a cursor moved forward (playing, stepping) applies only the
// state events in between. Going back, or another trace, starts again from the first event.
// On a million-event recording machines_at() every frame was what made the GUI unusable
// (docs/performance.md, GUI frame time).
class machine_tracker {
public:
    const std::vector<machine_status>& at(const trace_model& model, std::size_t cursor);

private:
    void restart(const trace_model& model);

    const event* first_event_ = nullptr;  // which trace the answer is for (its storage)
    std::size_t applied_events_ = 0;      // state events applied up to (not including) this index
    std::size_t next_state_ = 0;          // position in model.state_events() of the next one
    bool valid_ = false;
    std::vector<machine_status> machines_;
    std::unordered_map<std::string, std::size_t> where_;  // "machine#conn" -> index in machines_
};

// "In READY the server accepts: MAIL, RSET, NOOP, ..." for a machine at a state; empty when the
// description does not say.
std::vector<std::string> expected_commands(const machine_status& status);

}  // namespace maillab::view
