// Key presses for `maillab replay --step`. When stdin is a terminal it is put in raw mode (no
// echo, no line editing, one key at a time) and restored on every way out: the destructor, an
// exception unwinding through it, SIGTERM or SIGHUP. When stdin is a pipe or a file, whole lines
// are read instead, so a script or a test can drive the replay.
#pragma once

#include <optional>

namespace maillab::cli {

enum class step_key { next, back, quit };

class key_reader {
public:
    key_reader();
    ~key_reader();
    key_reader(const key_reader&) = delete;
    key_reader& operator=(const key_reader&) = delete;

    // Whether keys come from a terminal (then a prompt makes sense).
    bool interactive() const { return raw_; }

    // Waits for the next key. Terminal: space, Enter, n and the right arrow go on; b, p and the
    // left arrow go back; q, Escape, Ctrl-C and Ctrl-D quit; other keys are ignored. Lines: an
    // empty line or one starting with a space or n goes on, b or p goes back, q quits. The end
    // of the input quits.
    step_key next();

private:
    std::optional<step_key> from_terminal();
    bool raw_ = false;
};

}  // namespace maillab::cli
