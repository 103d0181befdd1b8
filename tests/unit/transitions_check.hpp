// Checks that every state event of a trace follows an edge of its machine's description
// (sim/core/state_machine), so the GUI's diagrams cannot drift from what the engines do.
#pragma once

#include <doctest/doctest.h>

#include <vector>

#include "sim/core/event.hpp"
#include "sim/core/state_machine.hpp"

namespace maillab::test {

inline void check_transitions(const std::vector<event>& events) {
    for (const auto& e : events) {
        if (e.kind != event_kind::state) continue;
        const auto* spec = find_state_machine(e.fields.value("machine", ""));
        if (!spec) continue;  // client machines are not described yet
        INFO("event ", e.seq, ": ", e.text);
        CHECK(spec->allows(e.fields.value("from_state", ""), e.fields.value("to_state", "")));
    }
}

}  // namespace maillab::test
