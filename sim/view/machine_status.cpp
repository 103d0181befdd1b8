#include "sim/view/machine_status.hpp"

#include <algorithm>

#include "sim/core/event_fields.hpp"

namespace maillab::view {

namespace {

// Applies one state event: its (machine, connection) moved. `where` finds a machine's entry in
// constant time; a linear search here made a big trace's cost quadratic.
void apply_state_event(const trace_model& model, std::size_t index,
                       std::vector<machine_status>& out,
                       std::unordered_map<std::string, std::size_t>& where) {
    const event& e = model.at(index);
    std::string machine = text_field(e, "machine");
    auto [it, added] = where.try_emplace(machine + "#" + std::to_string(e.conn), out.size());
    if (added) out.push_back({find_state_machine(machine), machine, e.conn, e.from, "", "", 0});
    machine_status& found = out[it->second];
    found.previous = text_field(e, "from_state");
    found.current = text_field(e, "to_state");
    found.last_event_index = index;
}

}  // namespace

std::vector<machine_status> machines_at(const trace_model& model, std::size_t cursor) {
    std::vector<machine_status> out;
    std::unordered_map<std::string, std::size_t> where;
    const auto& states = model.state_events();
    auto end = std::upper_bound(states.begin(), states.end(), cursor);
    for (auto it = states.begin(); it != end; ++it) apply_state_event(model, *it, out, where);
    return out;
}

void machine_tracker::restart(const trace_model& model) {
    first_event_ = model.empty() ? nullptr : &model.at(0);
    applied_events_ = 0;
    next_state_ = 0;
    machines_.clear();
    where_.clear();
    valid_ = true;
}

const std::vector<machine_status>& machine_tracker::at(const trace_model& model,
                                                       std::size_t cursor) {
    const event* first = model.empty() ? nullptr : &model.at(0);
    // Events are only ever appended to a model; another model (a file opened) has other storage.
    if (!valid_ || first != first_event_ || cursor + 1 < applied_events_) restart(model);
    const auto& states = model.state_events();
    while (next_state_ < states.size() && states[next_state_] <= cursor)
        apply_state_event(model, states[next_state_++], machines_, where_);
    applied_events_ = cursor + 1;
    return machines_;
}

std::vector<std::string> expected_commands(const machine_status& status) {
    if (!status.spec || !status.spec->commands_allowed) return {};
    return status.spec->commands_allowed(status.current);
}

}  // namespace maillab::view
