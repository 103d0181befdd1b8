#include "sim/mime/codecs.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

using namespace maillab::mime;

namespace {

bool has_kind(const defect_list& defects, std::string_view kind) {
    return std::any_of(defects.begin(), defects.end(),
                       [&](const defect& d) { return d.kind == kind; });
}

// Physical lines of an encoded body, without their CRLF.
std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t crlf = text.find("\r\n", pos);
        if (crlf == std::string::npos) {
            lines.push_back(text.substr(pos));
            break;
        }
        lines.push_back(text.substr(pos, crlf - pos));
        pos = crlf + 2;
    }
    return lines;
}

const std::string nihao = "\xE4\xBD\xA0\xE5\xA5\xBD";  // 你好 in UTF-8
const std::string fffd = "\xEF\xBF\xBD";

}  // namespace

// ---------------------------------------------------------------------------------------------
// base64

TEST_CASE("base64 lines round-trip every length 0..70") {
    for (std::size_t n = 0; n <= 70; ++n) {
        std::string bytes;
        for (std::size_t k = 0; k < n; ++k) bytes += static_cast<char>((k * 37 + n) & 0xFF);
        std::string encoded = encode_base64_lines(bytes);
        INFO("n=", n, " encoded=", encoded);
        if (n == 0) CHECK(encoded.empty());
        else CHECK(encoded.size() >= 2);
        if (!encoded.empty()) CHECK(encoded.substr(encoded.size() - 2) == "\r\n");
        for (const auto& line : lines_of(encoded)) {
            CHECK(line.size() <= 76);
            CHECK(line.find('\n') == std::string::npos);
            CHECK(line.find('\r') == std::string::npos);
        }
        defect_list defects;
        CHECK(decode_base64(encoded, &defects) == bytes);
        CHECK(defects.empty());
    }
}

TEST_CASE("base64 long input wraps at exactly 76 characters") {
    std::string bytes(200, 'x');
    auto lines = lines_of(encode_base64_lines(bytes));
    REQUIRE(lines.size() == 4);  // 268 characters: 76 + 76 + 76 + 40
    CHECK(lines[0].size() == 76);
    CHECK(lines[3].size() == 40);
    CHECK(decode_base64(encode_base64_lines(bytes)) == bytes);
}

TEST_CASE("base64 decoding skips whitespace silently") {
    defect_list defects;
    CHECK(decode_base64("5L2g\r\n5aW9\n", &defects) == nihao);
    CHECK(decode_base64(" 5L 2g\t5a W9 ", &defects) == nihao);
    CHECK(decode_base64("", &defects).empty());
    CHECK(defects.empty());
}

TEST_CASE("base64 invalid characters are skipped with a defect") {
    defect_list defects;
    CHECK(decode_base64("5L*2g5a!!W9", &defects) == nihao);
    REQUIRE(defects.size() == 2);  // one per run of bad characters
    CHECK(defects[0].kind == "invalid_base64_character");
    CHECK(defects[0].offset == 2);
    CHECK(defects[1].offset == 7);
    CHECK(defects[1].detail.find("2 bytes") != std::string::npos);
    CHECK(decode_base64("YW-Jj", nullptr) == "abc");  // no defect list: still decodes
}

TEST_CASE("base64 missing or broken padding") {
    defect_list defects;
    CHECK(decode_base64("YQ", &defects) == "a");
    REQUIRE(defects.size() == 1);
    CHECK(defects[0].kind == "base64_padding");
    CHECK(defects[0].offset == 2);

    defects.clear();
    CHECK(decode_base64("YWI", &defects) == "ab");
    CHECK(has_kind(defects, "base64_padding"));

    defects.clear();
    CHECK(decode_base64("YWJjZ", &defects) == "abc");  // dangling sixth bit group
    CHECK(has_kind(defects, "base64_padding"));

    defects.clear();
    CHECK(decode_base64("YQ=", &defects) == "a");  // one "=" of two
    CHECK(has_kind(defects, "base64_padding"));

    defects.clear();
    CHECK(decode_base64("YQ==\r\n", &defects) == "a");
    CHECK(decode_base64("YWI=", &defects) == "ab");
    CHECK(decode_base64("YQ=\r\n=", &defects) == "a");  // a line break inside the padding
    CHECK(defects.empty());
}

TEST_CASE("base64 stops at the padding") {
    defect_list defects;
    CHECK(decode_base64("YQ==YWJj", &defects) == "a");
    REQUIRE(defects.size() == 1);
    CHECK(defects[0].kind == "base64_padding");
    CHECK(defects[0].offset == 4);

    defects.clear();
    CHECK(decode_base64("YWJj=", &defects) == "abc");  // "=" after a complete group
    CHECK(has_kind(defects, "base64_padding"));
}

// ---------------------------------------------------------------------------------------------
// quoted-printable

TEST_CASE("QP soft line breaks, CRLF and LF") {
    defect_list defects;
    CHECK(decode_quoted_printable("abc=\r\ndef\r\n", &defects) == "abcdef\r\n");
    CHECK(decode_quoted_printable("abc=\ndef\n", &defects) == "abcdef\n");
    CHECK(decode_quoted_printable("abc= \t\r\ndef", &defects) == "abcdef");  // rule 3 then 5
    CHECK(decode_quoted_printable("abc=", &defects) == "abc");
    CHECK(defects.empty());
}

TEST_CASE("QP hex, upper and lower case") {
    defect_list defects;
    CHECK(decode_quoted_printable("=E4=BD=A0=E5=A5=BD", &defects) == nihao);
    CHECK(decode_quoted_printable("=e4=bd=a0=e5=a5=bd", &defects) == nihao);
    CHECK(decode_quoted_printable("a=3Db", &defects) == "a=b");
    CHECK(defects.empty());
}

TEST_CASE("QP invalid escape kept literally with a defect") {
    defect_list defects;
    CHECK(decode_quoted_printable("x=ZZy", &defects) == "x=ZZy");
    REQUIRE(defects.size() == 1);
    CHECK(defects[0].kind == "invalid_quoted_printable");
    CHECK(defects[0].offset == 1);

    defects.clear();
    CHECK(decode_quoted_printable("x=4\r\n", &defects) == "x=4\r\n");  // cut off by the line end
    CHECK(has_kind(defects, "invalid_quoted_printable"));

    defects.clear();
    CHECK(decode_quoted_printable("a==\r\nb", &defects) == "a=b");  // "=" then a soft break
    CHECK(has_kind(defects, "invalid_quoted_printable"));
}

TEST_CASE("QP trailing whitespace removed on terminated lines") {
    defect_list defects;
    CHECK(decode_quoted_printable("abc   \r\ndef\t\r\n", &defects) == "abc\r\ndef\r\n");
    CHECK(decode_quoted_printable("abc \ndef", &defects) == "abc\ndef");
    CHECK(decode_quoted_printable("abc=20\r\n", &defects) == "abc \r\n");
    CHECK(decode_quoted_printable("last ", &defects) == "last ");  // unterminated: kept
    CHECK(defects.empty());
}

namespace {

void check_qp_round_trip(const std::string& text) {
    std::string encoded = encode_quoted_printable(text);
    INFO("encoded: ", encoded);
    for (const auto& line : lines_of(encoded)) {
        CHECK(line.size() <= 76);
        for (char c : line) {
            unsigned char u = static_cast<unsigned char>(c);
            CHECK(((u >= 33 && u <= 126) || u == ' ' || u == '\t'));
        }
        if (!line.empty()) CHECK((line.back() != ' ' && line.back() != '\t'));
    }
    defect_list defects;
    CHECK(decode_quoted_printable(encoded, &defects) == text);
    CHECK(defects.empty());
}

}  // namespace

TEST_CASE("QP encode/decode round trips") {
    SUBCASE("ASCII") {
        check_qp_round_trip("Hello, world!\r\nSecond line.\r\n");
        CHECK(encode_quoted_printable("Hello\r\n") == "Hello\r\n");
        CHECK(encode_quoted_printable("a=b") == "a=3Db");
    }
    SUBCASE("long lines") {
        std::string line(200, 'a');
        check_qp_round_trip(line);
        check_qp_round_trip(line + "\r\n" + line + "\r\n");
        std::string eq(100, '=');  // "=3D" tokens must not be cut
        check_qp_round_trip(eq);
        for (std::size_t n = 70; n <= 80; ++n) check_qp_round_trip(std::string(n, 'x'));
        auto lines = lines_of(encode_quoted_printable(std::string(76, 'x')));
        CHECK(lines.size() == 1);  // exactly 76 fits without a soft break
        lines = lines_of(encode_quoted_printable(std::string(77, 'x')));
        REQUIRE(lines.size() == 2);
        CHECK(lines[0] == std::string(75, 'x') + "=");
    }
    SUBCASE("trailing spaces") {
        check_qp_round_trip("trailing  \r\ntab\t\r\nend ");
        CHECK(encode_quoted_printable("a \r\n") == "a=20\r\n");
        CHECK(encode_quoted_printable("a\t") == "a=09");
        check_qp_round_trip(std::string(74, 'x') + "  \r\n");
    }
    SUBCASE("8-bit UTF-8") {
        check_qp_round_trip("Chinese: " + nihao + "\r\n");
        CHECK(encode_quoted_printable(nihao) == "=E4=BD=A0=E5=A5=BD");
        std::string many;
        for (int k = 0; k < 40; ++k) many += nihao;
        check_qp_round_trip(many);
    }
    SUBCASE("binary-ish bytes") {
        std::string all;
        for (int c = 0; c < 256; ++c) all += static_cast<char>(c);
        check_qp_round_trip(all);
        check_qp_round_trip(std::string("a\nb\rc\r\r\n\n\0z", 12));
    }
}

// ---------------------------------------------------------------------------------------------
// charsets

TEST_CASE("to_utf8 from the usual charsets") {
    defect_list defects;
    CHECK(to_utf8(nihao, "UTF-8", &defects) == nihao);
    CHECK(to_utf8(nihao, "utf8", &defects) == nihao);
    CHECK(to_utf8("\xC4\xE3\xBA\xC3", "GBK", &defects) == nihao);
    CHECK(to_utf8("\xC4\xE3\xBA\xC3", "gb2312", &defects) == nihao);
    CHECK(to_utf8("\xC4\xE3\xBA\xC3", "GB18030", &defects) == nihao);
    CHECK(to_utf8("\x94\x39\xFC\x36", "gb18030", &defects) == "\xF0\x9F\x98\x80");  // 😀
    CHECK(to_utf8("\xA7\x41\xA6\x6E", "Big5", &defects) == nihao);
    CHECK(to_utf8("caf\xE9", "ISO-8859-1", &defects) == "caf\xC3\xA9");
    CHECK(to_utf8("caf\xE9", "latin1", &defects) == "caf\xC3\xA9");
    CHECK(to_utf8("\xA4", "iso-8859-15", &defects) == "\xE2\x82\xAC");  // €
    CHECK(to_utf8("plain", "us-ascii", &defects) == "plain");
    CHECK(to_utf8("\x1B\x24\x42\x24\x33\x24\x73\x24\x4B\x24\x41\x24\x4F\x1B\x28\x42",
                  "ISO-2022-JP", &defects) ==
          "\xE3\x81\x93\xE3\x82\x93\xE3\x81\xAB\xE3\x81\xA1\xE3\x81\xAF");  // こんにちは
    CHECK(to_utf8("", "GBK", &defects) == "");
    CHECK(defects.empty());
}

TEST_CASE("gb2312 is read as GBK") {
    // 镕 (E9 46) is in GBK but not in GB2312; mail labelled gb2312 carries it anyway.
    defect_list defects;
    CHECK(to_utf8("\xE9\x46", "GB2312", &defects) == "\xE9\x95\x95");
    CHECK(defects.empty());
}

TEST_CASE("to_utf8 unknown charsets") {
    CHECK_FALSE(to_utf8("abc", "x-no-such-charset"));
    CHECK_FALSE(to_utf8("abc", "x-unknown"));
    CHECK_FALSE(to_utf8("abc", ""));
    CHECK_FALSE(to_utf8("abc", "UTF-8//IGNORE"));  // iconv options cannot be smuggled in
    CHECK_FALSE(to_utf8("abc", "UTF-8,ASCII"));
}

TEST_CASE("to_utf8 invalid sequences become U+FFFD with a defect") {
    defect_list defects;
    CHECK(to_utf8("a\xFF" "b", "UTF-8", &defects) == "a" + fffd + "b");
    REQUIRE(defects.size() == 1);
    CHECK(defects[0].kind == "invalid_charset_sequence");
    CHECK(defects[0].offset == 1);

    defects.clear();
    CHECK(to_utf8("\xF4\x90\x80\x80", "UTF-8", &defects) == fffd + fffd + fffd + fffd);
    REQUIRE(defects.size() == 1);  // one run
    CHECK(defects[0].detail.find("4 bytes") != std::string::npos);

    defects.clear();
    CHECK(to_utf8("x\x80y", "us-ascii", &defects) == "x" + fffd + "y");
    REQUIRE(defects.size() == 1);
    CHECK(defects[0].offset == 1);

    defects.clear();
    CHECK(to_utf8("\xC4\xE3\xC4", "GBK", &defects) == "\xE4\xBD\xA0" + fffd);  // cut off
    REQUIRE(defects.size() == 1);
    CHECK(defects[0].kind == "invalid_charset_sequence");
    CHECK(defects[0].offset == 2);

    defects.clear();
    CHECK(to_utf8("\xFF\xC4\xE3", "GBK", &defects) == fffd + "\xE4\xBD\xA0");  // resynchronises
    REQUIRE(defects.size() == 1);
    CHECK(defects[0].offset == 0);
}

TEST_CASE("to_utf8 grows its buffer") {
    std::string gbk;
    for (int k = 0; k < 5000; ++k) gbk += "\xC4\xE3\xBA\xC3";
    std::string utf8;
    for (int k = 0; k < 5000; ++k) utf8 += nihao;
    CHECK(to_utf8(gbk, "gbk") == utf8);
    std::string latin(10000, '\xE9');
    auto converted = to_utf8(latin, "latin1");
    REQUIRE(converted);
    CHECK(converted->size() == 20000);
}

TEST_CASE("from_utf8") {
    CHECK(from_utf8(nihao, "GBK") == "\xC4\xE3\xBA\xC3");
    CHECK(from_utf8(nihao, "utf-8") == nihao);
    CHECK(from_utf8("\xE3\x81\x93", "iso-2022-jp") == "\x1B\x24\x42\x24\x33\x1B\x28\x42");
    CHECK_FALSE(from_utf8(nihao, "iso-8859-1"));  // not representable
    CHECK_FALSE(from_utf8("abc", "x-unknown"));
    CHECK_FALSE(from_utf8("\xFF", "GBK"));  // not UTF-8 to begin with
}

// ---------------------------------------------------------------------------------------------
// RFC 2047 encoded words

TEST_CASE("decode_header_text basic encoded words") {
    defect_list defects;
    CHECK(decode_header_text("=?UTF-8?B?5L2g5aW9?=", &defects) == nihao);
    CHECK(decode_header_text("=?utf-8?b?5L2g5aW9?=", &defects) == nihao);
    CHECK(decode_header_text("=?GBK?B?xOO6ww==?=", &defects) == nihao);
    CHECK(decode_header_text("=?gb2312?Q?=C4=E3=BA=C3?=", &defects) == nihao);
    CHECK(decode_header_text("=?ISO-8859-1?Q?caf=E9_au_lait?=", &defects) ==
          "caf\xC3\xA9 au lait");
    CHECK(decode_header_text("=?UTF-8?Q?" "?=", &defects) == "");
    CHECK(decode_header_text("plain subject", &defects) == "plain subject");
    CHECK(decode_header_text("", &defects) == "");
    CHECK(defects.empty());
}

TEST_CASE("decode_header_text whitespace between words") {
    defect_list defects;
    CHECK(decode_header_text("=?UTF-8?B?5L2g?= =?UTF-8?B?5aW9?=", &defects) == nihao);
    CHECK(decode_header_text("=?UTF-8?B?5L2g?=\r\n =?UTF-8?B?5aW9?=", &defects) == nihao);
    CHECK(decode_header_text("=?UTF-8?B?5L2g?=\t \r\n\t=?UTF-8?B?5aW9?=", &defects) == nihao);
    // Different charsets are joined too (6.2 is about whitespace, not charsets).
    CHECK(decode_header_text("=?UTF-8?B?5L2g?= =?GBK?B?usM=?=", &defects) == nihao);
    // Word and plain text: the space is text and stays.
    CHECK(decode_header_text("Re: =?UTF-8?B?5L2g5aW9?=", &defects) == "Re: " + nihao);
    CHECK(decode_header_text("=?UTF-8?B?5L2g5aW9?= world", &defects) == nihao + " world");
    CHECK(decode_header_text("a =?UTF-8?B?5L2g?= b =?UTF-8?B?5aW9?= c", &defects) ==
          "a \xE4\xBD\xA0 b \xE5\xA5\xBD c");
    CHECK(defects.empty());
}

TEST_CASE("decode_header_text words glued to their neighbours") {
    // RFC 2047 5 (1) wants whitespace around encoded words; real mail omits it, and Python and
    // mail clients decode anyway. So do we, with a defect per edge.
    defect_list defects;
    CHECK(decode_header_text("abc=?UTF-8?B?5L2g?=def", &defects) == "abc\xE4\xBD\xA0" "def");
    REQUIRE(defects.size() == 2);
    CHECK(defects[0].kind == "invalid_encoded_word");
    CHECK(defects[0].offset == 3);
    CHECK(defects[1].offset == 19);

    defects.clear();
    CHECK(decode_header_text("=?UTF-8?B?5L2g?==?UTF-8?B?5aW9?=", &defects) == nihao);
    REQUIRE(defects.size() == 1);  // one shared edge
    CHECK(defects[0].kind == "invalid_encoded_word");
    CHECK(defects[0].offset == 16);
}

TEST_CASE("decode_header_text Q text that starts with an escape") {
    // "?Q?=E4": the "?=" right after the encoding letter is not the end of the word.
    defect_list defects;
    CHECK(decode_header_text("=?UTF-8?Q?=E4=BD=A0=E5=A5=BD?=", &defects) == nihao);
    CHECK(decode_header_text("=?UTF-8?Q?=E4=BD=A0?= =?UTF-8?Q?=E5=A5=BD?=", &defects) == nihao);
    CHECK(defects.empty());
}

TEST_CASE("decode_header_text joins a character split across words") {
    // 你 is E4 BD A0: "5L0=" carries E4 BD and "oA==" carries A0 (RFC 2047 5 forbids this).
    defect_list defects;
    CHECK(decode_header_text("=?UTF-8?B?5L0=?= =?UTF-8?B?oA==?=", &defects) == "\xE4\xBD\xA0");
    CHECK(defects.empty());
}

TEST_CASE("decode_header_text language suffix") {
    defect_list defects;
    CHECK(decode_header_text("=?UTF-8*zh?B?5L2g?=", &defects) == "\xE4\xBD\xA0");
    CHECK(decode_header_text("=?US-ASCII*EN?Q?Keith_Moore?=", &defects) == "Keith Moore");
    CHECK(defects.empty());
}

TEST_CASE("decode_header_text malformed words are kept with a defect") {
    defect_list defects;
    CHECK(decode_header_text("=?UTF-8?X?5L2g?=", &defects) == "=?UTF-8?X?5L2g?=");
    REQUIRE(defects.size() == 1);
    CHECK(defects[0].kind == "invalid_encoded_word");
    CHECK(defects[0].offset == 0);

    defects.clear();
    CHECK(decode_header_text("x =?UTF-8?B?5L2g", &defects) == "x =?UTF-8?B?5L2g");  // no ?=
    REQUIRE(defects.size() == 1);
    CHECK(defects[0].kind == "invalid_encoded_word");
    CHECK(defects[0].offset == 2);

    defects.clear();
    CHECK(decode_header_text("=?UTF-8?Q?a b?=", &defects) == "=?UTF-8?Q?a b?=");  // a space
    CHECK(has_kind(defects, "invalid_encoded_word"));

    defects.clear();
    CHECK(decode_header_text("What is 1+1=?", &defects) == "What is 1+1=?");
    CHECK(decode_header_text("=?", &defects) == "=?");
    CHECK(defects.empty());  // just text, not an attempt at an encoded word

    defects.clear();
    CHECK(decode_header_text("=?UTF-8?Q?a=ZZ?=", &defects) == "a=ZZ");
    CHECK(has_kind(defects, "invalid_encoded_word"));

    defects.clear();  // bad base64 inside a word: decoded leniently, offset in the value
    CHECK(decode_header_text("=?UTF-8?B?5L2g5aW9?=", &defects) == nihao);
    CHECK(decode_header_text("=?UTF-8?B?5L2g*5aW9?=", &defects) == nihao);
    REQUIRE(defects.size() == 1);
    CHECK(defects[0].kind == "invalid_base64_character");
    CHECK(defects[0].offset == 14);
}

TEST_CASE("decode_header_text unknown charset kept with a defect") {
    defect_list defects;
    CHECK(decode_header_text("=?x-klingon?B?5L2g?= =?UTF-8?B?5aW9?=", &defects) ==
          "=?x-klingon?B?5L2g?= \xE5\xA5\xBD");
    REQUIRE(defects.size() == 1);
    CHECK(defects[0].kind == "unknown_charset");
    CHECK(defects[0].offset == 0);
}

TEST_CASE("decode_header_text invalid octets inside a word") {
    defect_list defects;
    CHECK(decode_header_text("Hi =?UTF-8?Q?=FF?=", &defects) == "Hi " + fffd);
    REQUIRE(defects.size() == 1);
    CHECK(defects[0].kind == "invalid_charset_sequence");
    CHECK(defects[0].offset == 3);  // the word
}

TEST_CASE("decode_header_text raw 8-bit text") {
    defect_list defects;
    CHECK(decode_header_text("Re: " + nihao, &defects) == "Re: " + nihao);
    REQUIRE(defects.size() == 1);
    CHECK(defects[0].kind == "8bit_in_header");
    CHECK(defects[0].offset == 4);

    defects.clear();
    CHECK(decode_header_text("caf\xE9", &defects) == "caf\xC3\xA9");  // latin1 fallback
    REQUIRE(defects.size() == 1);
    CHECK(defects[0].kind == "8bit_in_header");
    CHECK(defects[0].offset == 3);

    defects.clear();
    CHECK(decode_header_text("\xC4\xE3\xBA\xC3 =?UTF-8?B?5L2g?=", &defects, "gbk") ==
          nihao + " \xE4\xBD\xA0");
    CHECK(has_kind(defects, "8bit_in_header"));

    defects.clear();
    auto d = decode_header_text("=?UTF-8?B?5L2g?= caf\xE9 =?UTF-8?X?a?=", &defects);
    CHECK(d == "\xE4\xBD\xA0 caf\xC3\xA9 =?UTF-8?X?a?=");
    REQUIRE(defects.size() == 2);
    CHECK(defects[0].kind == "8bit_in_header");
    CHECK(defects[1].kind == "invalid_encoded_word");
    // Defects are sorted by offset even though they are found in two passes.
    for (std::size_t k = 1; k < defects.size(); ++k)
        CHECK(defects[k - 1].offset <= defects[k].offset);
}

TEST_CASE("encode_header_text round trips") {
    SUBCASE("ASCII unchanged") {
        CHECK(encode_header_text("Hello world") == "Hello world");
        CHECK(encode_header_text("") == "");
    }
    SUBCASE("ASCII that looks like an encoded word is encoded") {
        std::string tricky = "see =?UTF-8?B?5L2g?= here";
        std::string encoded = encode_header_text(tricky);
        CHECK(encoded != tricky);
        CHECK(decode_header_text(encoded) == tricky);
    }
    SUBCASE("Chinese") {
        std::string encoded = encode_header_text(nihao);
        CHECK(encoded == "=?UTF-8?B?5L2g5aW9?=");
        defect_list defects;
        CHECK(decode_header_text(encoded, &defects) == nihao);
        CHECK(defects.empty());
        CHECK(decode_header_text(encode_header_text("Re: " + nihao + " world ")) ==
              "Re: " + nihao + " world ");
    }
    SUBCASE("long Chinese subject") {
        std::string subject;
        for (int k = 0; k < 40; ++k) subject += "\xE4\xB8\xAD\xE6\x96\x87";  // 中文
        subject += " mixed with ASCII \xF0\x9F\x98\x80";
        for (bool fold : {true, false}) {
            std::string encoded = encode_header_text(subject, fold);
            INFO("fold=", fold, " encoded=", encoded);
            std::size_t words = 0;
            std::size_t pos = 0;
            while ((pos = encoded.find("=?", pos)) != std::string::npos) {
                std::size_t end = encoded.find("?=", encoded.find("?B?", pos) + 3);
                REQUIRE(end != std::string::npos);
                CHECK(end + 2 - pos <= 75);
                ++words;
                pos = end + 2;
            }
            CHECK(words > 1);
            if (fold) CHECK(encoded.find("?=\r\n =?") != std::string::npos);
            else CHECK(encoded.find('\r') == std::string::npos);
            defect_list defects;
            CHECK(decode_header_text(encoded, &defects) == subject);
            CHECK(defects.empty());
        }
    }
}

// ---------------------------------------------------------------------------------------------
// RFC 2231

TEST_CASE("decode_rfc2231_value") {
    defect_list defects;
    CHECK(decode_rfc2231_value("UTF-8''%E4%BD%A0%E5%A5%BD.txt", &defects) == nihao + ".txt");
    CHECK(decode_rfc2231_value("utf-8''%e4%bd%a0%e5%a5%bd.txt", &defects) == nihao + ".txt");
    CHECK(decode_rfc2231_value("us-ascii'en-us'This%20is", &defects) == "This is");
    CHECK(decode_rfc2231_value("GBK''%C4%E3%BA%C3.doc", &defects) == nihao + ".doc");
    CHECK(decode_rfc2231_value("''plain%20name", &defects) == "plain name");
    CHECK(decode_rfc2231_value("no%20quotes", &defects) == "no quotes");  // continuation
    CHECK(decode_rfc2231_value("UTF-8''it's", &defects) == "it's");  // later quotes are data
    CHECK(defects.empty());
}

TEST_CASE("decode_rfc2231_value defects") {
    defect_list defects;
    CHECK(decode_rfc2231_value("UTF-8''100%", &defects) == "100%");
    REQUIRE(defects.size() == 1);
    CHECK(defects[0].kind == "malformed_parameter");
    CHECK(defects[0].offset == 10);

    defects.clear();
    CHECK(decode_rfc2231_value("x-klingon''%41b", &defects) == "Ab");
    REQUIRE(defects.size() == 1);
    CHECK(defects[0].kind == "unknown_charset");

    defects.clear();
    CHECK(decode_rfc2231_value("UTF-8''a%FFb", &defects) == "a" + fffd + "b");
    REQUIRE(defects.size() == 1);
    CHECK(defects[0].kind == "invalid_charset_sequence");
    CHECK(defects[0].offset == 7);
}
