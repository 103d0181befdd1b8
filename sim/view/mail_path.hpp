// "Follow one mail": every event of one message across hosts, in trace order, grouped into hops
// (a run of events on one connection, or at one host's queue, or one DNS lookup). The Message-ID
// is the thread (docs/trace-format.md, "Following one mail across hosts"); around it come the
// events that carry the mail without naming it: the DNS lookup its relay made, the flag changes
// and expunge of the copies it left in mailboxes, and the HTTP requests of a webmail that
// submitted it or fetched it (reached through the `cause` links of the webmail's legs).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "sim/view/trace_model.hpp"

namespace maillab::view {

struct mail_path {
    std::string message_id;
    std::vector<std::size_t> events;      // ascending event indices
    std::vector<std::size_t> hop_starts;  // positions in `events` where a hop begins

    bool empty() const { return events.empty(); }
    bool contains(std::size_t event_index) const;
    // 1-based hop of an event of the path; 0 for an event not in it.
    std::size_t hop_number(std::size_t event_index) const;
    std::size_t hops() const { return hop_starts.size(); }
    // The hop of the last event of the path at or before `cursor` (1-based); 0 before the first.
    std::size_t hop_at_or_before(std::size_t cursor) const;
    // The first event of the first hop that starts after `cursor`, if any.
    std::optional<std::size_t> next_hop(std::size_t cursor) const;
    // The first event of the hop before the one at or before `cursor`.
    std::optional<std::size_t> previous_hop(std::size_t cursor) const;
};

// The Message-ID an event carries: its `message_id` field, else (a stored copy, message text)
// the Message-ID header of its raw bytes; "" when none.
std::string message_id_of(const event& e);

mail_path follow_mail(const trace_model& model, const std::string& message_id);

// Every Message-ID in the trace, in order of first appearance.
std::vector<std::string> message_ids(const trace_model& model);

}  // namespace maillab::view
