#include "sim/mime/imap_structure.hpp"

#include <doctest/doctest.h>

#include "sim/mime/date.hpp"

using namespace maillab::mime;

TEST_CASE("IMAP nstring: NIL, quoted with escapes, literal for 8-bit and line breaks") {
    CHECK(imap_nstring(std::nullopt) == "NIL");
    CHECK(imap_nstring(std::string("a \"b\" \\c")) == "\"a \\\"b\\\" \\\\c\"");
    CHECK(imap_nstring(std::string("你好")) == "{6}\r\n你好");
    CHECK(imap_nstring(std::string("a\r\nb")) == "{4}\r\na\r\nb");
}

TEST_CASE("IMAP ENVELOPE: raw fields, addresses split, groups, Sender/Reply-To default to From") {
    message m("Date: Mon, 06 Jan 2025 09:00:00 +0800\r\n"
              "Subject: =?UTF-8?B?5L2g5aW9?=\r\n"
              "From: \"Alice A.\" <alice@example.org>\r\n"
              "To: bob@example.org, team: carol@example.org, dan@example.org;\r\n"
              "Message-ID: <m1@example.org>\r\n\r\nbody\r\n");
    CHECK(imap_envelope(m, m.root()) ==
          "(\"Mon, 06 Jan 2025 09:00:00 +0800\" \"=?UTF-8?B?5L2g5aW9?=\" "
          "((\"Alice A.\" NIL \"alice\" \"example.org\")) "
          "((\"Alice A.\" NIL \"alice\" \"example.org\")) "
          "((\"Alice A.\" NIL \"alice\" \"example.org\")) "
          "((NIL NIL \"bob\" \"example.org\")(NIL NIL \"team\" NIL)"
          "(NIL NIL \"carol\" \"example.org\")(NIL NIL \"dan\" \"example.org\")(NIL NIL NIL NIL)) "
          "NIL NIL NIL \"<m1@example.org>\")");
}

TEST_CASE("IMAP BODYSTRUCTURE of a text part and of a multipart with an attachment") {
    message text("Subject: x\r\n\r\nhello\r\nworld\r\n");
    CHECK(imap_body_structure(text, text.root(), true) ==
          "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 14 2 NIL NIL NIL NIL)");
    CHECK(imap_body_structure(text, text.root(), false) ==
          "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 14 2)");
    message mixed("Content-Type: multipart/mixed; boundary=b\r\n\r\n"
                  "--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nhi\r\n"
                  "--b\r\nContent-Type: image/png; name=a.png\r\n"
                  "Content-Disposition: attachment; filename=a.png\r\n"
                  "Content-Transfer-Encoding: base64\r\n\r\niVBORw0K\r\n--b--\r\n");
    CHECK(imap_body_structure(mixed, mixed.root(), true) ==
          "((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"utf-8\") NIL NIL \"7BIT\" 2 1 NIL NIL NIL NIL)"
          "(\"IMAGE\" \"PNG\" (\"NAME\" \"a.png\") NIL NIL \"BASE64\" 8 NIL "
          "(\"ATTACHMENT\" (\"FILENAME\" \"a.png\")) NIL NIL) "
          "\"MIXED\" (\"BOUNDARY\" \"b\") NIL NIL NIL)");
    message fwd("Content-Type: message/rfc822\r\n\r\nSubject: in\r\n\r\nx\r\n");
    std::string s = imap_body_structure(fwd, fwd.root(), false);
    CHECK(s.rfind("(\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" 18 (NIL \"in\"", 0) == 0);
    CHECK(s.ends_with(" 3)"));
}

TEST_CASE("RFC 5322 dates, modern and obsolete") {
    auto d = parse_mail_date("Mon, 06 Jan 2025 09:00:00 +0800");
    REQUIRE(d);
    CHECK(d->unix_seconds == 1736125200);  // 01:00 UTC
    CHECK(d->offset_minutes == 480);
    auto obs = parse_mail_date("6 Jan 25 09:00 EST (comment)");
    REQUIRE(obs);
    CHECK(obs->unix_seconds == 1736172000);  // 14:00 UTC
    CHECK(obs->offset_minutes == -300);
    CHECK(parse_mail_date("Fri, 4 May 2001 14:05:44 -0400")->unix_seconds == 988999544);
    CHECK_FALSE(parse_mail_date("yesterday"));
    CHECK_FALSE(parse_mail_date("Mon, 32 Jan 2025 09:00:00 +0000"));
}
