// Fitting one line of UTF-8 text into a diagram: how wide it is in columns (a Chinese character
// takes two, as in a terminal or a CJK font) and how to shorten it to a width without cutting a
// character in half. Every export format cuts its labels with these, so a label reads the same
// in the SVG, the Mermaid source and the PlantUML source.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace maillab::exporting {

// Decodes the code point at text[i] and sets `length` to its bytes; a byte that does not start
// a valid UTF-8 sequence gives U+FFFD with length 1.
char32_t decode_code_point(std::string_view text, std::size_t i, std::size_t& length);
void append_utf8(std::string& out, char32_t c);

// Calls f(code_point, its_bytes) for each character of the text.
template <typename F>
void for_each_code_point(std::string_view text, F&& f) {
    std::size_t i = 0;
    while (i < text.size()) {
        std::size_t length = 1;
        char32_t c = decode_code_point(text, i, length);
        f(c, text.substr(i, length));
        i += length;
    }
}

// Columns one code point takes: 2 for East Asian wide and fullwidth characters, else 1.
int code_point_columns(char32_t c);
std::size_t text_columns(std::string_view text);

// The text as one clean line: CR, LF, tab and the Unicode line and paragraph separators become
// spaces, other control characters are dropped, bytes that are not UTF-8 become U+FFFD. Every
// format can carry the result.
std::string one_line(std::string_view text);

// At most `max_columns` columns: a longer text is cut at a character boundary and ends with
// "…" (counted as one column).
std::string shorten(std::string_view text, std::size_t max_columns);

}  // namespace maillab::exporting
