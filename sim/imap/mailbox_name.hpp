// Mailbox names on the wire (RFC 3501 5.1.3): modified UTF-7. Printable ASCII stands for itself
// ("&" is "&-"); other characters are UTF-16, base64 with "," for "/", between "&" and "-".
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace maillab::imap {

std::string encode_mailbox_name(std::string_view utf8);
// nullopt when the name is not valid modified UTF-7.
std::optional<std::string> decode_mailbox_name(std::string_view wire);

}  // namespace maillab::imap
