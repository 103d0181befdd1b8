// Publishing a trace and subscribing to it over real loopback sockets: the history then the
// live events, the header's host and clock, a wrong token refused and traced, a subscriber that
// stops reading dropped (the trace goes on), and the subscriber's clear endings: nothing
// listening, garbage instead of a stream, a publisher that goes away mid-stream.
#include "sim/record/trace_publisher.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <functional>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>

#include "catalog_check.hpp"
#include "sim/core/clock.hpp"
#include "sim/core/event_fields.hpp"
#include "sim/record/trace_subscriber.hpp"

using namespace maillab;
namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

event note(std::string text) {
    event e;
    e.kind = event_kind::note;
    e.proto = "smtp";
    e.from = "mail.a.example";
    e.text = std::move(text);
    return e;
}

// Runs the io_context until `done` or 5 s.
void run_until(asio::io_context& io, const std::function<bool()>& done) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!done() && std::chrono::steady_clock::now() < deadline) {
        io.run_for(std::chrono::milliseconds(10));
        if (io.stopped()) io.restart();
    }
}

struct collected {
    std::optional<nlohmann::json> header;
    std::int64_t offset = 0;
    std::vector<event> events;
    bool caught_up = false;
    std::string ended;
    trace_subscriber::callbacks callbacks() {
        trace_subscriber::callbacks cb;
        cb.header = [this](const nlohmann::json& h, std::int64_t o) {
            header = h;
            offset = o;
        };
        cb.event = [this](event e) { events.push_back(std::move(e)); };
        cb.caught_up = [this] { caught_up = true; };
        cb.ended = [this](const std::string& r) { ended = r; };
        return cb;
    }
};

trace_attach_target target_of(const trace_publisher& p, std::string token) {
    return parse_attach_target(p.address(), token);
}

// Whether the publisher traced this action yet; the note found must be explained in English
// and Chinese with every placeholder filled (sim/explain/catalog/trace.json).
bool has_note(const trace& t, const std::string& action) {
    for (const auto& e : t.events())
        if (e.proto == "trace" && text_field(e, "action") == action) {
            CHECK(e.explain == "trace.note." + action);
            test::check_explanations({e});
            return true;
        }
    return false;
}

}  // namespace

TEST_CASE("publish: the history, then live events, with the publisher's host and clock") {
    asio::io_context io;
    real_clock clock;
    trace t(clock, {{"scenario", "classic"}});
    trace_publisher pub(io, t, {"127.0.0.1", 0, "s3cret", "mail.a.example"});
    pub.start();
    t.append(note("one"));
    t.append(note("two"));
    collected got;
    auto sub = trace_subscriber::start(io, target_of(pub, "s3cret"), got.callbacks(), clock);
    run_until(io, [&] { return got.caught_up; });
    REQUIRE(got.header);
    CHECK((*got.header)["scenario"] == "classic");
    CHECK((*got.header)["publisher"]["host"] == "mail.a.example");
    CHECK((*got.header)["publisher"]["history"] == 2);
    CHECK(std::llabs(got.offset) < 1'000'000);  // one machine, one clock: well under a second
    REQUIRE(got.events.size() >= 2);
    CHECK(got.events[0].text == "one");
    CHECK(got.events[1].seq == 2);
    t.append(note("three"));
    run_until(io, [&] { return got.events.size() >= 4; });
    // The publisher's own note that the subscriber attached is part of the trace too.
    REQUIRE(got.events.size() >= 4);
    CHECK(got.events[2].fields["action"] == "attached");
    CHECK(got.events[3].text == "three");
    CHECK(pub.subscribers() == 1);
    sub->stop();
    run_until(io, [&] { return has_note(t, "left"); });
    CHECK(has_note(t, "left"));
}

TEST_CASE("publish: a wrong token is refused with a clear line, and traced") {
    asio::io_context io;
    real_clock clock;
    trace t(clock);
    trace_publisher pub(io, t, {"127.0.0.1", 0, "right", "mail.b.example"});
    pub.start();
    collected got;
    trace_subscriber::start(io, target_of(pub, "wrong"), got.callbacks(), clock);
    run_until(io, [&] { return !got.ended.empty(); });
    CHECK(got.ended == pub.address() + ": the publisher refused: wrong token");
    CHECK_FALSE(got.header);
    CHECK(has_note(t, "refused"));
    run_until(io, [&] { return pub.subscribers() == 0; });
    CHECK(pub.subscribers() == 0);
}

TEST_CASE("publish: a subscriber that stops reading is dropped; the trace goes on") {
    asio::io_context io;
    real_clock clock;
    trace t(clock);
    trace_publisher_options o{"127.0.0.1", 0, "tok", "mail.a.example"};
    o.max_backlog = 64 * 1024;
    trace_publisher pub(io, t, o);
    pub.start();
    tcp::socket stuck(io);
    stuck.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"),
                                static_cast<unsigned short>(std::stoi(
                                    pub.address().substr(pub.address().rfind(':') + 1)))));
    stuck.set_option(asio::socket_base::receive_buffer_size(4096));
    asio::write(stuck, asio::buffer(std::string("tok\n")));
    run_until(io, [&] { return has_note(t, "attached"); });
    // Far more than the kernel's buffers hold; the socket is never read.
    std::string big(8 * 1024, 'x');
    for (int i = 0; i < 3000 && !has_note(t, "dropped"); ++i) {
        t.append(note(big));
        io.poll();
    }
    run_until(io, [&] { return has_note(t, "dropped"); });
    REQUIRE(has_note(t, "dropped"));
    for (const auto& e : t.events())
        if (text_field(e, "action") == "dropped")
            CHECK(e.text.find("more than 64 KiB behind the live trace") != std::string::npos);
    CHECK(pub.subscribers() == 0);
}

TEST_CASE("subscribe: nothing listening, garbage, and a publisher that goes away") {
    asio::io_context io;
    real_clock clock;
    SUBCASE("nothing listens on the port") {
        tcp::acceptor probe(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
        std::string port = std::to_string(probe.local_endpoint().port());
        probe.close();
        collected got;
        trace_subscriber::start(io, parse_attach_target("127.0.0.1:" + port, "t"),
                                got.callbacks(), clock);
        run_until(io, [&] { return !got.ended.empty(); });
        CHECK(got.ended.find("127.0.0.1:" + port + ": cannot connect: ") == 0);
    }
    SUBCASE("something else answers") {
        tcp::acceptor other(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
        tcp::socket peer(io);
        other.async_accept(peer, [&](const boost::system::error_code&) {
            asio::write(peer, asio::buffer(std::string("220 an SMTP server\r\n")));
        });
        collected got;
        trace_subscriber::start(
            io, parse_attach_target("127.0.0.1:" + std::to_string(other.local_endpoint().port()), "t"),
            got.callbacks(), clock);
        run_until(io, [&] { return !got.ended.empty(); });
        CHECK(got.ended.find("not a maillab trace stream: the first line is \"220 an SMTP "
                             "server\"") != std::string::npos);
    }
    SUBCASE("the publisher stops mid-stream") {
        trace t(clock);
        auto pub = std::make_unique<trace_publisher>(io, t, trace_publisher_options{"127.0.0.1", 0, "t", "h"});
        pub->start();
        t.append(note("one"));
        collected got;
        trace_subscriber::start(io, target_of(*pub, "t"), got.callbacks(), clock);
        run_until(io, [&] { return got.caught_up; });
        pub.reset();
        run_until(io, [&] { return !got.ended.empty(); });
        CHECK(got.ended.find("the publisher went away mid-stream") != std::string::npos);
        CHECK(got.events.size() >= 1);
    }
}

TEST_CASE("attach targets") {
    auto t = parse_attach_target("abc@10.0.0.2:4000", "");
    CHECK(t.host == "10.0.0.2");
    CHECK(t.port == "4000");
    CHECK(t.token == "abc");
    CHECK(t.address() == "10.0.0.2:4000");
    CHECK(parse_attach_target("10.0.0.2:4000", "dflt").token == "dflt");
    auto v6 = parse_attach_target("k@[::1]:4000", "");
    CHECK(v6.host == "::1");
    CHECK(v6.address() == "[::1]:4000");
    CHECK_THROWS_WITH_AS(parse_attach_target("10.0.0.2:4000", ""), doctest::Contains("no token"),
                         std::invalid_argument);
    CHECK_THROWS_WITH_AS(parse_attach_target("k@10.0.0.2", ""), doctest::Contains("expected ADDR:PORT"),
                         std::invalid_argument);
    CHECK_THROWS_WITH_AS(parse_attach_target("k@10.0.0.2:99999", ""),
                         doctest::Contains("\"99999\" is not a port number"), std::invalid_argument);
    CHECK(looks_like_attach_address("10.0.0.2:4000"));
    CHECK(looks_like_attach_address("tok@host:1"));
    CHECK_FALSE(looks_like_attach_address("a.jsonl"));
    CHECK_FALSE(looks_like_attach_address("dir/x:1"));
}

TEST_CASE("publish: past max_history the oldest lines go, never one a subscriber still needs") {
    asio::io_context io;
    real_clock clock;
    trace t(clock);
    trace_publisher_options o{"127.0.0.1", 0, "k", "h"};
    o.max_history = 4096;
    trace_publisher pub(io, t, o);
    pub.start();
    std::string text(500, 'y');
    for (int i = 0; i < 40; ++i) t.append(note(text + std::to_string(i)));
    run_until(io, [&] { return has_note(t, "history_trimmed"); });
    CHECK(has_note(t, "history_trimmed"));
    collected got;
    trace_subscriber::start(io, target_of(pub, "k"), got.callbacks(), clock);
    run_until(io, [&] { return got.caught_up; });
    REQUIRE(got.header);
    auto history = (*got.header)["publisher"]["history"].get<std::uint64_t>();
    auto dropped = (*got.header)["publisher"]["dropped"].get<std::uint64_t>();
    CHECK(history < 10);
    CHECK(history + dropped == t.events().size() - 1);  // the note came after the header
    REQUIRE(got.events.size() >= history);
    CHECK(got.events.front().seq == dropped + 1);  // the newest ones, in order, none skipped
    for (std::size_t i = 1; i < history; ++i)
        CHECK(got.events[i].seq == got.events[i - 1].seq + 1);
}
