#include "sim/view/machine_status.hpp"

#include <algorithm>

namespace maillab::view {

std::vector<machine_status> machines_at(const trace_model& model, std::size_t cursor) {
    std::vector<machine_status> out;
    const auto& states = model.state_events();
    auto end = std::upper_bound(states.begin(), states.end(), cursor);
    for (auto it = states.begin(); it != end; ++it) {
        const event& e = model.at(*it);
        std::string machine = e.fields.value("machine", "");
        auto found = std::find_if(out.begin(), out.end(), [&](const machine_status& m) {
            return m.machine == machine && m.conn == e.conn;
        });
        if (found == out.end()) {
            out.push_back({find_state_machine(machine), machine, e.conn, e.from, "", "", 0});
            found = out.end() - 1;
        }
        found->previous = e.fields.value("from_state", "");
        found->current = e.fields.value("to_state", "");
        found->last_event_index = *it;
    }
    return out;
}

std::vector<std::string> expected_commands(const machine_status& status) {
    if (!status.spec || !status.spec->commands_allowed) return {};
    return status.spec->commands_allowed(status.current);
}

}  // namespace maillab::view
