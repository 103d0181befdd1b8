// The published stream's pieces without sockets: the token comparison, the header a subscriber
// gets, the clock offset estimate, cutting bytes into lines at every split point, and reading
// the answer (a refusal, garbage, a damaged line).
#include "sim/record/trace_stream.hpp"

#include <doctest/doctest.h>

#include <fmt/format.h>

#include <limits>

#include "sim/record/trace_io.hpp"

using namespace maillab;

TEST_CASE("stream: tokens") {
    std::string t = random_trace_token();
    CHECK(t.size() == 24);
    CHECK(t.find_first_not_of("0123456789abcdef") == std::string::npos);
    CHECK(random_trace_token() != t);
    CHECK(tokens_match(t, t));
    CHECK_FALSE(tokens_match(t.substr(1), t));
    CHECK_FALSE(tokens_match(t + "0", t));
    CHECK_FALSE(tokens_match("", t));
    CHECK_FALSE(tokens_match("", ""));  // an empty token never opens anything
}

TEST_CASE("stream: the clock offset is taken at the round trip's midpoint") {
    // Sent at 1000, answered at 1200 on the subscriber's clock; the publisher read 5100 in
    // between: its clock is ahead by 5100 - 1100.
    CHECK(estimate_clock_offset(1000, 1200, 5100) == -4000);
    CHECK(estimate_clock_offset(1000, 1000, 1000) == 0);
    // Read within the round trip: the clocks agree as far as one exchange can tell.
    CHECK(estimate_clock_offset(1000, 1200, 1010) == 0);
    CHECK(estimate_clock_offset(1000, 1200, 1200) == 0);
    CHECK(estimate_clock_offset(1000, 1200, 1201) == -101);
    CHECK(estimate_clock_offset(2'000'000, 2'000'400, 1'000'000) == 1'000'200);
    // Whatever clock a publisher sends, the offset saturates instead of overflowing.
    constexpr auto most = std::numeric_limits<std::int64_t>::max();
    constexpr auto least = std::numeric_limits<std::int64_t>::min();
    CHECK(estimate_clock_offset(1000, 1200, least) == most);
    CHECK(estimate_clock_offset(-1000, -800, most) == least);
}

TEST_CASE("stream: lines at every split point") {
    std::string bytes = "first\r\nsecond\n\nthird\n";
    for (std::size_t cut = 0; cut <= bytes.size(); ++cut) {
        line_splitter s;
        std::vector<std::string> lines;
        REQUIRE(s.feed(bytes.substr(0, cut)));
        while (auto l = s.next_line()) lines.push_back(*l);
        REQUIRE(s.feed(bytes.substr(cut)));
        while (auto l = s.next_line()) lines.push_back(*l);
        CHECK(lines == std::vector<std::string>{"first", "second", "", "third"});
        CHECK(s.pending() == 0);
    }
}

TEST_CASE("stream: a line without end past the limit is refused") {
    line_splitter s(10);
    CHECK(s.feed("0123456789"));
    CHECK_FALSE(s.feed("x"));
}

TEST_CASE("stream: the header names the publisher and its clock") {
    std::string line = published_header_line({{"scenario", "classic"}, {"clock", "real"}},
                                             "mail.a.example", "f00d", 1234, 7);
    trace_stream_reader r("10.0.0.1:4000");
    auto got = r.take_line(line);
    REQUIRE(got.header);
    CHECK((*got.header)["scenario"] == "classic");
    CHECK(r.state() == trace_stream_reader::status::following);
    CHECK(r.history() == 7);
    CHECK(r.publisher_clock_us() == 1234);
    CHECK(r.publisher_host() == "mail.a.example");
    CHECK(r.publisher_session() == "f00d");
    event e;
    e.seq = 1;
    e.text = "hello";
    auto ev = r.take_line(event_line(e));
    REQUIRE(ev.ev);
    CHECK(ev.ev->text == "hello");
    auto bad = r.take_line("{\"seq\":");
    CHECK_FALSE(bad.ev);
    CHECK(bad.problem.find("10.0.0.1:4000: line 3: damaged line skipped") == 0);
    CHECK(r.state() == trace_stream_reader::status::following);  // the next line is read
}

TEST_CASE("stream: a header whose publisher clock is not a whole number is refused") {
    // The fuzzer's finding: 1.1e69 converted to a 64-bit integer was undefined behaviour.
    for (const char* clock : {"1.11111e+69", "\"now\"", "12.5"}) {
        trace_stream_reader r("h:3");
        auto got = r.take_line(fmt::format(
            R"({{"format":"maillab-trace","version":1,"publisher":{{"clock_us":{},"history":2}}}})",
            clock));
        CAPTURE(clock);
        CHECK_FALSE(got.header);
        CHECK(r.state() == trace_stream_reader::status::not_a_stream);
        CHECK(got.problem == "h:3: not a maillab trace stream: the header's publisher.clock_us is "
                             "not an integer (microseconds)");
    }
    // The other publisher fields are information only: a wrong type reads as absent.
    trace_stream_reader r("h:4");
    auto got = r.take_line(
        R"({"format":"maillab-trace","version":1,"publisher":{"clock_us":5,"history":-3,"host":7}})");
    REQUIRE(got.header);
    CHECK(r.publisher_clock_us() == 5);
    CHECK(r.history() == 0);
    CHECK(r.publisher_host().empty());
}

TEST_CASE("stream: a refusal and garbage end the stream with the reason") {
    trace_stream_reader refused("h:1");
    auto r = refused.take_line(refusal_line("wrong token").substr(0, refusal_line("wrong token").size() - 1));
    CHECK(refused.state() == trace_stream_reader::status::refused);
    CHECK(r.problem == "h:1: the publisher refused: wrong token");
    trace_stream_reader garbage("h:2");
    auto g = garbage.take_line("SSH-2.0-OpenSSH_9.2\x01");
    CHECK(garbage.state() == trace_stream_reader::status::not_a_stream);
    CHECK(g.problem == "h:2: not a maillab trace stream: the first line is \"SSH-2.0-OpenSSH_9.2.\", "
                       "not a maillab-trace header");
    CHECK_FALSE(garbage.take_line("{}").ev);  // nothing after the end
}
