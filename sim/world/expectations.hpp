// Checking a scenario's expectations at the end of a run: against the final mail stores (what is
// in a mailbox, a bounce received, an empty queue) and against the trace (a reply code seen, a
// state reached, any event with given fields). Each result says in words what was found.
#pragma once

#include <string>
#include <vector>

#include "sim/core/event.hpp"
#include "sim/world/scenario.hpp"
#include "sim/world/world.hpp"

namespace maillab::world {

struct expectation_result {
    const expectation_spec* spec = nullptr;
    bool passed = false;
    std::string summary;  // what was expected, in words
    std::string found;    // what was there
};

std::vector<expectation_result> check_expectations(const world& w, const std::vector<event>& events);

// Whether `e` has every field of `match` ("kind", "proto", "from", "to", "text", "explain", "conn"
// or any key of its fields), with an equal value (or an array holding it); "text" matches when
// the event's text contains the wanted string.
bool event_matches(const event& e, const nlohmann::json& match);

}  // namespace maillab::world
