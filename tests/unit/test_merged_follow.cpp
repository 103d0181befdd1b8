// The merged view's engine over real loopback sockets: two publishers with a history each and
// a recording file, merged only once every source has sent its past, in time order, with the
// sources' names and estimated offsets; a source that cannot be reached is said and the others
// go on; stop() hands out everything held.
#include "sim/record/merged_follow.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <functional>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "sim/core/clock.hpp"
#include "sim/record/trace_io.hpp"
#include "sim/record/trace_publisher.hpp"

using namespace maillab;
namespace asio = boost::asio;

namespace {

event at_host(const std::string& host, std::string text) {
    event e;
    e.kind = event_kind::note;
    e.proto = "smtp";
    e.from = host;
    e.conn = 1;
    e.text = std::move(text);
    return e;
}

void run_until(asio::io_context& io, const std::function<bool()>& done) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!done() && std::chrono::steady_clock::now() < deadline) {
        io.run_for(std::chrono::milliseconds(10));
        if (io.stopped()) io.restart();
    }
}

}  // namespace

TEST_CASE("merged follow: two publishers and a file, in time order, after every past came") {
    asio::io_context io;
    real_clock clock;
    trace ta(clock, {{"scenario", "classic"}});
    trace tb(clock, {{"scenario", "classic"}});
    trace_publisher pa(io, ta, {"127.0.0.1", 0, "k", "mail.a.example"});
    trace_publisher pb(io, tb, {"127.0.0.1", 0, "k", "mail.b.example"});
    pa.start();
    pb.start();
    ta.append(at_host("mail.a.example", "a-first"));
    tb.append(at_host("mail.b.example", "b-second"));
    ta.append(at_host("mail.a.example", "a-third"));

    auto dir = std::filesystem::temp_directory_path() /
               ("maillab-follow-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    std::string file = (dir / "old.jsonl").string();
    event old = at_host("mail.c.example", "c-long-ago");
    old.seq = 1;
    old.t_us = 1000;
    write_trace_file(file, {{"scenario", "classic"}, {"as", "mail.c.example"}}, {old});

    asio::ip::tcp::acceptor probe(io, {asio::ip::make_address("127.0.0.1"), 0});
    std::string closed = "127.0.0.1:" + std::to_string(probe.local_endpoint().port());
    probe.close();

    merged_follow_options o;
    o.live = {parse_attach_target(pa.address(), "k"), parse_attach_target(closed, "k"),
              parse_attach_target(pb.address(), "k")};
    o.files = {file};
    o.given_offsets_us = {{"mail.c.example", 5}};
    o.hold = std::chrono::milliseconds(0);
    std::vector<event> got;
    std::vector<std::string> said;
    std::optional<nlohmann::json> header;
    merged_follow::callbacks cb;
    cb.say = [&](const std::string& line, bool) { said.push_back(line); };
    cb.started = [&](const nlohmann::json& h) { header = h; };
    cb.events = [&](std::vector<event> events) {
        for (auto& e : events) got.push_back(std::move(e));
    };
    merged_follow follow(io, o, cb, clock);
    follow.start();
    run_until(io, [&] { return got.size() >= 4; });
    REQUIRE(header);
    REQUIRE(got.size() >= 4);
    CHECK(got[0].text == "c-long-ago");
    CHECK(got[0].t_us == 1005);
    CHECK(got[1].text == "a-first");
    CHECK(got[2].text == "b-second");
    CHECK(got[3].text == "a-third");
    CHECK(got[1].conn != got[2].conn);
    // The sources in the order given; the one that never answered is said, not listed.
    auto& sources = (*header)["sources"];
    REQUIRE(sources.size() == 3);
    CHECK(sources[0]["name"] == "mail.a.example");
    CHECK(sources[0]["clock_offset"] == "estimated");
    CHECK(sources[1]["name"] == "mail.b.example");
    CHECK(sources[2]["name"] == "mail.c.example");
    CHECK(sources[2]["clock_offset"] == "given");
    bool refused_said = false;
    for (const auto& s : said) refused_said = refused_said || s.find(closed + ": cannot connect") == 0;
    CHECK(refused_said);
    CHECK(follow.sources()[1].failed);

    // Live: a new event on b comes through; stop() hands out what is held.
    tb.append(at_host("mail.b.example", "b-live"));
    run_until(io, [&] {
        for (const auto& e : got)
            if (e.text == "b-live") return true;
        return false;
    });
    follow.stop();
    CHECK(got.back().seq == got.size());
    bool live_seen = false;
    for (const auto& e : got) live_seen = live_seen || e.text == "b-live";
    CHECK(live_seen);
    std::filesystem::remove_all(dir);
}
