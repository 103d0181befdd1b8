#include "sim/record/trace_io.hpp"

#include <doctest/doctest.h>

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
    CHECK(back.header["version"] == trace_format_version);

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
    fails_at("{\"format\":\"maillab-trace\",\"version\":99}\n", 1, "newer");
    fails_at(header + "{\"seq\":1,\"t_us\":0,\"kind\":\"tcp\",\"text\":\"x\"}\nnot json\n", 3,
             "not valid JSON");
    fails_at(header + "{\"seq\":1,\"t_us\":0,\"kind\":\"bogus\",\"text\":\"x\"}\n", 2,
             "unknown event kind");
    fails_at(header + "{\"seq\":1,\"kind\":\"tcp\",\"text\":\"x\"}\n", 2, "t_us");
    fails_at(header + "{\"seq\":-1,\"t_us\":0,\"kind\":\"tcp\",\"text\":\"x\"}\n", 2, "seq");
    fails_at(header + "[1,2]\n", 2, "object");

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
