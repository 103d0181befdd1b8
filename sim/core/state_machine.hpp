// A protocol state machine described as data: its states and the transitions its engine may
// make. The engines' enter_state() moves only along these edges (the unit tests check every
// state event of every test trace against them), and the GUI and the docs draw the diagrams from
// them, so what students see cannot drift from what runs.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace maillab {

struct state_transition {
    std::string_view from;
    std::string_view to;
    std::string_view trigger;  // a short label: "EHLO", "QUIT", "connection lost"
    // A rare edge whose line would cross other states in the drawing: drawn only when it is
    // the transition just taken. Checks treat it like any other.
    bool quiet = false;
};

struct state_machine_spec {
    std::string_view machine;  // the `machine` field of its state events: "smtp.server"
    std::string_view title;    // "SMTP server"
    std::vector<std::string_view> states;  // the first is where it starts
    // Where each state sits in a drawing, as (column, row) in a small grid: a hint for diagrams
    // only, one entry per state.
    std::vector<std::pair<float, float>> grid;
    std::vector<state_transition> transitions;
    // The commands the peer may send in a state (from the engine's command table); empty for
    // states where the peer sends data rather than commands.
    std::vector<std::string> (*commands_allowed)(std::string_view state) = nullptr;
    // A state that every other one may move to (a client's FAILED: an error reply it cannot go
    // on from, the connection lost), with its trigger. Diagrams show it as one label on that
    // state instead of an edge from each. Empty: none.
    std::string_view from_any_state{};
    std::string_view from_any_trigger{};

    bool allows(std::string_view from, std::string_view to) const;
};

// The commands of an engine's command table allowed in the state called `state`: each entry has
// a name field and an `allowed_states` bit mask over the engine's state enum (0..last), whose
// to_string() gives the state names.
template <class State, class Spec, class Name>
std::vector<std::string> commands_allowed_in(std::span<const Spec> table, Name Spec::*name,
                                             std::string_view state, State last) {
    std::vector<std::string> out;
    for (const auto& spec : table)
        for (unsigned s = 0; s <= static_cast<unsigned>(last); ++s)
            if ((spec.allowed_states & (1u << s)) && to_string(static_cast<State>(s)) == state)
                out.emplace_back(spec.*name);
    return out;
}

// Every machine maillab runs.
std::span<const state_machine_spec* const> state_machines();
const state_machine_spec* find_state_machine(std::string_view machine);

}  // namespace maillab
