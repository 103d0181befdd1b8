// Checkpoints are predicates over trace events (docs/lab-format.md#checkpoints). A pattern
// describes one event; predicates count matching events and compose (all, any, not, before).
// Evaluation reads events only, so a live run, a replayed attempt and a recording check alike.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/core/event.hpp"
#include "sim/lab/lab.hpp"

namespace maillab::lab {

struct predicate_result {
    bool passed = false;
    // The seq of the event that made it pass (for "before"); 0 when no single event did.
    std::uint64_t witness = 0;
    std::string found;     // what was there, in words
    std::string found_zh;  // the same in Chinese (reports in Chinese, the GUI's 中文)
};

// The events a step looks at: `all` is the whole trace (seq N at index N-1, for causes), and
// only those with seq >= `first_seq` count.
struct event_window {
    const std::vector<event>& all;
    std::uint64_t first_seq = 1;
};

// Whether `e` matches `pattern`: every key must hold. Keys: kind, proto, from, to, explain,
// conn, text (contains), raw (contains), cause (a pattern the causing event matches), or any
// kind-specific field. A value is equal (a field holding an array matches when one element is),
// or an operator object: {"contains": "x"} (case-insensitive), {"one_of": [...]},
// {"min": n, "max": m}, {"not": value}.
bool pattern_matches(const event& e, const nlohmann::json& pattern, const event_window& w);

predicate_result evaluate(const predicate& p, const event_window& w);

}  // namespace maillab::lab
