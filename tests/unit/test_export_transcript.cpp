#include <doctest/doctest.h>

#include <sstream>

#include "export_fixtures.hpp"
#include "sim/export/rfc_transcript.hpp"

using namespace maillab;
using namespace maillab::exporting;

namespace {
std::string transcript(const export_source& src, rfc_transcript_options o = {}) {
    std::ostringstream out;
    write_rfc_transcript(src, out, o);
    return out.str();
}
}  // namespace

TEST_CASE("export transcript: RFC 5321 appendix D style, one section per connection") {
    std::string t = transcript(test::source_of(test::classic_trace()));
    CHECK(t.find("Connection 1: pc.alice -> mail.a.example, SMTP, port 587 (submission)\n") !=
          std::string::npos);
    CHECK(t.find("S: 220 mail.a.example ESMTP maillab ready\n") != std::string::npos);
    CHECK(t.find("C: EHLO pc.alice\n") != std::string::npos);
    // A multi-line reply: one S: line per line, as on the wire.
    CHECK(t.find("S: 250-mail.a.example Hello pc.alice\nS: 250-PIPELINING\n") != std::string::npos);
    CHECK(t.find("C: MAIL FROM:<alice@a.example> SIZE=366\n") != std::string::npos);
    // The message text, dot-stuffed as sent, ends with the lone dot.
    CHECK(t.find("C: .\n") != std::string::npos);
    CHECK(t.find("   [server state WAIT_HELO -> READY]\n") != std::string::npos);
    CHECK(t.find("   [client state GREETING -> EHLO]\n") != std::string::npos);
    CHECK(t.find("   * AUTH before TLS") != std::string::npos);
    // The relay hop: mail.a.example is the client there.
    CHECK(t.find("-> mail.b.example, SMTP, port 25 (smtp)\n") != std::string::npos);
    // Events of no connection stand between the sections.
    CHECK(t.find("\n* step 1 of 2: ") != std::string::npos);
    CHECK(t.find("DNS: mail.a.example asks: MX records of b.example?") != std::string::npos);
    // Line ends are not shown, as in the RFC; no \r\n escapes leak in.
    CHECK(t.find("\\r\\n") == std::string::npos);
    CHECK(t.find('\r') == std::string::npos);
}

TEST_CASE("export transcript: long message texts show head, count and final line") {
    rfc_transcript_options o;
    o.max_message_lines = 4;
    std::string t = transcript(test::source_of(test::classic_trace()), o);
    CHECK(t.find("C: ... (") != std::string::npos);
    CHECK(t.find(" more lines)\nC: .\n") != std::string::npos);
}

TEST_CASE("export transcript: bare LF and control bytes stay visible") {
    std::string t = transcript(test::source_of(test::hostile_trace()));
    CHECK(t.find("Connection 1: pc.x -> mail.y, SMTP, port 25 (smtp)") != std::string::npos);
    CHECK(t.find("S: 250-first\n") != std::string::npos);
    CHECK(t.find("   [bare LF]\n") != std::string::npos);
    CHECK(t.find("\\x01") != std::string::npos);
    CHECK(t.find("* teacher: ") != std::string::npos);
}

TEST_CASE("export transcript: Chinese notes and headings with --lang zh; annotations") {
    trace_file f = test::hostile_trace();
    annotation note;
    note.id = 1;
    note.type = annotation_type::note;
    note.seq = 2;
    note.text = "look";
    note.text_zh = "看这里";
    f.annotations = {note};
    std::string zh = transcript(test::source_of(f, {}, language::zh));
    CHECK(zh.find("连接 1：pc.x -> mail.y，SMTP，端口 25 (smtp)") != std::string::npos);
    CHECK(zh.find("* 老师：") != std::string::npos);
    CHECK(zh.find("   >> 教师批注：看这里\n") != std::string::npos);
    std::string en = transcript(test::source_of(f));
    CHECK(en.find("   >> Teacher: look\n") != std::string::npos);
}

TEST_CASE("export transcript: a filtered transcript still names both ends and the port") {
    export_filter f;
    f.kinds = {event_kind::command};
    f.conns = {1};
    std::string t = transcript(test::source_of(test::classic_trace(), f));
    CHECK(t.find("Connection 1: pc.alice -> mail.a.example, SMTP, port 587") != std::string::npos);
    CHECK(t.find("S: ") == std::string::npos);
    CHECK(t.find("(chosen by connection 1; kind command)") != std::string::npos);
}
