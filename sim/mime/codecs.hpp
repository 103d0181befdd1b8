// The MIME codecs (RFC 2045 6.7-6.8, RFC 2047, RFC 2231), lenient where real mail is broken:
// every function decodes what it can and records each defect with its offset in the input.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "sim/mime/defect.hpp"

namespace maillab::mime {

// RFC 2045 6.8. Whitespace and line breaks are skipped. Characters outside the alphabet are
// skipped with a defect "invalid_base64_character"; missing padding or a dangling final
// character gives "base64_padding". Never throws.
std::string decode_base64(std::string_view text, defect_list* defects = nullptr);
// Lines of at most 76 characters, CRLF line ends (the last line ends with CRLF too).
std::string encode_base64_lines(std::string_view bytes);

// RFC 2045 6.7. "=XX" (upper or lower-case hex), soft line breaks "=\r\n" or "=\n", trailing
// whitespace on a line removed (rule 3). A "=" not followed by two hex digits is kept literally
// with a defect "invalid_quoted_printable".
std::string decode_quoted_printable(std::string_view text, defect_list* defects = nullptr);
// Lines of at most 76 characters with soft breaks; CRLF kept as hard line breaks; "=", bytes
// >= 0x80 and control characters encoded; a space or tab before a line end encoded.
std::string encode_quoted_printable(std::string_view text);

// Converts text in `charset` (any name iconv knows, case-insensitive; "utf8", "gb2312" ...) to
// UTF-8. Unknown charset: nullopt. Invalid sequences become U+FFFD with a defect
// "invalid_charset_sequence".
std::optional<std::string> to_utf8(std::string_view bytes, std::string_view charset,
                                   defect_list* defects = nullptr);
// UTF-8 to `charset`; nullopt if the charset is unknown or a character cannot be represented.
std::optional<std::string> from_utf8(std::string_view utf8, std::string_view charset);

// RFC 2047: decodes every encoded word ("=?charset?B?...?=", "=?charset?Q?...?=", also
// "=?charset*lang?..." of RFC 2231 5) in an unstructured header value and converts to UTF-8.
// Whitespace between two adjacent encoded words is dropped (RFC 2047 6.2). Raw 8-bit bytes
// outside encoded words are taken as UTF-8 if valid, else as `fallback_charset` ("latin1"), with
// a defect "8bit_in_header". Malformed or unknown-charset words are left as they are with a
// defect ("invalid_encoded_word", "unknown_charset").
std::string decode_header_text(std::string_view value, defect_list* defects = nullptr,
                               std::string_view fallback_charset = "latin1");

// Encodes UTF-8 text as RFC 2047 encoded words where needed: pure ASCII text is returned as is
// (unless it contains "=?", which a reader would take for an encoded word);
// otherwise "=?UTF-8?B?...?=" words of at most 75 characters, separated by CRLF SP when
// `fold` is true. (The builder uses it for Subject and display names.)
std::string encode_header_text(std::string_view utf8, bool fold = true);

// RFC 2231 3-4: a parameter value "charset'language'percent-encoded" -> UTF-8 (percent-decoded,
// then converted). Unknown charset: the percent-decoded bytes, with a defect "unknown_charset".
std::string decode_rfc2231_value(std::string_view value, defect_list* defects = nullptr);

}  // namespace maillab::mime
