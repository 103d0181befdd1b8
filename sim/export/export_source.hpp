// What every export format reads: the trace's header, the events the command line's filters
// chose (in seq order), the connections of the whole trace, the teacher's annotations on the
// chosen events, and the language. The command builds it once and hands it to the format that
// was asked for, so the transcript, the diagrams and the HTML page always agree on what is in.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "sim/core/event.hpp"
#include "sim/explain/catalog.hpp"
#include "sim/record/trace_io.hpp"
#include "sim/view/connections.hpp"

namespace maillab::exporting {

struct export_filter {
    // An event matches a protocol when it is its own ("smtp") or that of its connection, so
    // "smtp" keeps the TCP connect, the TLS handshake and the notes of every SMTP connection.
    std::set<std::string> protos;
    std::set<std::string> hosts;  // the event's from or to
    std::set<std::uint64_t> conns;
    // Empty: every kind but `bytes`, whose chunks repeat what the commands, replies and
    // messages already carry byte for byte. Listing `bytes` brings them in.
    std::set<event_kind> kinds;
    std::optional<std::uint64_t> first_seq, last_seq;  // both ends included
    std::string text;  // case-insensitive, in the text or the raw bytes (a saved view's search)

    bool matches(const event& e, const std::string& connection_proto) const;
    // "proto smtp, imap; seq 40-120", or "" when nothing is filtered.
    std::string describe() const;
};

// A teacher's annotation, as the exports show it: a note in the export's language, or a
// bookmark's name.
struct remark {
    std::uint64_t seq = 0;
    std::string text;
    bool bookmark = false;
};

struct export_source {
    nlohmann::json header = nlohmann::json::object();
    std::vector<event> events;  // the chosen events, in seq order
    // Every connection of the whole trace (client, server, protocol, port), whether or not its
    // events were chosen: a filtered transcript still names both ends and the port.
    std::vector<view::connection_info> connections;
    std::unordered_map<std::uint64_t, std::size_t> connection_index;  // conn -> position above
    std::vector<remark> remarks;  // on chosen events, by seq (file order among one event's)
    language lang = language::en;
    std::int64_t start_us = 0;     // the whole trace's first event: times count from here
    std::size_t trace_events = 0;  // events in the whole trace
    std::string filter_summary;    // export_filter::describe()

    const view::connection_info* connection(std::uint64_t conn) const;
    // The header's title in the export's language, else the scenario's id, else a generic one.
    std::string title() const;
    std::string description() const;  // the header's description in that language, or ""
    // Hosts in the order the header's world lists them (empty for a trace without one).
    std::vector<std::string> declared_hosts() const;
    std::span<const remark> remarks_on(std::uint64_t seq) const;
};

// Chooses the events and the annotations on them. Throws std::invalid_argument when a filter
// names a protocol, host or connection the trace does not have (listing the ones it has), or
// when nothing is left.
export_source make_export_source(const trace_file& file, const export_filter& filter,
                                 language lang);

}  // namespace maillab::exporting
