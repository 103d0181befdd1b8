// The annotated terminal transcript: C:/S: lines, state changes, notes and the explanation of
// each step with its RFC section. Reads events only (the trace is the single source of truth),
// so a live run, a finished run and a recording print the same way.
#pragma once

#include <optional>
#include <ostream>

#include "sim/core/trace.hpp"
#include "sim/explain/catalog.hpp"
#include "sim/record/annotations.hpp"

namespace maillab {

struct transcript_options {
    language lang = language::en;
    bool explanations = true;
    bool show_bytes = false;       // the tap's raw chunks (duplicates C:/S: lines otherwise)
    // The raw chunks of HTTP connections only: a student typing as the browser (lab 06) reads
    // the whole response there, cookies and the form's hidden csrf field included.
    bool http_bytes = false;
    bool color = false;            // ANSI colours for a terminal
    std::size_t max_message_lines = 40;  // message text shown after DATA
    bool show_seq = false;         // each event's seq in front (a replay: what annotate takes)
    // Times are shown from here; unset: from the first event printed. A filtered replay sets the
    // trace's first event, so its times match the full transcript's.
    std::optional<std::int64_t> start_t_us;
};

class transcript_printer final : public trace_listener {
public:
    transcript_printer(std::ostream& out, transcript_options options,
                       const explain_catalog& catalog = explain_catalog::builtin());
    void on_event(const event& e) override { print(e); }
    // `force` prints a `bytes` event even when show_bytes is off (it carries a teacher's note).
    void print(const event& e, bool force = false);
    // A teacher's notes and bookmarks of the event just printed, indented below it.
    void print_annotations(const std::vector<const annotation*>& notes);

private:
    void print_explanation(const event& e);
    std::string prefix(const event& e);
    std::string indent() const;
    std::string paint(std::string_view text, const char* ansi) const;

    std::ostream& out_;
    transcript_options options_;
    const explain_catalog& catalog_;
    std::optional<std::int64_t> first_t_us_;
};

}  // namespace maillab
