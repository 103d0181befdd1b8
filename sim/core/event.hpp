// The trace event: one thing that happened, as every view (terminal, GUI, lab checker) sees it.
// The schema is declared here once; sim/record/trace_io serialises it and docs/trace-format.md
// documents it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace maillab {

enum class event_kind {
    tcp,      // connect, close, reset of a transport
    tls,      // handshake start, established (version, cipher), failure
    bytes,    // a chunk of bytes exactly as the transport carried it
    command,  // a client command (or an AUTH response line) as the server parsed it
    reply,    // a server reply (single or multi-line)
    data,     // a message text sent after DATA, up to and including the final "."
    state,    // a protocol state machine moved: fields machine, from, to, reason
    store,    // the mail store changed: deliver, enqueue, ...
    queue,    // relay queue: enqueue, retry, bounce
    dns,      // a DNS query or answer
    http,     // an HTTP request or response
    note,     // a teaching remark (leniency, misconception, what a strict server would do)
};

std::string_view to_string(event_kind kind);
std::optional<event_kind> event_kind_from_string(std::string_view name);

// Events are plain values; `fields` holds the kind-specific data (verb, code, machine, ...).
struct event {
    std::uint64_t seq = 0;                // 1, 2, 3 ... assigned by the trace
    std::int64_t t_us = 0;                // microseconds since the Unix epoch (virtual or real)
    std::optional<std::uint64_t> cause;   // seq of the event that caused this one
    std::uint64_t conn = 0;               // connection id; 0 when not tied to a connection
    std::string proto;                    // "smtp", "tcp", "tls", ...
    std::string from;                     // host the bytes or the action came from
    std::string to;                       // host they went to ("" when local)
    event_kind kind = event_kind::note;
    std::string text;                     // one human-readable line
    std::optional<std::string> raw;       // the exact bytes, when there are any
    std::string explain;                  // key into the explanation catalog
    nlohmann::json fields = nlohmann::json::object();

    bool operator==(const event&) const = default;
};

}  // namespace maillab
