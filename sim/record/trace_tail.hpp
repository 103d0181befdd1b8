// Following a recording while another process writes it: `maillab-gui --attach FILE` beside
// `maillab serve --record FILE`. The writer appends one line per event and flushes each, so at
// any moment the file ends with complete lines and perhaps part of the next one. poll() reads
// what was appended since the last call and returns the complete lines' events; a partial last
// line waits for its end. The file may not exist yet (serve not started), may be replaced or
// emptied (serve restarted with the same --record FILE: the GUI starts a new model), and a line
// may be damaged (a hand-edited file, a disk full): that line is reported with its number and
// skipped, and the following lines are read. poll() never throws for what is in the file.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/core/event.hpp"

namespace maillab {

class trace_tail {
public:
    enum class status {
        waiting_for_file,    // no such file yet
        waiting_for_header,  // the file exists but its first line is not complete yet
        following,           // the header was read; events are read as they come
        not_a_trace,         // the first line is not a maillab trace header (see problem())
        unreadable,          // the file exists but cannot be opened (see problem())
    };

    struct update {
        // Set when the header was read in this poll (at the start, or again after a restart).
        std::optional<nlohmann::json> header;
        std::vector<event> events;
        // "FILE:LINE: what is wrong" for every damaged line skipped in this poll.
        std::vector<std::string> problems;
        // The file was replaced or truncated since the last poll: what was read before belongs
        // to another session. `header` and `events` are the new session's.
        bool restarted = false;
    };

    explicit trace_tail(std::string path);

    update poll();

    status state() const { return status_; }
    // Why the state is not_a_trace or unreadable; empty otherwise.
    const std::string& problem() const { return problem_; }
    const std::string& path() const { return path_; }
    // Lines read so far in the current file (the header included), for messages.
    std::size_t lines_read() const { return line_number_; }

private:
    void restart_file();
    void take_line(const std::string& line, update& out);

    std::string path_;
    status status_ = status::waiting_for_file;
    std::string problem_;
    std::uint64_t offset_ = 0;  // bytes of the file consumed (complete lines only)
    std::string partial_;       // the start of a line whose end has not been written yet
    std::size_t line_number_ = 0;
    bool have_header_ = false;
    bool have_identity_ = false;
    std::uint64_t device_ = 0, inode_ = 0;
};

const char* to_string(trace_tail::status s);

}  // namespace maillab
