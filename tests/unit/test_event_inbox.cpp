// The hand-off of a live session to the GUI thread: events appended to a trace on one thread
// arrive on another, all of them, once each, in order; the incremental sequence layout the GUI
// uses for a growing trace equals laying everything out again; and a background_serve session
// on real loopback sockets delivers a real client's commands to the inbox and the recording.
#include "sim/view/event_inbox.hpp"
#include "sim/view/live_follow.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>

#include "sim/core/clock.hpp"
#include "sim/core/trace.hpp"
#include "sim/record/trace_io.hpp"
#include "sim/view/sequence_layout.hpp"
#include "sim/view/trace_model.hpp"
#include "sim/world/background_serve.hpp"
#include "sim/world/builtin_demo.hpp"

using namespace maillab;

namespace {
event note_event(int i) {
    event e;
    e.kind = event_kind::note;
    e.proto = "smtp";
    e.from = "host" + std::to_string(i % 7);
    e.text = "note " + std::to_string(i);
    return e;
}

std::filesystem::path temp_dir(const std::string& name) {
    auto dir = std::filesystem::temp_directory_path() /
               ("maillab-unit-" + name + "-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    return dir;
}
}  // namespace

TEST_CASE("event_inbox: events appended on one thread arrive on another, all, once, in order") {
    real_clock clock;
    trace t(clock, {{"scenario", "inbox-test"}});
    view::event_inbox inbox;
    t.subscribe(inbox);
    REQUIRE(inbox.header());
    CHECK(inbox.header()->at("scenario") == "inbox-test");

    constexpr int count = 20000;
    std::atomic<bool> done{false};
    std::thread producer([&] {
        for (int i = 0; i < count; ++i) t.append(note_event(i));
        done = true;
    });
    view::trace_model model(*inbox.header(), {});
    std::size_t takes = 0;
    while (true) {
        bool finished = done.load();  // read before taking: nothing can be left behind
        auto batch = inbox.take();
        ++takes;
        for (auto& e : batch) model.append(std::move(e));
        if (finished && batch.empty()) break;
    }
    producer.join();
    for (auto& e : inbox.take()) model.append(std::move(e));
    REQUIRE(model.size() == count);
    for (std::size_t i = 0; i < model.size(); ++i) {
        CHECK(model.at(i).seq == i + 1);
        if (model.at(i).seq != i + 1) break;
    }
    CHECK(model.at(count - 1).text == "note " + std::to_string(count - 1));
    CHECK(inbox.received() == count);
    CHECK(inbox.take().empty());
    CHECK(takes >= 1);
}

namespace {
std::atomic<int> wakeups{0};
void count_wakeup() { ++wakeups; }
}  // namespace

TEST_CASE("event_inbox: the wake-up is called after each event, from the producer's thread") {
    real_clock clock;
    trace t(clock);
    view::event_inbox inbox;
    t.subscribe(inbox);
    t.append(note_event(0));  // before a wake-up is set: queued, nobody woken
    wakeups = 0;
    inbox.set_wakeup(count_wakeup);
    std::thread producer([&] {
        for (int i = 1; i <= 100; ++i) t.append(note_event(i));
    });
    producer.join();
    CHECK(wakeups == 100);
    inbox.set_wakeup(nullptr);
    t.append(note_event(101));
    CHECK(wakeups == 100);
    CHECK(inbox.take().size() == 102);
}

TEST_CASE("live_follow: the cursor follows the newest event until moved; End follows again") {
    view::live_follow f;
    CHECK(f.following());
    CHECK_FALSE(f.on_growth(0));  // nothing to follow yet
    CHECK(f.on_growth(3) == std::optional<std::size_t>(2));
    f.observe(2, 3);  // the cursor is where following put it
    CHECK(f.following());
    CHECK(f.on_growth(5) == std::optional<std::size_t>(4));
    f.observe(1, 5);  // the teacher stepped back
    CHECK_FALSE(f.following());
    CHECK_FALSE(f.on_growth(9));  // events keep arriving; the cursor stays
    f.observe(8, 9);              // even on the newest event by hand: not following until End
    CHECK_FALSE(f.following());
    CHECK(f.resume(9) == std::optional<std::size_t>(8));
    CHECK(f.following());
    CHECK(f.on_growth(12) == std::optional<std::size_t>(11));
    view::live_follow empty;
    CHECK_FALSE(empty.resume(0));
    CHECK(empty.following());
}

TEST_CASE("extend_sequence: laying out a growing trace piece by piece equals one layout") {
    auto demo = run_builtin_demo();
    view::trace_model whole(demo.header, demo.events);
    std::vector<std::size_t> all;
    for (std::size_t i = 0; i < whole.size(); ++i) all.push_back(i);
    view::sequence_layout expected = view::layout_sequence(whole, all);

    // The live model grows one event at a time; the layout is extended after each.
    view::trace_model growing(demo.header, {});
    view::sequence_layout layout;
    std::vector<std::size_t> indices;
    for (const auto& e : demo.events) {
        growing.append(e);
        std::size_t before = indices.size();
        indices.push_back(growing.size() - 1);
        view::extend_sequence(layout, growing, indices, before);
    }
    CHECK(layout.lanes == expected.lanes);
    REQUIRE(layout.rows.size() == expected.rows.size());
    for (std::size_t i = 0; i < layout.rows.size(); ++i) {
        CHECK(layout.rows[i].event_index == expected.rows[i].event_index);
        CHECK(layout.rows[i].from_lane == expected.rows[i].from_lane);
        CHECK(layout.rows[i].to_lane == expected.rows[i].to_lane);
        CHECK(layout.rows[i].label == expected.rows[i].label);
    }
}

TEST_CASE("background_serve: a real client's session reaches the inbox and the recording") {
    auto dir = temp_dir("background-serve");
    world::serve_options opts;
    opts.scenario_path = std::string(MAILLAB_SOURCE_DIR) + "/scenarios/classic.json";
    opts.base_port = 0;  // the OS picks every port
    opts.record_path = (dir / "live.jsonl").string();
    opts.tls_dir = (dir / "tls").string();
    world::background_serve live(opts);
    CHECK(live.header().value("mode", "") == "live");
    const world::listen_endpoint* smtp = nullptr;
    for (const auto& e : live.servers().endpoints())
        if (e.service == "smtp" && !smtp) smtp = &e;
    REQUIRE(smtp != nullptr);
    CHECK(smtp->port != 0);
    live.start();

    // A blocking client on this thread, as a student's telnet would be.
    boost::asio::io_context client_io;
    boost::asio::ip::tcp::socket socket(client_io);
    socket.connect({boost::asio::ip::make_address("127.0.0.1"), smtp->port});
    boost::asio::streambuf buffer;
    boost::asio::read_until(socket, buffer, "\r\n");
    boost::asio::write(socket, boost::asio::buffer(std::string("NOOP\r\nQUIT\r\n")));
    boost::asio::read_until(socket, buffer, "221");

    // The events come through the inbox, in seq order, the commands among them.
    view::trace_model model(live.header(), {});
    bool saw_quit = false;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!saw_quit && std::chrono::steady_clock::now() < deadline) {
        for (auto& e : live.inbox().take()) {
            if (e.kind == event_kind::command && e.text.rfind("QUIT", 0) == 0) saw_quit = true;
            model.append(std::move(e));
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    CHECK(saw_quit);
    for (std::size_t i = 1; i < model.size(); ++i) CHECK(model.at(i - 1).seq < model.at(i).seq);
    live.stop();
    live.stop();  // idempotent
    CHECK(live.failure().empty());
    CHECK(live.events_recorded() >= model.size());

    // The recording is a complete trace file with the same commands.
    trace_file f = read_trace_file(opts.record_path);
    CHECK(f.warnings.empty());
    bool recorded_quit = false;
    for (const auto& e : f.events)
        recorded_quit |= e.kind == event_kind::command && e.text.rfind("QUIT", 0) == 0;
    CHECK(recorded_quit);
    std::filesystem::remove_all(dir);
}

TEST_CASE("background_serve: a port in use is a clear error and nothing keeps running") {
    auto dir = temp_dir("port-in-use");
    boost::asio::io_context io;
    boost::asio::ip::tcp::acceptor taken(
        io, {boost::asio::ip::make_address("127.0.0.1"), 0});
    world::serve_options opts;
    opts.domains = {"example.org"};
    opts.users = {"alice@example.org:pw"};
    opts.smtp_port = taken.local_endpoint().port();
    opts.smtps_port = opts.pop3_port = opts.pop3s_port = opts.imap_port = opts.imaps_port =
        opts.http_port = 0;
    opts.tls_dir = (dir / "tls").string();
    std::string message;
    try {
        world::background_serve live(opts);
    } catch (const std::exception& err) {
        message = err.what();
    }
    CHECK(message.find("smtp") != std::string::npos);
    CHECK(message.find(std::to_string(opts.smtp_port)) != std::string::npos);
    std::filesystem::remove_all(dir);
}
