// The small part of Markdown that lab instructions use, split into blocks a panel can draw
// without a Markdown library: headings, bullet and numbered list items, fenced code and
// paragraphs. `code` spans are kept as spans so the panel can show them in the monospace font;
// bold marks (**) are dropped; other inline marks stay in the text. Plain data; no ImGui (unit-tested).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace maillab::view {

struct markdown_span {
    std::string text;
    bool code = false;  // between backticks
};

struct markdown_block {
    enum class kind { heading, bullet, numbered, code, paragraph };
    kind what = kind::paragraph;
    int level = 0;            // heading: 1 for "#", 2 for "##", ...
    std::string marker;       // numbered: "1." as written
    std::string text;         // the block's text; code: its lines, joined with '\n'
    std::vector<markdown_span> spans;  // text split at backticks (not for code blocks)
};

// Splits `text` into blocks. Lines of one paragraph are joined with a space; a blank line ends a
// paragraph; an unterminated code fence runs to the end (text is never lost).
std::vector<markdown_block> split_markdown(std::string_view text);

// `a `b` c` -> [a ][b (code)][ c]. An unmatched backtick is kept as text.
std::vector<markdown_span> split_code_spans(std::string_view text);

}  // namespace maillab::view
