// Merging the traces of a class network's machines: order by time after each source's clock
// offset, each source's own order kept, ids renumbered so they never collide (seq, cause, conn,
// queue_id), the source tag, the merged header; the offset arithmetic and --clock-offset.
#include "sim/record/trace_merge.hpp"

#include <doctest/doctest.h>

#include <limits>
#include <sstream>

#include "sim/record/trace_io.hpp"

using namespace maillab;

namespace {
event at(std::uint64_t seq, std::int64_t t_us, std::uint64_t conn, std::string text,
         std::optional<std::uint64_t> cause = std::nullopt) {
    event e;
    e.seq = seq;
    e.t_us = t_us;
    e.conn = conn;
    e.cause = cause;
    e.kind = event_kind::command;
    e.proto = "smtp";
    e.text = std::move(text);
    return e;
}
nlohmann::json host_header(const std::string& host) {
    return {{"format", "maillab-trace"}, {"version", 1}, {"scenario", "classic"},
            {"title", "Classic"}, {"as", host}, {"clock", "real"}};
}
}  // namespace

TEST_CASE("merge: events ordered by time across sources, each source's order kept") {
    merge_input a{"a.jsonl", host_header("mail.a.example"),
                  {at(1, 100, 1, "a1"), at(2, 300, 1, "a2", 1), at(3, 500, 2, "a3")}, {}};
    merge_input b{"b.jsonl", host_header("mail.b.example"),
                  {at(1, 200, 1, "b1"), at(2, 400, 1, "b2", 1)}, {}};
    merged_trace m = merge_traces({a, b});
    REQUIRE(m.events.size() == 5);
    std::vector<std::string> texts;
    for (const auto& e : m.events) texts.push_back(e.text);
    CHECK(texts == std::vector<std::string>{"a1", "b1", "a2", "b2", "a3"});
    for (std::size_t i = 0; i < m.events.size(); ++i) CHECK(m.events[i].seq == i + 1);
    CHECK(m.events[0].fields["source"] == "mail.a.example");
    CHECK(m.events[1].fields["source"] == "mail.b.example");
}

TEST_CASE("merge: connection ids and causes never collide between sources") {
    // Both machines numbered their first connection 1 and their first event 1.
    merge_input a{"a", host_header("mail.a.example"),
                  {at(1, 10, 1, "a1"), at(2, 30, 1, "a2", 1), at(3, 50, 2, "a3", 2)}, {}};
    merge_input b{"b", host_header("mail.b.example"),
                  {at(1, 20, 1, "b1"), at(2, 40, 1, "b2", 1), at(3, 60, 0, "b-dns")}, {}};
    merged_trace m = merge_traces({a, b});
    std::map<std::string, const event*> by;
    for (const auto& e : m.events) by[e.text] = &e;
    CHECK(by["a1"]->conn == 1);
    CHECK(by["b1"]->conn == 2);
    CHECK(by["a2"]->conn == by["a1"]->conn);
    CHECK(by["b2"]->conn == by["b1"]->conn);
    CHECK(by["a3"]->conn == 3);
    CHECK(by["b-dns"]->conn == 0);  // no connection stays no connection
    // Each cause points at its own source's event, renumbered.
    CHECK(*by["a2"]->cause == by["a1"]->seq);
    CHECK(*by["b2"]->cause == by["b1"]->seq);
    CHECK(*by["a3"]->cause == by["a2"]->seq);
}

TEST_CASE("merge: a restarted source's ids are a new session, even with old events still held") {
    trace_merger m;
    std::size_t a = m.add_source("a", "a", host_header("a"));
    m.push(a, at(1, 100, 1, "old connect"));
    m.push(a, at(2, 200, 1, "old reply", 1));
    // The server restarts: its seq and conn numbering begins again while "old reply" is held.
    m.restart_source(a);
    m.push(a, at(1, 300, 1, "new connect"));
    m.push(a, at(2, 400, 1, "new reply", 1));
    m.push(a, at(3, 500, 1, "new bad cause", 7));
    auto out = m.release_all();
    REQUIRE(out.size() == 5);
    CHECK(out[1].conn == out[0].conn);
    CHECK(*out[1].cause == out[0].seq);
    CHECK(out[2].conn != out[0].conn);  // not the old session's connection 1
    CHECK(out[3].conn == out[2].conn);
    CHECK(*out[3].cause == out[2].seq);  // the new session's seq 1, not the old one
    CHECK_FALSE(out[4].cause);           // seq 7 was never seen in this session
    for (std::size_t i = 0; i < out.size(); ++i) CHECK(out[i].seq == i + 1);
}

TEST_CASE("merge: queue ids are renumbered per source") {
    event qa = at(1, 10, 0, "qa");
    qa.kind = event_kind::queue;
    qa.fields = {{"action", "enqueue"}, {"queue_id", 1}};
    event qb = qa;
    qb.text = "qb";
    qb.t_us = 20;
    event qa2 = qa;
    qa2.seq = 2;
    qa2.t_us = 30;
    qa2.text = "qa2";
    qa2.fields["action"] = "delivered";
    merged_trace m = merge_traces({{"a", host_header("a"), {qa, qa2}, {}},
                                   {"b", host_header("b"), {qb}, {}}});
    REQUIRE(m.events.size() == 3);
    CHECK(m.events[0].fields["queue_id"] == 1);
    CHECK(m.events[1].fields["queue_id"] == 2);
    CHECK(m.events[2].fields["queue_id"] == 1);  // the same mail on mail a keeps its id
}

TEST_CASE("merge: a clock offset moves a whole source before ordering") {
    // b's clock is 1 s behind: its 200 us happened at 1000200 on a's clock.
    merge_input a{"a", host_header("a"), {at(1, 1'000'100, 1, "a1"), at(2, 1'000'300, 1, "a2")}, {}};
    merge_input b{"b", host_header("b"), {at(1, 200, 1, "b1")}, 1'000'000};
    merged_trace m = merge_traces({a, b});
    CHECK(m.events[0].text == "a1");
    CHECK(m.events[1].text == "b1");
    CHECK(m.events[1].t_us == 1'000'200);
    CHECK(m.events[2].text == "a2");
    CHECK(m.sources[1].offset_origin == clock_offset_origin::given);
    CHECK(m.header["sources"][1]["clock_offset_us"] == 1'000'000);
    CHECK(m.header["sources"][1]["clock_offset"] == "given");
}

TEST_CASE("merge: an offset that would take a time past the 64-bit range saturates") {
    trace_merger m;
    std::size_t a = m.add_source("a", "a", host_header("a"));
    std::size_t b = m.add_source("b", "b", host_header("b"));
    m.set_clock_offset(a, -5, clock_offset_origin::given);
    m.set_clock_offset(b, 10, clock_offset_origin::given);
    m.push(a, at(1, std::numeric_limits<std::int64_t>::min() + 1, 0, "earliest"));
    m.push(b, at(1, std::numeric_limits<std::int64_t>::max() - 1, 0, "latest"));
    auto out = m.release_all();
    REQUIRE(out.size() == 2);
    CHECK(out[0].t_us == std::numeric_limits<std::int64_t>::min());
    CHECK(out[1].t_us == std::numeric_limits<std::int64_t>::max());
}

TEST_CASE("merge: equal times keep the sources' order, so a merge is the same every time") {
    merged_trace m = merge_traces({{"a", host_header("a"), {at(1, 5, 1, "a1")}, {}},
                                   {"b", host_header("b"), {at(1, 5, 1, "b1")}, {}}});
    CHECK(m.events[0].text == "a1");
    CHECK(m.events[1].text == "b1");
}

TEST_CASE("merge: the header keeps the scenario, names the sources, and two sources with one "
          "name are told apart") {
    merged_trace m = merge_traces({{"x/a.jsonl", host_header("mail.a.example"), {}, {}},
                                   {"x/b.jsonl", host_header("mail.a.example"), {}, {}}});
    CHECK(m.header["scenario"] == "classic");
    CHECK(m.header["mode"] == "merged");
    CHECK_FALSE(m.header.contains("as"));
    CHECK(m.header["sources"][0]["name"] == "mail.a.example");
    CHECK(m.header["sources"][1]["name"] == "mail.a.example#2");
    CHECK(m.header["sources"][1]["origin"] == "x/b.jsonl");
    CHECK(m.header["title"].get<std::string>().find("merged view of mail.a.example") == 0);
}

TEST_CASE("merge: the merged trace is a recording like any other") {
    merged_trace m = merge_traces({{"a", host_header("a"), {at(1, 1, 1, "a1")}, {}},
                                   {"b", host_header("b"), {at(1, 2, 1, "b1", 1)}, {}}});
    std::stringstream out;
    out << header_line(m.header) << '\n';
    for (const auto& e : m.events) out << event_line(e) << '\n';
    trace_file back = read_trace(out, "merged.jsonl");
    REQUIRE(back.events == m.events);
    CHECK(back.header["sources"].size() == 2);
}

TEST_CASE("merge: live release holds what is after the watermark") {
    trace_merger m;
    auto a = m.add_source("a", "10.0.0.1:4000", host_header("a"));
    auto b = m.add_source("b", "10.0.0.2:4000", host_header("b"));
    m.set_clock_offset(b, -50, clock_offset_origin::estimated);
    m.push(a, at(1, 100, 1, "a1"));
    m.push(b, at(1, 120, 1, "b1"));  // 70 on the merged clock
    m.push(a, at(2, 300, 1, "a2"));
    auto first = m.release(150);
    REQUIRE(first.size() == 2);
    CHECK(first[0].text == "b1");
    CHECK(first[0].t_us == 70);
    CHECK(first[1].text == "a1");
    CHECK(m.held() == 1);
    auto rest = m.release_all();
    REQUIRE(rest.size() == 1);
    CHECK(rest[0].seq == 3);
    CHECK(m.released() == 3);
}

TEST_CASE("source names: --as, then the publisher, then the scenario, then the file") {
    CHECK(source_name({{"as", "mail.a.example"}, {"scenario", "classic"}}, "f") ==
          "mail.a.example");
    CHECK(source_name({{"publisher", {{"host", "mail.b.example"}}}, {"scenario", "classic"}},
                      "f") == "mail.b.example");
    CHECK(source_name({{"scenario", "classic"}}, "f") == "classic");
    CHECK(source_name(nlohmann::json::object(), "f") == "f");
}

TEST_CASE("--clock-offset HOST=MS") {
    CHECK(parse_clock_offset("mail.b.example=12") ==
          std::pair<std::string, std::int64_t>{"mail.b.example", 12000});
    CHECK(parse_clock_offset("mail.b.example=-0.5").second == -500);
    CHECK(parse_clock_offset("h=1.2345").second == 1235);
    CHECK_THROWS_WITH_AS(parse_clock_offset("mail.b.example"),
                         doctest::Contains("expected HOST=MS"), std::invalid_argument);
    CHECK_THROWS_WITH_AS(parse_clock_offset("h=12ms"),
                         doctest::Contains("\"12ms\" is not a number of milliseconds"),
                         std::invalid_argument);
    CHECK_THROWS_AS(parse_clock_offset("h="), std::invalid_argument);
    CHECK_THROWS_AS(parse_clock_offset("h=nan"), std::invalid_argument);
}

TEST_CASE("offsets as the teacher reads them") {
    CHECK(format_clock_offset(0) == "0 ms");
    CHECK(format_clock_offset(1234) == "+1.2 ms");
    CHECK(format_clock_offset(-400) == "-0.4 ms");
    CHECK(format_clock_offset(-2'500'000) == "-2.500 s");
}

TEST_CASE("merge: a relay's connection is named by its host on the other machine too") {
    // mail.a.example connects from 10.0.0.1:40000; mail.b.example sees that address.
    event out = at(1, 100, 1, "connection 10.0.0.1:40000 -> 10.0.0.2:25");
    out.kind = event_kind::tcp;
    out.from = "mail.a.example";
    out.to = "mail.b.example";
    out.fields = {{"action", "connect"}, {"client", "10.0.0.1:40000"}, {"server", "10.0.0.2:25"}};
    event in = out;
    in.t_us = 90;  // b's accept is stamped a little before a's connect completes
    in.from = "10.0.0.1:40000";
    event mail = at(2, 200, 1, "MAIL FROM:<alice@a.example>");
    mail.from = "10.0.0.1:40000";
    mail.to = "mail.b.example";
    event reply = at(3, 210, 1, "250 OK", 2);
    reply.from = "mail.b.example";
    reply.to = "10.0.0.1:40000";
    event student = at(4, 300, 2, "a student's client");
    student.from = "10.0.0.9:50000";
    merged_trace m = merge_traces({{"a", host_header("mail.a.example"), {out}, {}},
                                   {"b", host_header("mail.b.example"), {in, mail, reply, student}, {}}});
    std::map<std::string, const event*> by;
    for (const auto& e : m.events) by[e.text + "@" + e.fields.value("source", "")] = &e;
    const event* accepted = by["connection 10.0.0.1:40000 -> 10.0.0.2:25@mail.b.example"];
    REQUIRE(accepted);
    CHECK(accepted->from == "mail.a.example");
    CHECK(accepted->fields["peer_address"] == "10.0.0.1:40000");
    CHECK(by["MAIL FROM:<alice@a.example>@mail.b.example"]->from == "mail.a.example");
    CHECK(by["250 OK@mail.b.example"]->to == "mail.a.example");
    // a's own event keeps its names; an address nobody opened as a host stays an address.
    CHECK(by["connection 10.0.0.1:40000 -> 10.0.0.2:25@mail.a.example"]->from == "mail.a.example");
    CHECK_FALSE(by["connection 10.0.0.1:40000 -> 10.0.0.2:25@mail.a.example"]->fields.contains("peer_address"));
    CHECK(by["a student's client@mail.b.example"]->from == "10.0.0.9:50000");
}
