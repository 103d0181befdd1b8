// JSON Lines serialisation of the trace (format documented in docs/trace-format.md).
// Line 1 is a header {"format":"maillab-trace","version":N,...}; every other line is one event.
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

namespace maillab {

inline constexpr int trace_format_version = 1;
inline constexpr std::string_view trace_format_name = "maillab-trace";

nlohmann::ordered_json event_to_json(const event& e);
// Throws std::invalid_argument with the offending field named.
event event_from_json(const nlohmann::json& j);

std::string header_line(const nlohmann::json& header);
std::string event_line(const event& e);  // without the trailing newline

// Writes each event as it is appended, flushed, so that a crash loses at most the line being
// written.
class trace_writer final : public trace_listener {
public:
    trace_writer(std::ostream& out, const nlohmann::json& header);
    void on_event(const event& e) override;

private:
    std::ostream& out_;
};

struct trace_file {
    nlohmann::json header;
    std::vector<event> events;
    std::vector<std::string> warnings;  // e.g. a truncated last line that was skipped
};

class trace_format_error : public std::runtime_error {
public:
    trace_format_error(const std::string& source, std::size_t line, const std::string& what);
    std::size_t line() const { return line_; }

private:
    std::size_t line_;
};

// `source` names the input in error messages (a file name).
trace_file read_trace(std::istream& in, const std::string& source);
trace_file read_trace_file(const std::string& path);
void write_trace_file(const std::string& path, const nlohmann::json& header,
                      const std::vector<event>& events);

}  // namespace maillab
