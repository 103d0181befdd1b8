// Which events the log and the diagram show: by protocol, host, connection, kind and text.
// filtered_index keeps the matching positions and, while the filter is unchanged, only looks at
// events appended since the last update, so a live trace of a million events stays cheap.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "sim/core/event.hpp"
#include "sim/view/trace_model.hpp"

namespace maillab::view {

struct event_filter {
    std::set<std::string> protos;  // empty: every protocol
    std::set<std::string> hosts;   // an event matches when its from or to is listed
    std::set<std::uint64_t> conns;
    std::set<event_kind> kinds;
    std::string text;              // case-insensitive, in text and raw
    // A stretch of the trace by seq, both ends included (a replay's --from/--to, a saved view).
    std::optional<std::uint64_t> from_seq;
    std::optional<std::uint64_t> to_seq;

    bool matches(const event& e) const;
    bool operator==(const event_filter&) const = default;
};

// {"command", "reply"} -> those kinds, for --kind options. Throws std::invalid_argument naming
// the unknown name and listing the valid ones.
std::set<event_kind> kinds_from_names(const std::vector<std::string>& names);

class filtered_index {
public:
    // Brings the index up to date; returns true when it changed.
    bool update(const trace_model& model, const event_filter& filter);
    const std::vector<std::size_t>& indices() const { return indices_; }
    // Position in indices() of the last entry <= event_index (for the cursor), if any.
    std::optional<std::size_t> position_at_or_before(std::size_t event_index) const;

private:
    event_filter filter_;
    std::size_t scanned_ = 0;
    bool valid_ = false;
    std::vector<std::size_t> indices_;
};

}  // namespace maillab::view
