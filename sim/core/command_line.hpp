// A text protocol command line ("mail from: <a@b>") cut into its verb and arguments, shared by
// the line-based servers (SMTP, POP3).
#pragma once

#include <string>
#include <string_view>

#include "sim/core/bytes.hpp"

namespace maillab {

struct command_words {
    std::string_view verb_as_sent;  // "mail"
    std::string verb;               // "MAIL"
    std::string_view args;          // "from: <a@b>", trimmed
};

inline command_words split_command_line(std::string_view line) {
    std::string_view trimmed = trim(line);
    auto space = trimmed.find(' ');
    command_words w;
    w.verb_as_sent = trimmed.substr(0, space);
    w.verb = to_upper(w.verb_as_sent);
    w.args = space == std::string_view::npos ? std::string_view() : trim(trimmed.substr(space + 1));
    return w;
}

}  // namespace maillab
