// Following a recording that another process is writing (`maillab-gui --attach`): a file that
// does not exist yet, a header and event lines that arrive in pieces (every split point), a
// damaged line, a file emptied by a restarted serve, a file that is not a recording, and a real
// trace_recorder writing while the tail reads.
#include "sim/record/trace_tail.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "sim/core/clock.hpp"
#include "sim/core/trace.hpp"
#include "sim/record/recorder.hpp"
#include "sim/record/trace_io.hpp"

using namespace maillab;

namespace {
struct temp_file {
    std::filesystem::path dir;
    std::string path;
    explicit temp_file(const std::string& name) {
        dir = std::filesystem::temp_directory_path() /
              ("maillab-tail-" + name + "-" + std::to_string(::getpid()));
        std::filesystem::remove_all(dir);
        std::filesystem::create_directories(dir);
        path = (dir / "live.jsonl").string();
    }
    ~temp_file() { std::filesystem::remove_all(dir); }
    void append(const std::string& bytes) const {
        std::ofstream out(path, std::ios::binary | std::ios::app);
        out << bytes;
    }
    void rewrite(const std::string& bytes) const {
        std::ofstream out(path, std::ios::binary | std::ios::trunc);
        out << bytes;
    }
};

event command(std::uint64_t seq, std::string text) {
    event e;
    e.seq = seq;
    e.t_us = 1000 * static_cast<std::int64_t>(seq);
    e.conn = 1;
    e.proto = "smtp";
    e.from = "127.0.0.1:50000";
    e.to = "mail.example.org";
    e.kind = event_kind::command;
    e.text = text;
    e.raw = text + "\r\n";
    return e;
}

std::string header() { return header_line({{"scenario", "serve"}, {"mode", "live"}}) + "\n"; }
}  // namespace

TEST_CASE("trace_tail: waits for the file, then for its header, then reads events") {
    temp_file f("appear");
    trace_tail tail(f.path);
    auto u = tail.poll();
    CHECK(tail.state() == trace_tail::status::waiting_for_file);
    CHECK_FALSE(u.header);
    CHECK(u.events.empty());

    std::string h = header();
    f.append(h.substr(0, 10));
    u = tail.poll();
    CHECK(tail.state() == trace_tail::status::waiting_for_header);
    CHECK_FALSE(u.header);

    f.append(h.substr(10));
    u = tail.poll();
    CHECK(tail.state() == trace_tail::status::following);
    REQUIRE(u.header);
    CHECK(u.header->at("mode") == "live");
    CHECK_FALSE(u.restarted);

    f.append(event_line(command(1, "EHLO pc")) + "\n" + event_line(command(2, "QUIT")) + "\n");
    u = tail.poll();
    REQUIRE(u.events.size() == 2);
    CHECK(u.events[0] == command(1, "EHLO pc"));
    CHECK(u.events[1].text == "QUIT");
    CHECK_FALSE(u.header);
    CHECK(tail.poll().events.empty());  // nothing new
}

TEST_CASE("trace_tail: an event line split at every byte offset arrives once, whole") {
    std::string line = event_line(command(1, "MAIL FROM:<alice@example.org>")) + "\n";
    for (std::size_t cut = 0; cut <= line.size(); ++cut) {
        temp_file f("split");
        f.append(header());
        trace_tail tail(f.path);
        REQUIRE(tail.poll().header);
        f.append(line.substr(0, cut));
        auto first = tail.poll();
        f.append(line.substr(cut));
        auto second = tail.poll();
        std::size_t total = first.events.size() + second.events.size();
        CHECK_MESSAGE(total == 1, "cut at " << cut);
        CHECK(first.events.size() == (cut == line.size() ? 1u : 0u));
        CHECK(first.problems.empty());
        CHECK(second.problems.empty());
        if (total != 1) break;
    }
}

TEST_CASE("trace_tail: a damaged line is reported with its number and skipped") {
    temp_file f("damaged");
    f.append(header() + event_line(command(1, "HELO pc")) + "\n" + "{\"seq\": 2, oops\n" +
             "{\"seq\":\"three\"}\n" + event_line(command(4, "QUIT")) + "\n");
    trace_tail tail(f.path);
    auto u = tail.poll();
    CHECK(tail.state() == trace_tail::status::following);
    REQUIRE(u.events.size() == 2);
    CHECK(u.events[0].text == "HELO pc");
    CHECK(u.events[1].text == "QUIT");
    REQUIRE(u.problems.size() == 2);
    CHECK(u.problems[0].find(f.path + ":3: damaged line skipped") == 0);
    CHECK(u.problems[1].find(f.path + ":4: damaged line skipped") == 0);
}

TEST_CASE("trace_tail: a file emptied and written again is a new session") {
    temp_file f("restart");
    f.append(header() + event_line(command(1, "HELO pc")) + "\n" +
             event_line(command(2, "NOOP")) + "\n");
    trace_tail tail(f.path);
    auto u = tail.poll();
    CHECK(u.events.size() == 2);
    f.rewrite(header_line({{"scenario", "serve"}, {"run", 2}}) + "\n" +
              event_line(command(1, "EHLO again")) + "\n");
    u = tail.poll();
    CHECK(u.restarted);
    REQUIRE(u.header);
    CHECK(u.header->at("run") == 2);
    REQUIRE(u.events.size() == 1);
    CHECK(u.events[0].text == "EHLO again");
}

TEST_CASE("trace_tail: a file that is not a recording says so, and recovers when replaced") {
    temp_file f("not-a-trace");
    f.append("From: alice@example.org\nSubject: hi\n");
    trace_tail tail(f.path);
    auto u = tail.poll();
    CHECK(tail.state() == trace_tail::status::not_a_trace);
    CHECK(tail.problem().find(f.path + ":1:") != std::string::npos);
    CHECK(u.events.empty());
    f.append("more text\n");
    tail.poll();
    CHECK(tail.state() == trace_tail::status::not_a_trace);

    f.rewrite("{\"format\":\"something-else\"}\n");
    tail.poll();
    CHECK(tail.state() == trace_tail::status::not_a_trace);
    CHECK(tail.problem().find("maillab-trace") != std::string::npos);

    std::filesystem::remove(f.path);
    tail.poll();
    CHECK(tail.state() == trace_tail::status::waiting_for_file);
    f.append(header() + event_line(command(1, "HELO pc")) + "\n");
    u = tail.poll();
    CHECK(tail.state() == trace_tail::status::following);
    CHECK(u.header);
    CHECK(u.events.size() == 1);
}

TEST_CASE("trace_tail: a directory or an unreadable path is a clear problem, not a crash") {
    temp_file f("unreadable");
    trace_tail dir_tail(f.dir.string());
    dir_tail.poll();
    CHECK(dir_tail.state() == trace_tail::status::unreadable);
    CHECK(dir_tail.problem().find(f.dir.string()) == 0);
}

TEST_CASE("trace_tail: follows a trace_recorder while it records") {
    temp_file f("recorder");
    trace_tail tail(f.path);
    tail.poll();
    CHECK(tail.state() == trace_tail::status::waiting_for_file);
    real_clock clock;
    trace t(clock, {{"scenario", "serve"}, {"mode", "live"}});
    trace_recorder recorder(f.path);
    t.subscribe(recorder);
    std::vector<event> seen;
    for (int i = 0; i < 50; ++i) {
        event e;
        e.kind = event_kind::note;
        e.text = "event " + std::to_string(i);
        t.append(e);
        if (i % 7 == 0)
            for (auto& got : tail.poll().events) seen.push_back(std::move(got));
    }
    for (auto& got : tail.poll().events) seen.push_back(std::move(got));
    REQUIRE(seen.size() == 50);
    for (std::size_t i = 0; i < seen.size(); ++i) CHECK(seen[i].seq == i + 1);
}
