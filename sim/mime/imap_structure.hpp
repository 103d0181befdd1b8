// IMAP's views of a parsed message (RFC 3501 7.4.2): ENVELOPE, BODY and BODYSTRUCTURE, built
// from the MIME tree so that IMAP shows exactly what the MIME parser found. One implementation:
// the IMAP server calls these.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "sim/mime/message.hpp"

namespace maillab::mime {

// NIL, a quoted string, or a literal {n}CRLF... when the text has CR, LF, NUL or 8-bit bytes.
std::string imap_nstring(const std::optional<std::string>& value);

// ("date" "subject" (from) (sender) (reply-to) (to) (cc) (bcc) "in-reply-to" "message-id")
std::string imap_envelope(const message& m, const part& p);
// BODYSTRUCTURE with extension data when `extensible`, the plain BODY form otherwise.
std::string imap_body_structure(const message& m, const part& p, bool extensible);

}  // namespace maillab::mime
