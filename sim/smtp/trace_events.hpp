// The trace events of what crosses the wire in an SMTP session, built in one place for the
// server that answers (server_*.cpp) and for the capture observer that only watches
// (sim/capture/smtp_observer), so a live run and an imported capture show the same events.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/core/event.hpp"

namespace maillab::smtp {

// A reply (RFC 5321 4.2): text "250 first line (+N lines)", the exact bytes in raw, the code in
// `code`, explained by smtp.reply.<code>.
event reply_event(int code, const std::vector<std::string>& lines, std::string wire);

// The message text after DATA as it crossed the wire (dot-stuffed, up to and including the
// final "." line): `lines` text lines before the ".", `dot_stuffed` of them began with a doubled
// dot. The Message-ID is read from the text.
event data_event(std::string wire, std::size_t lines, std::size_t dot_stuffed);

// The client's base64 answer to a 334 challenge of AUTH (RFC 4954 4).
event auth_response_event(std::string_view line, std::string_view raw,
                          std::string_view mechanism);

// The text of the smtp.note.auth_decoded note: `decoded` holds what the base64 said
// ({"user": ..., "password": ...}).
std::string auth_decoded_text(std::string_view mechanism, const nlohmann::json& decoded);

}  // namespace maillab::smtp
