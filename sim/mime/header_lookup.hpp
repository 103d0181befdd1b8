// One header field of a whole message, for code that only needs to know a Message-ID or a
// Subject (the relay, the trace's mail tracking) without building the MIME tree.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace maillab::mime {

// The unfolded value of the first field `name` (case-insensitive) of the top-level header, with
// surrounding white space removed; nullopt if absent.
std::optional<std::string> header_value(std::string_view message, std::string_view name);

// The Message-ID ("<id@host>") or "" when the message has none: the key that follows one mail
// across hosts in the trace.
std::string message_id_of(std::string_view message);

// The top-level header block as written, up to (not including) the empty line.
std::string_view header_text(std::string_view message);

}  // namespace maillab::mime
