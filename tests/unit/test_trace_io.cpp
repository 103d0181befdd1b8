#include "sim/record/trace_io.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "sim/world/builtin_demo.hpp"
#include "catalog_check.hpp"

using namespace maillab;

TEST_CASE("the demo trace survives write and read unchanged, and two runs are identical") {
    demo_result first = run_builtin_demo();
    demo_result second = run_builtin_demo();
    REQUIRE(first.delivered);
    REQUIRE(first.events.size() > 30);
    CHECK(first.events == second.events);

    std::stringstream file;
    file << header_line(first.header) << '\n';
    for (const auto& e : first.events) file << event_line(e) << '\n';
    std::string text = file.str();
    trace_file back = read_trace(file, "demo.jsonl");
    CHECK(back.warnings.empty());
    CHECK(back.events == first.events);
    CHECK(back.header["format"] == "maillab-trace");
    CHECK(back.header["version"] == 1);  // no annotations: the lowest version that holds it
    CHECK(back.version == 1);

    std::stringstream again;
    again << header_line(back.header) << '\n';
    for (const auto& e : back.events) again << event_line(e) << '\n';
    CHECK(again.str() == text);  // byte for byte

    // Client states, transport events and both protocols: every explanation renders fully.
    test::check_explanations(first.events);
}

TEST_CASE("raw bytes that are not UTF-8 travel as base64 and come back exactly") {
    event e;
    e.seq = 7;
    e.t_us = 123;
    e.kind = event_kind::data;
    e.text = "GBK text";
    e.raw = std::string("Subject: \xc4\xe3\xba\xc3\r\n\x00\xff", 15);
    e.fields = {{"size", 15}};
    auto j = event_to_json(e);
    CHECK(j.contains("raw_b64"));
    CHECK_FALSE(j.contains("raw"));
    CHECK(event_from_json(nlohmann::json::parse(event_line(e))) == e);
}

TEST_CASE("damaged traces get errors that name the line") {
    auto fails_at = [](const std::string& text, std::size_t line, const std::string& words) {
        std::stringstream in(text);
        try {
            read_trace(in, "t.jsonl");
        } catch (const trace_format_error& err) {
            CHECK(err.line() == line);
            CHECK_MESSAGE(std::string(err.what()).find(words) != std::string::npos, err.what());
            return;
        }
        FAIL("no error for: " << text);
    };
    std::string header = "{\"format\":\"maillab-trace\",\"version\":1}\n";
    fails_at("", 0, "no header");
    fails_at("{\"format\":\"other\"}\n", 1, "header");
    fails_at("{\"format\":5,\"version\":1}\n", 1, "header");
    fails_at("{\"format\":\"maillab-trace\",\"version\":99}\n", 1, "newer");
    fails_at(header + "{\"seq\":1,\"t_us\":0,\"kind\":\"tcp\",\"text\":\"x\"}\nnot json\n", 3,
             "not valid JSON");
    fails_at(header + "{\"seq\":1,\"t_us\":0,\"kind\":\"bogus\",\"text\":\"x\"}\n", 2,
             "unknown event kind");
    fails_at(header + "{\"seq\":1,\"kind\":\"tcp\",\"text\":\"x\"}\n", 2, "t_us");
    fails_at(header + "{\"seq\":-1,\"t_us\":0,\"kind\":\"tcp\",\"text\":\"x\"}\n", 2, "seq");
    fails_at(header + "[1,2]\n", 2, "object");
    fails_at(header + "{\"seq\":1,\"t_us\":1e99999,\"kind\":\"tcp\",\"text\":\"x\"}\n", 2,
             "too large");

    // A recording cut off mid-line keeps what came before, with a warning.
    std::stringstream cut(header + "{\"seq\":1,\"t_us\":0,\"kind\":\"tcp\",\"text\":\"x\"}\n" +
                          "{\"seq\":2,\"t_us\":0,\"ki");
    trace_file f = read_trace(cut, "cut.jsonl");
    CHECK(f.events.size() == 1);
    REQUIRE(f.warnings.size() == 1);
    CHECK(f.warnings[0].find("cut.jsonl:3") != std::string::npos);
}

TEST_CASE("a field that reuses a core key never stops the trace: it is kept as _key") {
    virtual_clock clock;
    trace t(clock);
    event e;
    e.kind = event_kind::note;
    e.text = "x";
    e.fields = {{"kind", "EXPUNGE"}, {"seq", 5}};
    t.append(e);
    const event& stored = t.events().back();
    CHECK(stored.fields["_kind"] == "EXPUNGE");
    CHECK(stored.fields["_seq"] == 5);
    CHECK_FALSE(stored.fields.contains("kind"));
    CHECK_NOTHROW(event_line(stored));
}

namespace {
const std::string v1_header = "{\"format\":\"maillab-trace\",\"version\":1}\n";
const std::string v2_header = "{\"format\":\"maillab-trace\",\"version\":2}\n";
std::string event_json(int seq) {
    return "{\"seq\":" + std::to_string(seq) + ",\"t_us\":" + std::to_string(seq * 1000) +
           ",\"kind\":\"tcp\",\"text\":\"e" + std::to_string(seq) + "\"}\n";
}
std::string note_json(int id, int seq, const std::string& text) {
    return "{\"annotation\":{\"id\":" + std::to_string(id) + ",\"type\":\"note\",\"seq\":" +
           std::to_string(seq) + ",\"text\":\"" + text + "\"}}\n";
}
std::string read_error(const std::string& text, std::size_t& line) {
    std::stringstream in(text);
    try {
        read_trace(in, "t.jsonl");
    } catch (const trace_format_error& err) {
        line = err.line();
        return err.what();
    }
    return "(no error)";
}
}  // namespace

TEST_CASE("versions: 1 and 2 load, an unknown newer one and a version below 1 do not") {
    std::stringstream v1(v1_header + event_json(1) + event_json(2));
    trace_file f1 = read_trace(v1, "old.jsonl");
    CHECK(f1.version == 1);
    CHECK(f1.events.size() == 2);
    CHECK(f1.annotations.empty());
    CHECK(f1.warnings.empty());

    std::stringstream v2(v2_header + note_json(1, 2, "look here") + event_json(1) + event_json(2));
    trace_file f2 = read_trace(v2, "new.jsonl");
    CHECK(f2.version == 2);
    CHECK(f2.events.size() == 2);
    REQUIRE(f2.annotations.size() == 1);
    CHECK(f2.annotations[0].text == "look here");
    CHECK(f2.warnings.empty());

    std::size_t line = 99;
    std::string err = read_error("{\"format\":\"maillab-trace\",\"version\":3}\n" + event_json(1), line);
    CHECK(line == 1);
    CHECK(err == "t.jsonl:1: format version 3 is newer than this maillab reads (2); update maillab");
    err = read_error("{\"format\":\"maillab-trace\",\"version\":0}\n", line);
    CHECK(line == 1);
    CHECK(err.find("version 0 does not exist") != std::string::npos);
    err = read_error("{\"format\":\"maillab-trace\",\"version\":\"2\"}\n", line);
    CHECK(err.find("integer \"version\"") != std::string::npos);
}

TEST_CASE("annotations: written after the header, read back equal; the version follows them") {
    demo_result demo = run_builtin_demo();
    annotation n;
    n.id = 1;
    n.type = annotation_type::note;
    n.seq = 5;
    n.text = "EHLO, not HELO: the client asks for extensions";
    n.text_zh = "EHLO 而不是 HELO：客户端询问扩展";
    annotation b;
    b.id = 2;
    b.type = annotation_type::bookmark;
    b.seq = 30;
    b.name = "POP3 starts";
    std::string dir = std::filesystem::temp_directory_path() / "maillab-test-trace-io";
    std::filesystem::create_directories(dir);
    std::string path = dir + "/annotated.jsonl";
    write_trace_file(path, demo.header, demo.events, {n, b});
    trace_file back = read_trace_file(path);
    CHECK(back.version == 2);
    CHECK(back.header["version"] == 2);
    CHECK(back.events == demo.events);
    REQUIRE(back.annotations.size() == 2);
    CHECK(back.annotations[0] == n);
    CHECK(back.annotations[1] == b);
    {
        std::ifstream in(path);
        std::string first, second, third;
        std::getline(in, first);
        std::getline(in, second);
        std::getline(in, third);
        CHECK(first.rfind("{\"format\":\"maillab-trace\",\"version\":2,", 0) == 0);
        CHECK(second == annotation_line(n));
        CHECK(third == annotation_line(b));
    }
    // Without annotations the same file is version 1 again, byte for byte what a v1 writer wrote.
    write_trace_file(path, back.header, back.events, {});
    trace_file plain = read_trace_file(path);
    CHECK(plain.version == 1);
    std::stringstream expected;
    expected << header_line(demo.header) << '\n';
    for (const auto& e : demo.events) expected << event_line(e) << '\n';
    std::ifstream in(path, std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(in)), {});
    CHECK(text == expected.str());
    std::filesystem::remove_all(dir);
}

TEST_CASE("annotations: a damaged or misplaced annotation line is an error naming its line") {
    std::size_t line = 0;
    std::string err = read_error(v1_header + note_json(1, 1, "x") + event_json(1), line);
    CHECK(line == 2);
    CHECK(err == "t.jsonl:2: an annotation line needs format version 2; the header says 1");
    err = read_error(v2_header + event_json(1) + "{\"annotation\":{\"id\":1,\"type\":\"note\",\"seq\":1}}\n", line);
    CHECK(line == 3);
    CHECK(err.find("non-empty \"text\"") != std::string::npos);
    err = read_error(v2_header + note_json(4, 1, "a") + note_json(4, 1, "b") + event_json(1), line);
    CHECK(line == 3);
    CHECK(err.find("annotation id 4 is used twice") != std::string::npos);
    // Broken JSON in the middle of a file: not a cut-off recording, an error with the column.
    err = read_error(v2_header + note_json(1, 1, "a") + "{\"annotation\": {\"id\":2,\n" + event_json(1), line);
    CHECK(line == 3);
    CHECK(err.find("t.jsonl:3: not valid JSON at column") != std::string::npos);
}

TEST_CASE("a recording cut off mid-line loads what came before, with a warning naming the line") {
    std::string text = v2_header + note_json(1, 2, "kept") + event_json(1) + event_json(2) + event_json(3);
    text.resize(text.size() - 9);  // the crash: half of the last line, no newline
    std::stringstream in(text);
    trace_file f = read_trace(in, "cut.jsonl");
    CHECK(f.events.size() == 2);
    CHECK(f.annotations.size() == 1);
    REQUIRE(f.warnings.size() == 1);
    CHECK(f.warnings[0] == "cut.jsonl:5: last line is incomplete (recording cut off?); it was skipped");

    // A note on the event that was lost is kept, with a warning, so rewriting does not drop it.
    std::stringstream dangling(v2_header + note_json(1, 3, "on the lost event") + event_json(1) +
                               event_json(2) + "{\"seq\":3,\"t_us\":3000,\"ki");
    trace_file d = read_trace(dangling, "cut.jsonl");
    CHECK(d.annotations.size() == 1);
    REQUIRE(d.warnings.size() == 2);
    CHECK(d.warnings[1] == "cut.jsonl:2: note 1 is on event #3, which is not in the file (it is kept)");

    // Only the header, cut off: nothing to load.
    std::size_t line = 0;
    std::string err = read_error("{\"format\":\"maillab-tr", line);
    CHECK(line == 1);
    CHECK(err.find("header line is incomplete") != std::string::npos);
}

TEST_CASE("a writer that joins a trace writes its header first, then each event") {
    virtual_clock clock;
    trace t(clock, {{"scenario", "unit"}});
    std::stringstream out;
    trace_writer writer(out);
    t.subscribe(writer);
    event e;
    e.kind = event_kind::note;
    e.text = "one";
    t.append(e);
    std::string header, first;
    std::getline(out, header);
    std::getline(out, first);
    CHECK(header == header_line(t.header(), 1));
    CHECK(header.find("\"clock\":\"virtual\"") != std::string::npos);
    CHECK(first == event_line(t.events().front()));
    // Given a header, it writes that one at once and not the trace's again.
    std::stringstream out2;
    trace_writer fixed(out2, {{"scenario", "given"}});
    t.subscribe(fixed);
    CHECK(out2.str() == header_line({{"scenario", "given"}}) + "\n");
}
