// The trace events of what crosses the wire in an IMAP session, built in one place for the
// server that answers (server_*.cpp) and for the capture observer that only watches
// (sim/capture/imap_observer), so a live run and an imported capture show the same events.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "sim/core/event.hpp"
#include "sim/imap/command_parser.hpp"

namespace maillab::imap {

// A parsed command: its first line as text (literals stay in raw), imap.cmd.<NAME> when `known`
// (in the server's command table) or imap.cmd.UNKNOWN; fields verb, tag, and user for LOGIN.
event command_event(const command& cmd, bool known);

// A line read outside the command grammar: DONE after IDLE (RFC 2177), the base64 answer to
// AUTHENTICATE's "+" (RFC 3501 6.2.2). `verb` is "DONE" or "AUTHENTICATE".
event line_command_event(std::string_view line, std::string_view verb);

// Bytes the command parser could not read as a command (fields tag and error).
event unparsed_command_event(const parse_result& r);

// The explanation key of an untagged response, from its text after "* ": imap.untagged.FETCH
// for "3 FETCH (...)", imap.reply.BYE for "BYE ...", imap.untagged.OK for "OK [UIDNEXT 4] ...".
std::string untagged_explain_key(std::string_view text);

// An untagged response ("* ..." and its literals, exact bytes in `wire`): the first line as text,
// " ..." after it when literals follow; fields untagged: true and `fields`.
event untagged_event(std::string wire, nlohmann::json fields = nlohmann::json::object());

// The tagged status response that completes a command: `line` without its line end, `wire` the
// exact bytes; fields tag and status (OK, NO or BAD), explained by imap.reply.<status>.
event tagged_event(std::string_view tag, std::string_view status, std::string line,
                   std::string wire);

// A continuation request ("+ ..."), `line` without its line end.
event continuation_event(std::string line, std::string wire);

}  // namespace maillab::imap
