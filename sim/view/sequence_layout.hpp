// The sequence diagram as data: one lane per host, one row per message-like event (command,
// reply, message text, TCP connect/close, TLS, store, state change). The GUI draws only the rows
// in view, found by binary search, so a million events cost nothing when scrolled past.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "sim/core/event.hpp"
#include "sim/view/trace_model.hpp"

namespace maillab::view {

enum class row_shape {
    arrow,   // from one lane to another (command, reply, data, connect)
    marker,  // on one lane (state change, TLS, store, close)
};

struct sequence_row {
    std::size_t event_index;
    int from_lane;
    int to_lane;  // == from_lane for markers
    row_shape shape;
    std::string label;
};

struct sequence_layout {
    std::vector<std::string> lanes;  // host names, left to right
    std::vector<sequence_row> rows;  // ascending event_index

    // The row of this event, or of the last row before it.
    std::optional<std::size_t> row_at_or_before(std::size_t event_index) const;
    std::optional<std::size_t> row_of(std::size_t event_index) const;
};

// Rows for the events at `indices` (ascending, usually a filtered_index) that belong in the
// diagram. Labels are cut to `max_label` characters.
sequence_layout layout_sequence(const trace_model& model, const std::vector<std::size_t>& indices,
                                std::size_t max_label = 64);

// Adds the rows for indices[from...] to a layout made by layout_sequence() for indices[0, from):
// what a growing (live) trace needs each frame, instead of laying everything out again. Lanes
// of hosts seen for the first time are added on the right, so existing rows keep theirs.
void extend_sequence(sequence_layout& layout, const trace_model& model,
                     const std::vector<std::size_t>& indices, std::size_t from,
                     std::size_t max_label = 64);

bool belongs_in_sequence(const event& e);

}  // namespace maillab::view
