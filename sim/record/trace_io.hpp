// JSON Lines serialisation of the trace (format documented in docs/trace-format.md).
// Line 1 is a header {"format":"maillab-trace","version":N,...}; every other line is one event,
// or (version 2) a teacher's annotation {"annotation":{...}} (sim/record/annotations.hpp).
// Writing then reading gives back equal events (lossless): raw bytes that are not valid UTF-8
// travel as base64 in "raw_b64".
#pragma once

#include <istream>
#include <ostream>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/core/event.hpp"
#include "sim/core/trace.hpp"
#include "sim/record/annotations.hpp"

namespace maillab {

// The newest format version this maillab reads. 1: header and events. 2: annotation lines too.
inline constexpr int trace_format_version = 2;
inline constexpr std::string_view trace_format_name = "maillab-trace";

// A file is labelled with the lowest version that can hold what it contains: 1 without
// annotations, 2 with. A recording stays readable by an older maillab until a teacher annotates
// it, and a scenario's trace stays byte for byte what it was (golden traces).
int trace_version_for(bool has_annotations);

nlohmann::ordered_json event_to_json(const event& e);
// Throws std::invalid_argument with the offending field named.
event event_from_json(const nlohmann::json& j);

// The header with "format" and "version" first (the given version replaces the header's own).
std::string header_line(const nlohmann::json& header, int version = 1);
std::string event_line(const event& e);  // without the trailing newline

// Writes each event as it is appended, flushed, so that a crash loses at most the line being
// written.
class trace_writer final : public trace_listener {
public:
    // Writes the header when it subscribes to a trace (trace_listener::on_header).
    explicit trace_writer(std::ostream& out);
    // Writes this header now; the trace's header is then not written again.
    trace_writer(std::ostream& out, const nlohmann::json& header);
    void on_header(const nlohmann::json& header) override;
    void on_event(const event& e) override;

private:
    std::ostream& out_;
    bool header_written_ = false;
};

struct trace_file {
    nlohmann::json header;   // as read, "version" included
    int version = 1;         // the file's format version
    std::vector<event> events;
    std::vector<annotation> annotations;  // in file order
    // Problems that did not stop the reading, each naming the file and line: a truncated last
    // line that was skipped, an annotation on an event that is not in the file.
    std::vector<std::string> warnings;
};

class trace_format_error : public std::runtime_error {
public:
    trace_format_error(const std::string& source, std::size_t line, const std::string& what);
    std::size_t line() const { return line_; }

private:
    std::size_t line_;
};

// Checks a parsed header line: "format" is maillab-trace and "version" one this maillab reads.
// Returns the version; throws trace_format_error naming source:line otherwise.
int check_trace_header(const nlohmann::json& j, const std::string& source, std::size_t line);

// `source` names the input in error messages (a file name). Throws trace_format_error naming
// the line: not JSON (unless it is the last line, cut off: then a warning), no header, a
// version newer than trace_format_version (or below 1), a bad event or annotation, an
// annotation in a version 1 file, two annotations with one id.
trace_file read_trace(std::istream& in, const std::string& source);
trace_file read_trace_file(const std::string& path);

// Writes the whole file atomically: a temporary file beside `path`, fsynced, then renamed over
// it, so a crash leaves the old file or the new one, never a mix. Annotations go right after
// the header. The file keeps the old file's permissions. Throws std::runtime_error naming path.
void write_trace_file(const std::string& path, const nlohmann::json& header,
                      const std::vector<event>& events,
                      const std::vector<annotation>& annotations = {});

}  // namespace maillab
