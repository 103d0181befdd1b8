#include "sim/world/scripted_client.hpp"

#include <fmt/format.h>

namespace maillab::world {

scripted_client::scripted_client(std::vector<std::string> steps, std::string line_end,
                                 connection_tracer& tracer)
    : steps_(std::move(steps)), line_end_(std::move(line_end)), tracer_(tracer) {}

void scripted_client::start() { advance(); }

void scripted_client::receive(std::string_view bytes) {
    buffer_.append(bytes);
    advance();
}

void scripted_client::connection_lost() {
    lost_ = true;
    if (next_ < steps_.size())
        tracer_.note("world.note.script_cut_short",
                     fmt::format("the connection ended before step {} of {} (\"{}\")", next_ + 1,
                                 steps_.size(), steps_[next_]),
                     {{"step", next_ + 1}, {"steps", steps_.size()}}, std::nullopt);
}

// Runs steps until one needs a line that has not arrived.
void scripted_client::advance() {
    while (!lost_ && next_ < steps_.size()) {
        const std::string& step = steps_[next_];
        if (step[0] == '>') {
            out_ += step.substr(1) + line_end_;
            ++next_;
            continue;
        }
        bool until_dot = step == "<.";
        bool progressed = false;
        while (true) {
            auto eol = buffer_.find('\n');
            if (eol == std::string::npos) break;
            std::string line = buffer_.substr(0, eol);
            if (!line.empty() && line.back() == '\r') line.pop_back();
            buffer_.erase(0, eol + 1);
            lines_read_.push_back(line);
            // Like BufferedReader.readLine() compared with "." as POP3Demo does.
            if (!until_dot || line == ".") {
                progressed = true;
                break;
            }
        }
        if (!progressed) return;
        ++next_;
    }
    if (next_ == steps_.size()) want_close_ = true;
}

}  // namespace maillab::world
