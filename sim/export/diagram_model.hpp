// The sequence diagram every drawing format shares (Mermaid, PlantUML, SVG, the HTML page):
// participants are hosts, rows are arrows (commands, replies, message texts, HTTP, DNS, TCP
// connects) and notes (state changes, teaching notes, the scenario's notes, the store and the
// queue, TLS and TCP closes, the teacher's annotations), each with one short label. The formats
// only decide how a row looks, never which rows there are or what they say.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "sim/export/export_source.hpp"

namespace maillab::exporting {

enum class row_shape {
    arrow,  // from one participant to another
    note,   // over one participant, or spanning several
};

enum class arrow_style {
    request,  // a command, a message text, an HTTP request, a DNS query: solid
    answer,   // a reply, an HTTP response, a DNS answer: dashed
    connect,  // a TCP connect: an open arrow
    failed,   // a connect that got no answer or was refused: a cross
};

enum class note_style {
    state,       // a protocol state machine moved
    teaching,    // maillab's remark on what happened (a leniency, what a strict server does)
    scenario,    // the scenario's steps, the teacher's notes in it, the expectation results
    store,       // a mailbox or the relay queue changed
    transport,   // TLS, a TCP close or reset
    annotation,  // a teacher's annotation of the recording
};

struct diagram_participant {
    std::string host;
    std::string description;  // from the header's world, in the export's language, or ""
};

struct diagram_row {
    std::size_t event = 0;  // index into export_source::events
    std::uint64_t seq = 0;
    std::int64_t t_us = 0;
    row_shape shape = row_shape::note;
    arrow_style arrow = arrow_style::request;
    note_style note = note_style::teaching;
    // An arrow goes from `from` to `to`; a note covers the participants first..last.
    int from = 0, to = 0;
    int first = 0, last = 0;
    std::string proto;  // the event's protocol (for colour); "tcp", "tls", "world", ...
    std::string label;  // one line, at most diagram_options::max_label columns
};

struct diagram {
    std::string title;
    std::vector<diagram_participant> participants;
    std::vector<diagram_row> rows;
};

struct diagram_options {
    std::size_t max_label = 72;  // columns; a Chinese character takes two
    // A note over several participants (the scenario's steps and teacher's notes) has their
    // whole width.
    std::size_t max_wide_note = 140;
};

diagram build_diagram(const export_source& src, const diagram_options& options = {});

// "0.014 s": time since the trace's first event.
std::string relative_time(std::int64_t t_us, std::int64_t start_us);

}  // namespace maillab::exporting
