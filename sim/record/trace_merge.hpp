// Several traces made into one: the class network's machines each trace their own host, and the
// teacher's view is all of them on one time line. Each source's events keep their order; across
// sources they are ordered by time once each source's clock offset is applied. Ids that are
// only unique within one source (seq, cause, conn, queue_id) get new values that never collide,
// and every event is tagged with its source ("source" field). A connection that one source
// opened as a named host (a relay from mail.a.example) shows up in the other machine's trace as
// its address and port; the merge names it by the host there too, keeping the address in
// "peer_address", so the hop reads mail.a.example -> mail.b.example on both sides. The result
// is an ordinary trace: it can be recorded, replayed, exported and opened in the GUI.
//
// Live sources arrive at different moments, so the merger holds events back: release(up_to)
// gives out only what is at or before `up_to` on the merged clock (the caller chooses a margin
// for events still on the way); release_all() gives out everything held.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/core/event.hpp"

namespace maillab {

// How a source's clock offset was found, shown beside it.
enum class clock_offset_origin {
    none,       // a recording file with no offset given: taken as it is
    estimated,  // from the publisher's clock in the stream's header
    given,      // --clock-offset HOST=MS
};
const char* to_string(clock_offset_origin o);

struct merge_source {
    std::string name;    // the host (`--as`), the scenario, or the file's name; unique
    std::string origin;  // "ADDR:PORT" of a live stream or the file's path
    std::int64_t clock_offset_us = 0;  // added to the source's times
    clock_offset_origin offset_origin = clock_offset_origin::none;
    nlohmann::json header = nlohmann::json::object();
    std::uint64_t events = 0;  // events taken from this source so far
};

class trace_merger {
public:
    // A new source; `name` is made unique ("NAME#2") if another source has it. Returns its index.
    std::size_t add_source(std::string name, std::string origin, nlohmann::json header);
    // Names a source added before its header was known (a live stream keeps its place in the
    // order the teacher gave): the name is made unique as in add_source.
    void identify_source(std::size_t source, const std::string& name, nlohmann::json header);
    void set_clock_offset(std::size_t source, std::int64_t offset_us, clock_offset_origin origin);

    // Takes one event of `source` (in that source's order).
    void push(std::size_t source, event e);
    // The source's events pushed from now on are a new session (a publisher restarted): their
    // seq, conn and queue ids start again and must not be taken for the earlier session's.
    void restart_source(std::size_t source);

    // The held events at or before `up_to_us` (merged clock), merged, renumbered and tagged.
    std::vector<event> release(std::int64_t up_to_us);
    std::vector<event> release_all();

    // The merged trace's header: the first source's header (its scenario, so the views know
    // the world), "mode": "merged", the title naming the sources, and "sources": [{name,
    // origin, clock_offset_us, clock_offset}] (a source whose header never came is left out).
    nlohmann::json header() const;
    const std::vector<merge_source>& sources() const { return sources_; }
    std::size_t held() const;
    std::uint64_t released() const { return next_seq_ - 1; }

private:
    struct source_state {
        std::deque<event> held;
        std::unordered_map<std::uint64_t, std::uint64_t> seqs;   // source seq -> merged seq
        std::map<std::uint64_t, std::uint64_t> conns;            // source conn -> merged conn
        std::map<std::uint64_t, std::uint64_t> queue_ids;        // source queue_id -> merged
        // Events pushed and renumbered so far, and the push counts at which a new session
        // began: the maps above are cleared when renumbering reaches one, because the events
        // of the earlier session still held must be renumbered with its ids.
        std::uint64_t pushed = 0;
        std::uint64_t renumbered = 0;
        std::deque<std::uint64_t> session_starts;
    };
    struct named_endpoint {
        std::size_t source;  // the source that opened the connection
        std::string host;    // its name there
    };
    void learn_endpoint(std::size_t source, const event& e);
    void name_endpoint(std::size_t source, std::string& host, const char* field, event& e) const;

    event renumber(std::size_t source, event e);
    std::optional<std::size_t> earliest_source() const;

    std::vector<merge_source> sources_;
    std::vector<source_state> states_;
    // "ADDR:PORT" of a connection's client end -> the host that opened it (tcp connect events).
    std::unordered_map<std::string, named_endpoint> endpoints_;
    std::uint64_t next_seq_ = 1;
    std::uint64_t next_conn_ = 1;
    std::uint64_t next_queue_id_ = 1;
};

// Merges complete traces (recording files): `names[i]` and `offsets_us[i]` for `traces[i]`'s
// header and events. A helper for the after-the-fact merge and for tests.
struct merge_input {
    std::string origin;
    nlohmann::json header;
    std::vector<event> events;
    std::optional<std::int64_t> clock_offset_us;  // given; none: taken as it is
};
struct merged_trace {
    nlohmann::json header;
    std::vector<event> events;
    std::vector<merge_source> sources;
};
merged_trace merge_traces(std::vector<merge_input> inputs);

// The name a source is shown by: the header's "as" (serve --as), else the stream publisher's
// host, else the scenario, else `fallback` (a file's name).
std::string source_name(const nlohmann::json& header, const std::string& fallback);

// `--clock-offset HOST=MS`: the source's name and the offset in microseconds (MS may be
// negative and have a fraction). Throws std::invalid_argument saying what is wrong.
std::pair<std::string, std::int64_t> parse_clock_offset(std::string_view text);

// "+12.3 ms", "-0.4 ms", "0 ms": an offset as the teacher reads it.
std::string format_clock_offset(std::int64_t offset_us);

}  // namespace maillab
