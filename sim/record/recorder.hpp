// A recording on disk as it happens (`maillab run --record FILE`, `maillab serve --record
// FILE`): the header when it subscribes to the trace, then one line per event, each flushed, so
// a crash loses at most the line being written (the reader skips that line with a warning).
#pragma once

#include <cstdint>
#include <fstream>
#include <string>

#include "sim/core/trace.hpp"
#include "sim/record/trace_io.hpp"

namespace maillab {

class trace_recorder final : public trace_listener {
public:
    // Creates (or empties) the file at once, so a bad path fails before anything runs. Throws
    // std::runtime_error naming the path.
    explicit trace_recorder(const std::string& path);

    void on_header(const nlohmann::json& header) override;
    void on_event(const event& e) override;

    const std::string& path() const { return path_; }
    std::uint64_t events_written() const { return events_; }

private:
    std::string path_;
    std::ofstream file_;
    trace_writer writer_;
    std::uint64_t events_ = 0;
};

}  // namespace maillab
