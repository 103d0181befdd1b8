#include <doctest/doctest.h>

#include "sim/export/text_fit.hpp"

using namespace maillab::exporting;

TEST_CASE("export text: columns count a Chinese character as two") {
    CHECK(text_columns("HELO") == 4);
    CHECK(text_columns("你好") == 4);
    CHECK(text_columns("a你b") == 4);
    CHECK(text_columns("") == 0);
    CHECK(code_point_columns(U'→') == 1);
    CHECK(code_point_columns(U'，') == 2);  // fullwidth comma
}

TEST_CASE("export text: shorten never cuts a character in half and marks the cut") {
    CHECK(shorten("RCPT TO:<bob@b.example>", 100) == "RCPT TO:<bob@b.example>");
    CHECK(shorten("RCPT TO:<bob@b.example>", 8) == "RCPT TO…");
    CHECK(text_columns(shorten("RCPT TO:<bob@b.example>", 8)) == 8);
    // 4 columns: one Chinese character (2) and the ellipsis (1); the next one would not fit.
    CHECK(shorten("期末考试", 4) == "期…");
    CHECK(shorten("期末考试", 5) == "期末…");
    for (std::size_t width = 1; width < 12; ++width) {
        std::string s = shorten("a期b末c考d试e", width);
        CHECK(text_columns(s) <= width);
    }
}

TEST_CASE("export text: one_line flattens line ends and drops control bytes") {
    CHECK(one_line("a\r\nb\tc") == "a  b c");
    CHECK(one_line("x\x01y\x7Fz") == "xyz");
    CHECK(one_line("a\xE2\x80\xA8"
                   "b\xE2\x80\xA9"
                   "c") == "a b c");  // U+2028, U+2029
    CHECK(one_line("bad \xFF byte") == "bad \xEF\xBF\xBD byte");
    CHECK(one_line("你好") == "你好");
    // A sequence cut off at the end, an overlong form and a surrogate are not UTF-8.
    CHECK(one_line("a\xE4\xBD") == "a\xEF\xBF\xBD\xEF\xBF\xBD");
    CHECK(one_line("\xC0\xAF") == "\xEF\xBF\xBD\xEF\xBF\xBD");
    CHECK(one_line("\xED\xA0\x80") == "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
}
