// Lines typed by a student for `maillab lab`: with line editing and history (GNU readline or
// libedit, when the build found one) when stdin is a terminal, else plain lines from the pipe or
// file, so a script or a test can drive the runner.
#pragma once

#include <optional>
#include <string>

namespace maillab::cli {

class line_input {
public:
    line_input();
    // The next line without its line end, after showing `prompt` (on a terminal); nullopt at the
    // end of the input (Ctrl-D).
    std::optional<std::string> read(const std::string& prompt);
    bool interactive() const { return interactive_; }

private:
    bool interactive_ = false;
};

}  // namespace maillab::cli
