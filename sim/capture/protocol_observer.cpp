#include "sim/capture/protocol_observer.hpp"

namespace maillab::capture {

void trace_state_changes(connection_tracer& tracer, std::string_view machine,
                         const std::vector<state_change>& changes,
                         std::optional<std::uint64_t> cause) {
    for (const auto& c : changes) tracer.state(machine, c.from, c.to, c.reason, cause);
}

}  // namespace maillab::capture
