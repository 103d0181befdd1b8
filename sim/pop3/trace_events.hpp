// The trace events of what crosses the wire in a POP3 session, built in one place for the
// server that answers (server_*.cpp) and for the capture observer that only watches
// (sim/capture/pop3_observer), so a live run and an imported capture show the same events.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "sim/core/event.hpp"

namespace maillab::pop3 {

// A response (RFC 1939 3): `wire` is every byte of it (for a multi-line one up to and including
// the final "." line, dot-stuffed as sent), `text` the line to show. Explained by pop3.reply.OK,
// pop3.reply.ERR, or pop3.reply.CONTINUE when `fields` has continuation: true.
event response_event(std::string wire, bool positive, std::string text, nlohmann::json fields);

// What a multi-line response shows: its first line and how many lines follow before the ".".
std::string multiline_text(std::string_view first_line, std::string_view stuffed_body);

// The client's base64 answer to the "+ " of AUTH (RFC 5034 4).
event auth_response_event(std::string_view line, std::string_view raw,
                          std::string_view mechanism);

}  // namespace maillab::pop3
