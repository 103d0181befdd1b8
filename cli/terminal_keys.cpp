#include "cli/terminal_keys.hpp"

#include <csignal>
#include <iostream>
#include <string>

#include <poll.h>
#include <termios.h>
#include <unistd.h>

namespace maillab::cli {
namespace {

// The terminal's settings before raw mode; a signal handler may only touch plain data.
struct termios saved_settings;
volatile std::sig_atomic_t settings_saved = 0;

void restore_terminal() {
    if (settings_saved) ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_settings);
}

// A replay killed while waiting for a key must not leave the shell without echo.
void restore_and_reraise(int signal_number) {
    restore_terminal();
    std::signal(signal_number, SIG_DFL);
    std::raise(signal_number);
}

// The byte after ESC arrives at once for an arrow key; a lone Escape press has none.
bool byte_follows_soon() {
    pollfd p{STDIN_FILENO, POLLIN, 0};
    return ::poll(&p, 1, 50) > 0;
}

}  // namespace

key_reader::key_reader() {
    if (!::isatty(STDIN_FILENO) || ::tcgetattr(STDIN_FILENO, &saved_settings) != 0) return;
    settings_saved = 1;
    struct termios raw = saved_settings;
    // No line editing, no echo, and Ctrl-C as a key (it quits the replay like q) rather than a
    // signal that would skip the restore.
    raw.c_lflag &= static_cast<tcflag_t>(~(ICANON | ECHO | ISIG));
    raw.c_cc[VMIN] = 1;
    raw.c_cc[VTIME] = 0;
    if (::tcsetattr(STDIN_FILENO, TCSAFLUSH, &raw) != 0) {
        settings_saved = 0;
        return;
    }
    std::signal(SIGTERM, restore_and_reraise);
    std::signal(SIGHUP, restore_and_reraise);
    raw_ = true;
}

key_reader::~key_reader() {
    if (!raw_) return;
    restore_terminal();
    settings_saved = 0;
    std::signal(SIGTERM, SIG_DFL);
    std::signal(SIGHUP, SIG_DFL);
}

std::optional<step_key> key_reader::from_terminal() {
    unsigned char c = 0;
    if (::read(STDIN_FILENO, &c, 1) != 1) return step_key::quit;
    switch (c) {
        case ' ':
        case '\r':
        case '\n':
        case 'n':
            return step_key::next;
        case 'b':
        case 'p':
            return step_key::back;
        case 'q':
        case 3:  // Ctrl-C
        case 4:  // Ctrl-D
            return step_key::quit;
        case 0x1b: {
            if (!byte_follows_soon()) return step_key::quit;  // Escape
            unsigned char seq[2] = {0, 0};
            if (::read(STDIN_FILENO, &seq[0], 1) != 1) return step_key::quit;
            if (seq[0] != '[' || !byte_follows_soon()) return std::nullopt;
            if (::read(STDIN_FILENO, &seq[1], 1) != 1) return step_key::quit;
            if (seq[1] == 'C') return step_key::next;  // right arrow
            if (seq[1] == 'D') return step_key::back;  // left arrow
            return std::nullopt;
        }
        default:
            return std::nullopt;
    }
}

step_key key_reader::next() {
    if (raw_) {
        for (;;)
            if (auto key = from_terminal()) return *key;
    }
    std::string line;
    for (;;) {
        if (!std::getline(std::cin, line)) return step_key::quit;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.empty() || line[0] == ' ' || line[0] == 'n') return step_key::next;
        if (line[0] == 'b' || line[0] == 'p') return step_key::back;
        if (line[0] == 'q') return step_key::quit;
    }
}

}  // namespace maillab::cli
