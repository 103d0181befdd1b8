#include "sim/capture/protocol_observer.hpp"

namespace maillab::capture {

void trace_state_changes(connection_tracer& tracer, std::string_view machine,
                         const std::vector<state_change>& changes,
                         std::optional<std::uint64_t> cause) {
    for (const auto& c : changes) tracer.state(machine, c.from, c.to, c.reason, cause);
}

std::string_view line_resync::take(std::string_view bytes) {
    if (!bytes.empty()) at_line_end_ = bytes.back() == '\n';
    if (!skipping_) return bytes;
    auto lf = bytes.find('\n');
    if (lf == std::string_view::npos) return {};
    skipping_ = false;
    return bytes.substr(lf + 1);
}

}  // namespace maillab::capture
