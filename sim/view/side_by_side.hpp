// Two connections in parallel lanes (seed 001's summary: a POP3 device and an IMAP device see the
// same mailbox differently). Each lane holds its connection's commands, replies, message text
// and the store changes it caused; rows line the two up by time, counted from each connection's
// start (so two sessions an hour apart still run side by side) or on the trace's own clock.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sim/view/connections.hpp"
#include "sim/view/trace_model.hpp"

namespace maillab::view {

enum class lane_clock {
    from_start,  // time since each connection's first event
    absolute,    // the trace's time
};

struct lane_row {
    std::int64_t t_us = 0;                   // on the chosen clock
    std::optional<std::size_t> left, right;  // event indices
};

// Whether an event belongs in a lane (commands, replies, data, store changes, TLS, connect
// and close; not raw bytes, notes or state changes).
bool belongs_in_lane(const event& e);

std::vector<lane_row> align_lanes(const trace_model& model, std::uint64_t left_conn,
                                  std::uint64_t right_conn, lane_clock clock);

// The pair shown first: a POP3 and an IMAP connection of user agents when the trace has both
// (the IMAP one that changed the most, then the POP3 one), else the first two retrieval
// connections, else the first two connections. {0, 0} when the trace has fewer than two.
std::pair<std::uint64_t, std::uint64_t> default_lanes(const trace_model& model,
                                                      const std::vector<connection_info>& conns);

// What one connection did to the mailbox and took from it, up to the cursor: the effect that
// makes the difference between the lanes obvious.
struct lane_summary {
    std::size_t commands = 0;
    std::size_t octets_received = 0;   // message text and replies sent to the client
    std::size_t messages_fetched = 0;  // RETR or FETCH of a body, by Message-ID
    std::size_t flags_changed = 0;
    std::size_t removed = 0;  // expunged on the server
};

lane_summary summarize_lane(const trace_model& model, std::uint64_t conn, std::size_t cursor);

}  // namespace maillab::view
