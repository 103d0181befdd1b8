#include "sim/mime/message.hpp"

#include <doctest/doctest.h>

#include <random>

#include "sim/mime/builder.hpp"
#include "sim/mime/codecs.hpp"
#include "sim/mime/describe.hpp"

using namespace maillab::mime;

namespace {
bool has_defect(const message& m, std::string_view kind) {
    for (const auto& d : m.all_defects())
        if (d.kind == kind) return true;
    return false;
}

const char* multipart_sample =
    "From: =?UTF-8?B?5byg5LiJ?= <zhang@example.org>\r\n"
    "To: bob@example.org\r\n"
    "Subject: =?GBK?B?xOO6ww==?= world\r\n"
    "Received: from a\r\n"
    "Received: from b\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/mixed; (a comment)\r\n"
    " boundary=\"outer b\"\r\n"
    "\r\n"
    "This is the preamble.\r\n"
    "--outer b\r\n"
    "Content-Type: multipart/alternative; boundary=inner\r\n"
    "\r\n"
    "--inner\r\n"
    "Content-Type: text/plain; charset=gbk\r\n"
    "Content-Transfer-Encoding: base64\r\n"
    "\r\n"
    "xOO6ww==\r\n"
    "--inner\r\n"
    "Content-Type: text/html; charset=utf-8\r\n"
    "Content-Transfer-Encoding: quoted-printable\r\n"
    "\r\n"
    "<p>=E4=BD=A0=E5=A5=BD soft=\r\n"
    "break</p>\r\n"
    "--inner--\r\n"
    "--outer b\r\n"
    "Content-Type: application/octet-stream; name=\"=?UTF-8?B?5L2g5aW9LmJpbg==?=\"\r\n"
    "Content-Disposition: attachment;\r\n"
    " filename*0*=UTF-8''%E4%BD%A0;\r\n"
    " filename*1*=%E5%A5%BD.bin\r\n"
    "Content-Transfer-Encoding: base64\r\n"
    "\r\n"
    "AAEC/w==\r\n"
    "--outer b\r\n"
    "Content-Type: message/rfc822\r\n"
    "\r\n"
    "Subject: inner message\r\n"
    "\r\n"
    "inner body\r\n"
    "--outer b--\r\n"
    "epilogue\r\n";
}  // namespace

TEST_CASE("MIME: nested multipart tree, ranges, decoded headers, bodies and file names") {
    message m(multipart_sample);
    const part& root = m.root();
    CHECK(root.type.mime_type() == "multipart/mixed");
    CHECK(*root.type.param("boundary") == "outer b");
    CHECK(m.header_text(root, "subject") == "你好 world");
    CHECK(m.header_text(root, "from") == "张三 <zhang@example.org>");
    // Duplicates kept in order.
    std::vector<std::string> received;
    for (const auto& f : root.header.fields)
        if (f.name == "Received") received.push_back(unfold(f.value.of(m.raw())));
    CHECK(received == std::vector<std::string>{"from a", "from b"});
    CHECK(root.preamble.of(m.raw()) == "This is the preamble.");
    CHECK(root.epilogue.of(m.raw()) == "epilogue\r\n");
    REQUIRE(root.children.size() == 3);
    CHECK(root.boundary_lines.size() == 4);
    CHECK(root.boundary_lines.back().of(m.raw()) == "--outer b--\r\n");

    const part& alt = root.children[0];
    CHECK(alt.type.mime_type() == "multipart/alternative");
    REQUIRE(alt.children.size() == 2);
    CHECK(m.text(alt.children[0]) == "你好");
    CHECK(m.text(alt.children[1]) == "<p>你好 softbreak</p>");  // its CRLF is the boundary's
    // The CRLF before a boundary line belongs to the boundary, not to the part.
    CHECK(alt.children[0].body.of(m.raw()) == "xOO6ww==");

    const part& att = root.children[1];
    CHECK(att.disposition == "attachment");
    CHECK(att.filename == "你好.bin");  // RFC 2231 wins over the encoded-word name
    CHECK(*att.type.param("name") == "你好.bin");
    CHECK(m.decoded_body(att) == std::string("\x00\x01\x02\xff", 4));

    const part& inner = root.children[2];
    CHECK(inner.is_message());
    REQUIRE(inner.children.size() == 1);
    CHECK(m.header_text(inner.children[0], "subject") == "inner message");
    CHECK(m.decoded_body(inner.children[0]) == "inner body");
    CHECK(m.all_defects().empty());
}

TEST_CASE("MIME: the canonical JSON form has the documented keys in order") {
    message m(multipart_sample);
    auto j = canonical_json(m);
    std::vector<std::string> keys;
    for (const auto& [k, v] : j.items()) keys.push_back(k);
    CHECK(keys == std::vector<std::string>{"type", "params", "headers", "defects", "parts"});
    const auto& leaf = j["parts"][1];
    keys.clear();
    for (const auto& [k, v] : leaf.items()) keys.push_back(k);
    CHECK(keys == std::vector<std::string>{"type", "params", "headers", "defects", "encoding",
                                           "disposition", "filename", "size", "sha256"});
    CHECK(leaf["size"] == 4);
    CHECK(leaf["filename"] == "你好.bin");
    CHECK(j["parts"][0]["parts"][0]["text_sha256"] == sha256_hex("你好"));
    CHECK(j["headers"]["subject"] == "你好 world");
}

TEST_CASE("MIME: broken mail is parsed as far as it goes, each defect recorded") {
    SUBCASE("missing final boundary") {
        message m("Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\none\r\n--b\r\n\r\ntwo\r\n");
        CHECK(has_defect(m, "missing_final_boundary"));
        REQUIRE(m.root().children.size() == 2);
        CHECK(m.decoded_body(m.root().children[1]) == "two");  // the last CRLF goes with the end
    }
    SUBCASE("boundary never appears") {
        message m("Content-Type: multipart/mixed; boundary=b\r\n\r\njust text\r\n");
        CHECK(has_defect(m, "no_boundary_found"));
        CHECK(m.root().children.empty());
    }
    SUBCASE("multipart without boundary") {
        message m("Content-Type: multipart/mixed\r\n\r\ntext\r\n");
        CHECK(has_defect(m, "multipart_without_boundary"));
    }
    SUBCASE("no empty line after the header (the seed's SMTPDemo mail)") {
        message m("subject: \xe4\xbd\xa0\xe5\xa5\xbd\nni hao\nwo shi li jian\n");
        CHECK(has_defect(m, "missing_header_body_separator"));
        CHECK(has_defect(m, "8bit_in_header"));
        CHECK(m.header_text(m.root(), "subject") == "你好");
        CHECK(m.decoded_body(m.root()) == "ni hao\nwo shi li jian\n");
    }
    SUBCASE("bad base64, bad quoted-printable, unknown encoding, bad type") {
        message a("Content-Transfer-Encoding: base64\r\n\r\nAA*B\r\nA\r\n");
        defect_list d;
        a.decoded_body(a.root(), &d);
        CHECK_FALSE(d.empty());
        message b("Content-Transfer-Encoding: x-uuencode\r\nContent-Type: nonsense\r\n\r\nx\r\n");
        CHECK(has_defect(b, "unknown_transfer_encoding"));
        CHECK(has_defect(b, "invalid_content_type"));
        CHECK(b.root().type.mime_type() == "text/plain");
    }
    SUBCASE("unknown charset falls back to UTF-8 with a defect") {
        message m("Content-Type: text/plain; charset=x-klingon\r\n\r\nhello\r\n");
        defect_list d;
        CHECK(m.text(m.root(), &d) == "hello\r\n");
        bool unknown = false;
        for (const auto& x : d) unknown = unknown || x.kind == "unknown_charset";
        CHECK(unknown);
    }
    SUBCASE("nesting is bounded") {
        std::string raw;
        for (int i = 0; i < 60; ++i)
            raw += "Content-Type: multipart/mixed; boundary=b" + std::to_string(i) + "\r\n\r\n--b" +
                   std::to_string(i) + "\r\n";
        raw += "\r\nleaf\r\n";
        message m(raw);
        CHECK(has_defect(m, "nesting_too_deep"));
    }
    SUBCASE("an unclosed comment ending in a backslash (found by the fuzzer)") {
        message m("Content-Type:(miliaptrt/-mized; boundary=b\r\\\r\n"
                  "Content-Disposition: attachment; filepi=\r\n");
        CHECK(has_defect(m, "invalid_content_type"));
        message a("From: (unclosed \\");
        (void)canonical_json(a);
    }
    SUBCASE("LF-only lines and digest defaults") {
        message m("Content-Type: multipart/digest; boundary=d\n\n--d\n\nSubject: one\n\nbody 1\n--d--\n");
        REQUIRE(m.root().children.size() == 1);
        CHECK(m.root().children[0].is_message());
        CHECK(m.header_text(m.root().children[0].children.at(0), "subject") == "one");
    }
}

TEST_CASE("MIME: never crashes or loops on arbitrary bytes") {
    std::mt19937 rng(1234);
    const std::string base = multipart_sample;
    for (int round = 0; round < 3000; ++round) {
        std::string s = base;
        int edits = 1 + static_cast<int>(rng() % 8);
        for (int e = 0; e < edits && !s.empty(); ++e) {
            std::size_t pos = rng() % s.size();
            switch (rng() % 4) {
                case 0: s[pos] = static_cast<char>(rng()); break;
                case 1: s.erase(pos, rng() % 40); break;
                case 2: s.insert(pos, std::string(1 + rng() % 3, "-\r\n=?\"\\;*'"[rng() % 10])); break;
                case 3: s = s.substr(0, pos); break;
            }
        }
        message m(s);
        (void)canonical_json(m);
        (void)part_tree_text(m);
    }
    CHECK(true);
}

TEST_CASE("MIME builder: what it writes, the parser reads back") {
    compose_request r;
    r.from = "张三 <zhang@example.org>";
    r.to = {"Bob <bob@example.org>", "李四 <li@example.org>"};
    r.subject = "期末考试安排：请查看附件中的时间表和考场分配（这是一个很长的主题行）";
    r.text = "你好，\n\n附件是考试安排。\n.a line starting with a dot\n";
    r.html = "<p>你好，请看 <img src=\"cid:logo.png\"></p>";
    r.inline_images = {{"logo.png", "image/png", std::string("\x89PNG\r\n\x1a\n\x00\x01", 10), "logo.png"}};
    r.attachments = {{"考试安排.txt", "text/plain", "line 1\r\nline 2\r\n", ""},
                     {"data.bin", "", std::string(3000, '\xAB'), ""}};
    r.date = "Mon, 06 Jan 2025 09:00:00 +0000";
    r.message_id = "<compose-1@example.org>";
    std::string raw = build_message(r);

    // Line lengths: no line over 78 octets (RFC 5322 2.1.1 SHOULD), CRLF only.
    std::size_t start = 0;
    while (start < raw.size()) {
        auto crlf = raw.find("\r\n", start);
        REQUIRE(crlf != std::string::npos);
        CHECK(crlf - start <= 78);
        CHECK(raw.substr(start, crlf - start).find('\n') == std::string::npos);
        start = crlf + 2;
    }

    message m(raw);
    CHECK(m.all_defects().empty());
    CHECK(m.header_text(m.root(), "subject") == r.subject);
    CHECK(m.header_text(m.root(), "from") == "张三 <zhang@example.org>");
    CHECK(m.header_text(m.root(), "to") == "Bob <bob@example.org>, 李四 <li@example.org>");
    const part& root = m.root();
    CHECK(root.type.mime_type() == "multipart/mixed");
    REQUIRE(root.children.size() == 3);
    const part& alt = root.children[0];
    CHECK(alt.type.mime_type() == "multipart/alternative");
    REQUIRE(alt.children.size() == 2);
    CHECK(m.text(alt.children[0]) == "你好，\r\n\r\n附件是考试安排。\r\n.a line starting with a dot\r\n");
    const part& related = alt.children[1];
    CHECK(related.type.mime_type() == "multipart/related");
    REQUIRE(related.children.size() == 2);
    CHECK(m.text(related.children[0]) == r.html + "\r\n");
    CHECK(m.decoded_body(related.children[1]) == r.inline_images[0].bytes);
    CHECK(related.children[1].disposition == "inline");
    CHECK(root.children[1].filename == "考试安排.txt");
    CHECK(m.decoded_body(root.children[1]) == "line 1\r\nline 2\r\n");
    CHECK(m.decoded_body(root.children[2]) == r.attachments[1].bytes);

    // Only text, ASCII: no multipart, 7bit.
    compose_request plain;
    plain.from = "a@example.org";
    plain.to = {"b@example.org"};
    plain.subject = "hello";
    plain.text = "just text";
    message p(build_message(plain));
    CHECK(p.root().type.mime_type() == "text/plain");
    CHECK(p.root().encoding == "7bit");
    CHECK(p.decoded_body(p.root()) == "just text\r\n");
    CHECK_THROWS_AS(build_message(compose_request{}), std::invalid_argument);
}

TEST_CASE("MIME builder: subjects that look encoded or are long, text attachments carry a charset") {
    compose_request r;
    r.from = "a@example.org";
    r.to = {"b@example.org"};
    r.subject = "=?UTF-8?B?5L2g5aW9?= is how 你好 looks on the wire";
    r.text = "x";
    r.attachments = {{"notes.txt", "text/plain", "笔记\r\n", ""}};
    message m(build_message(r));
    CHECK(m.header_text(m.root(), "subject") == r.subject);
    CHECK(*m.root().children.at(1).type.param("charset") == "utf-8");
    CHECK(m.text(m.root().children.at(1)) == "笔记\r\n");

    r.subject = "";
    for (int i = 0; i < 60; ++i) r.subject += "word" + std::to_string(i) + " ";
    r.subject += "end";
    std::string raw = build_message(r);
    for (std::size_t start = 0, crlf; (crlf = raw.find("\r\n", start)) != std::string::npos;
         start = crlf + 2)
        CHECK(crlf - start <= 78);
    message folded(raw);
    CHECK(folded.header_text(folded.root(), "subject") == r.subject);
}

TEST_CASE("MIME: defects point into the raw message; encoded message/rfc822 is flagged") {
    message m("Subject: x\r\nContent-Transfer-Encoding: base64\r\n\r\nAA*B\r\n");
    defect_list d;
    m.decoded_body(m.root(), &d);
    REQUIRE_FALSE(d.empty());
    CHECK(d[0].offset >= m.root().body.begin);
    message enc("Content-Type: message/rfc822\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                "U3ViamVjdDogaGkNCg0KeA0K\r\n");
    CHECK(has_defect(enc, "encoded_message"));
}
