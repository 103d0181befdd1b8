#include "cli/line_input.hpp"

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <unistd.h>

#if defined(MAILLAB_HAVE_LIBEDIT)
#include <editline/readline.h>
#define MAILLAB_LINE_EDITING 1
#elif defined(MAILLAB_HAVE_READLINE)
#include <readline/history.h>
#include <readline/readline.h>
#define MAILLAB_LINE_EDITING 1
#endif

namespace maillab::cli {

line_input::line_input() : interactive_(isatty(STDIN_FILENO) != 0) {}

std::optional<std::string> line_input::read(const std::string& prompt) {
    std::cout.flush();
#ifdef MAILLAB_LINE_EDITING
    if (interactive_) {
        char* raw = readline(prompt.c_str());
        if (!raw) return std::nullopt;
        std::string line(raw);
        std::free(raw);
        // History holds what is worth typing again: not empty lines, not a repeat.
        if (!line.empty()) {
            HIST_ENTRY* last = history_length > 0 ? history_get(history_base + history_length - 1) : nullptr;
            if (!last || line != last->line) add_history(line.c_str());
        }
        return line;
    }
#endif
    if (interactive_) std::cout << prompt << std::flush;
    std::string line;
    if (!std::getline(std::cin, line)) return std::nullopt;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return line;
}

}  // namespace maillab::cli
