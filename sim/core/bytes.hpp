// Byte helpers shared by the protocols: base64 (OpenSSL underneath), UTF-8 validity, and a
// printable rendering of raw bytes for transcripts (CR and LF made visible).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace maillab {

std::string base64_encode(std::string_view bytes);
// Strict RFC 4648 decoding; whitespace is not allowed. nullopt on any malformed input.
std::optional<std::string> base64_decode(std::string_view text);

bool is_valid_utf8(std::string_view bytes);
bool has_8bit(std::string_view bytes);

// "MAIL FROM:<a@b>\r\n" -> "MAIL FROM:<a@b>\\r\\n"; other control and invalid bytes as \xHH.
std::string visible_bytes(std::string_view bytes);

bool iequals(std::string_view a, std::string_view b);
std::string to_upper(std::string_view s);
std::string to_lower(std::string_view s);
// Whether `needle` occurs in `haystack`, ASCII case-insensitively.
bool icontains(std::string_view haystack, std::string_view needle);
std::string_view trim(std::string_view s);

}  // namespace maillab
