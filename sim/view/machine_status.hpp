// Where each protocol session's state machine stands at the cursor: the current state and the
// last transition, per connection, read from the trace's state events.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
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

// "In READY the server accepts: MAIL, RSET, NOOP, ..." for a machine at a state; empty when the
// description does not say.
std::vector<std::string> expected_commands(const machine_status& status);

}  // namespace maillab::view
