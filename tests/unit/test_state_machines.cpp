// The described state machines (sim/core/state_machine.hpp) against what the engines do: every
// state change in every shipped scenario's golden trace, clients and servers, must be one of
// its machine's transitions, and every machine must show up there, so a diagram never lacks
// an edge the engine takes. The descriptions themselves must be whole: a grid cell per state,
// every transition between known states, no two states drawn on top of each other.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <set>
#include <string>

#include "sim/core/event_fields.hpp"
#include "sim/core/state_machine.hpp"
#include "sim/record/trace_io.hpp"
#include "transitions_check.hpp"

using namespace maillab;

TEST_CASE("state machines: every state change of the golden traces is described") {
    std::set<std::string> seen;
    std::size_t traces = 0;
    for (const auto& entry :
         std::filesystem::directory_iterator(std::string(MAILLAB_SOURCE_DIR) + "/tests/golden")) {
        if (entry.path().extension() != ".jsonl") continue;
        ++traces;
        INFO(entry.path().filename().string());
        trace_file f = read_trace_file(entry.path().string());
        test::check_transitions(f.events);
        for (const auto& e : f.events)
            if (e.kind == event_kind::state) {
                std::string machine = text_field(e, "machine");
                CHECK_MESSAGE(find_state_machine(machine) != nullptr, "undescribed ", machine);
                seen.insert(machine);
            }
    }
    CHECK(traces >= 9);
    for (const auto* m : state_machines()) CHECK_MESSAGE(seen.count(std::string(m->machine)), m->machine);
}

TEST_CASE("state machines: the descriptions are whole and drawable") {
    for (const auto* m : state_machines()) {
        INFO(m->machine);
        REQUIRE(m->grid.size() == m->states.size());
        std::set<std::string_view> states(m->states.begin(), m->states.end());
        CHECK(states.size() == m->states.size());
        for (const auto& t : m->transitions) {
            CHECK(states.count(t.from));
            CHECK(states.count(t.to));
            CHECK_FALSE(t.trigger.empty());
        }
        if (!m->from_any_state.empty()) {
            CHECK(states.count(m->from_any_state));
            CHECK_FALSE(m->from_any_trigger.empty());
            CHECK(m->allows(m->states.front(), m->from_any_state));
            CHECK_FALSE(m->allows(m->from_any_state, m->from_any_state));
        }
        // Nodes are about 0.7 of a column wide and 0.6 of a row high: two states closer than
        // that in both directions would be drawn over each other.
        for (std::size_t i = 0; i < m->grid.size(); ++i)
            for (std::size_t j = i + 1; j < m->grid.size(); ++j) {
                bool apart = std::fabs(m->grid[i].first - m->grid[j].first) >= 0.75f ||
                             std::fabs(m->grid[i].second - m->grid[j].second) >= 0.75f;
                CHECK_MESSAGE(apart, m->states[i], " and ", m->states[j], " overlap");
            }
    }
}
