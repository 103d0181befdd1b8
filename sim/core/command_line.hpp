// A text protocol command line ("mail from: <a@b>") cut into its verb and arguments, shared by
// the line-based servers (SMTP, POP3).
#pragma once

#include <string>
#include <string_view>

#include "sim/core/bytes.hpp"
#include "sim/core/event.hpp"

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

// The `command` event of a parsed line: text, exact bytes, verb and arguments, explained by
// "<proto>.cmd.<VERB>" (or ".UNKNOWN"). AUTH keeps only its mechanism in `args`: the secret is
// shown decoded in a note of its own.
inline event command_event(std::string_view proto, bool known, const command_words& w,
                           std::string_view line, std::string_view raw) {
    event e;
    e.kind = event_kind::command;
    e.text = std::string(line);
    e.raw = std::string(raw);
    e.explain = std::string(proto) + (known ? ".cmd." + w.verb : std::string(".cmd.UNKNOWN"));
    std::string_view args = w.verb == "AUTH" ? w.args.substr(0, w.args.find(' ')) : w.args;
    e.fields = {{"verb", w.verb}, {"args", std::string(args)}};
    return e;
}

}  // namespace maillab
