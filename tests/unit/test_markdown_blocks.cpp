// The Markdown subset of lab instructions: headings, lists, fenced code, paragraphs, code spans.
#include "sim/view/markdown_blocks.hpp"

#include <doctest/doctest.h>

using namespace maillab::view;
using kind = markdown_block::kind;

TEST_CASE("markdown: headings, paragraphs joined, lists and a code fence") {
    auto blocks = split_markdown("## Send a mail\nType the lines\nbelow, one by one:\n\n- `HELO pc`\n- then QUIT\n"
                                 "1. first\n2) second\n\n```\nMAIL FROM:<a@b>\n  indented\n\n.\n```\nafter");
    REQUIRE(blocks.size() == 8);
    CHECK(blocks[0].what == kind::heading);
    CHECK(blocks[0].level == 2);
    CHECK(blocks[0].text == "Send a mail");
    CHECK(blocks[1].what == kind::paragraph);
    CHECK(blocks[1].text == "Type the lines below, one by one:");
    CHECK(blocks[2].what == kind::bullet);
    REQUIRE(blocks[2].spans.size() == 1);
    CHECK(blocks[2].spans[0].code);
    CHECK(blocks[2].spans[0].text == "HELO pc");
    CHECK(blocks[3].text == "then QUIT");
    CHECK(blocks[4].what == kind::numbered);
    CHECK(blocks[4].marker == "1.");
    CHECK(blocks[5].marker == "2)");
    CHECK(blocks[5].text == "second");
    CHECK(blocks[6].what == kind::code);
    CHECK(blocks[6].text == "MAIL FROM:<a@b>\n  indented\n\n.");
    CHECK(blocks[7].what == kind::paragraph);
    CHECK(blocks[7].text == "after");
}

TEST_CASE("markdown: the paragraph after a code fence, CRLF, and an unterminated fence keeps its text") {
    auto blocks = split_markdown("```\r\nline\r\n```\r\nafter\r\n");
    REQUIRE(blocks.size() == 2);
    CHECK(blocks[0].text == "line");
    CHECK(blocks[1].text == "after");
    blocks = split_markdown("text\n```\nnever closed\nstill code");
    REQUIRE(blocks.size() == 2);
    CHECK(blocks[1].what == kind::code);
    CHECK(blocks[1].text == "never closed\nstill code");
}

TEST_CASE("markdown: code spans, an unmatched backtick and Chinese text") {
    auto spans = split_code_spans("输入 `QUIT`，然后 `:done` 和 ` 一个");
    REQUIRE(spans.size() == 5);
    CHECK(spans[4].text == " 和 ` 一个");
    CHECK(spans[0].text == "输入 ");
    CHECK(spans[1].code);
    CHECK(spans[1].text == "QUIT");
    CHECK(spans[2].text == "，然后 ");
    CHECK(spans[3].code);
    CHECK(spans[3].text == ":done");
    spans = split_code_spans("with **IMAP** and `**kept**`");
    REQUIRE(spans.size() == 2);
    CHECK(spans[0].text == "with IMAP and ");
    CHECK(spans[1].text == "**kept**");
    spans = split_code_spans("a ` b");
    REQUIRE(spans.size() == 1);
    CHECK(spans[0].text == "a ` b");
    CHECK(split_markdown("").empty());
    CHECK(split_markdown("#nospace").at(0).what == kind::paragraph);
}
