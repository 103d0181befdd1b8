// The merged view's engine over real loopback sockets: two publishers with a history each and
// a recording file, merged only once every source has sent its past, in time order, with the
// sources' names and estimated offsets; a source that cannot be reached is said and the others
// go on; stop() hands out everything held.
#include "sim/record/merged_follow.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <functional>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/write.hpp>
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

void run_until(asio::io_context& io, const std::function<bool()>& done,
               std::chrono::milliseconds limit = std::chrono::milliseconds(5000)) {
    auto deadline = std::chrono::steady_clock::now() + limit;
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

namespace {

// A TCP relay between the follow and a publisher, on a port of its own: cutting it is a network
// blip (the publisher stays up), and pointing it at another port is the machine's server
// restarted on a new one. One connection at a time, on the test's io_context.
class blip_relay {
public:
    blip_relay(asio::io_context& io, unsigned short port) : io_(io), acceptor_(io) {
        asio::ip::tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), port);
        acceptor_.open(ep.protocol());
        acceptor_.set_option(asio::ip::tcp::acceptor::reuse_address(true));
        acceptor_.bind(ep);
        acceptor_.listen();
        accept();
    }
    void point_at(const std::string& address) {
        upstream_port_ = static_cast<unsigned short>(std::stoi(address.substr(address.rfind(':') + 1)));
    }
    void cut() {
        boost::system::error_code ec;
        if (down_) down_->close(ec);
        if (up_) up_->close(ec);
    }

private:
    void accept() {
        acceptor_.async_accept([this](const boost::system::error_code& ec, asio::ip::tcp::socket s) {
            if (ec) return;
            cut();
            down_ = std::make_shared<asio::ip::tcp::socket>(std::move(s));
            up_ = std::make_shared<asio::ip::tcp::socket>(io_);
            boost::system::error_code cec;
            up_->connect({asio::ip::make_address("127.0.0.1"), upstream_port_}, cec);
            if (cec) {
                cut();
            } else {
                pump(down_, up_);
                pump(up_, down_);
            }
            accept();
        });
    }
    static void pump(std::shared_ptr<asio::ip::tcp::socket> from,
                     std::shared_ptr<asio::ip::tcp::socket> to) {
        auto buffer = std::make_shared<std::array<char, 65536>>();
        from->async_read_some(asio::buffer(*buffer), [from, to, buffer](
                                                         const boost::system::error_code& ec,
                                                         std::size_t n) {
            boost::system::error_code wec;
            if (!ec) asio::write(*to, asio::buffer(buffer->data(), n), wec);
            if (ec || wec) {
                from->close(wec);
                to->close(wec);
                return;
            }
            pump(from, to);
        });
    }

    asio::io_context& io_;
    asio::ip::tcp::acceptor acceptor_;
    unsigned short upstream_port_ = 0;
    std::shared_ptr<asio::ip::tcp::socket> down_, up_;
};

}  // namespace

TEST_CASE("merged follow with reconnect: a machine started late, a blip, a restart") {
    asio::io_context io;
    real_clock clock;
    // A port with nothing on it yet: the student's machine is not started.
    asio::ip::tcp::acceptor probe(io, {asio::ip::make_address("127.0.0.1"), 0});
    auto port = probe.local_endpoint().port();
    probe.close();

    merged_follow_options o;
    o.live = {parse_attach_target("127.0.0.1:" + std::to_string(port), "k")};
    o.hold = std::chrono::milliseconds(0);
    o.reconnect = std::chrono::milliseconds(100);
    std::vector<event> got;
    std::vector<std::string> said, problems;
    merged_follow::callbacks cb;
    cb.say = [&](const std::string& line, bool problem) {
        (problem ? problems : said).push_back(line);
    };
    cb.events = [&](std::vector<event> events) {
        for (auto& e : events) got.push_back(std::move(e));
    };
    bool finished = false;
    cb.finished = [&] { finished = true; };
    merged_follow follow(io, o, cb, clock);
    follow.start();
    auto texts = [&] {
        std::vector<std::string> t;
        for (const auto& e : got)
            if (e.proto != "trace") t.push_back(e.text);
        return t;
    };
    auto has = [&](const std::string& text) {
        auto t = texts();
        return std::find(t.begin(), t.end(), text) != t.end();
    };
    auto was_said = [&](const std::string& part) {
        return std::any_of(said.begin(), said.end(),
                           [&](const std::string& s) { return s.find(part) != std::string::npos; });
    };
    run_until(io, [&] { return follow.sources()[0].state.rfind("reconnecting: ", 0) == 0; });
    CHECK(follow.sources()[0].state.rfind("reconnecting: ", 0) == 0);
    CHECK_FALSE(follow.sources()[0].failed);
    run_until(io, [&] { return follow.has_started(); });  // nobody waits for a missing machine
    CHECK(follow.has_started());
    run_until(io, [] { return false; }, std::chrono::milliseconds(500));  // more attempts: said once
    REQUIRE(problems.size() == 1);
    CHECK(problems[0].find("cannot connect") != std::string::npos);
    CHECK(problems[0].find("(trying again every 0.1 s)") != std::string::npos);

    // The machine starts: its server's past, then its live events.
    auto t1 = std::make_unique<trace>(clock, nlohmann::json{{"as", "mail.b.example"}});
    trace_publisher_options po{"127.0.0.1", 0, "k", "mail.b.example"};
    auto p1 = std::make_unique<trace_publisher>(io, *t1, po);
    p1->start();
    t1->append(at_host("mail.b.example", "one"));
    blip_relay relay(io, port);
    relay.point_at(p1->address());
    run_until(io, [&] { return has("one"); });
    t1->append(at_host("mail.b.example", "two"));
    run_until(io, [&] { return has("two"); });
    CHECK(texts() == std::vector<std::string>{"one", "two"});

    // A blip: the publisher stays up, the connection breaks; back on the same run, nothing twice.
    relay.cut();
    run_until(io, [&] { return was_said("back on the same run"); });
    CHECK(was_said("back on the same run of mail.b.example"));
    t1->append(at_host("mail.b.example", "three"));
    run_until(io, [&] { return has("three"); });
    CHECK(texts() == std::vector<std::string>{"one", "two", "three"});

    // The server restarts: a new trace (seq and connection 1 again) and a new session.
    std::uint64_t old_conn = got.front().conn;
    p1->stop();
    p1.reset();
    auto t2 = std::make_unique<trace>(clock, nlohmann::json{{"as", "mail.b.example"}});
    auto p2 = std::make_unique<trace_publisher>(io, *t2, po);
    p2->start();
    t2->append(at_host("mail.b.example", "after restart"));
    relay.point_at(p2->address());
    relay.cut();
    run_until(io, [&] { return has("after restart"); });
    CHECK(texts() == std::vector<std::string>{"one", "two", "three", "after restart"});
    CHECK(was_said("mail.b.example was restarted"));
    for (const auto& e : got)
        if (e.text == "after restart") CHECK(e.conn != old_conn);
    for (std::size_t i = 0; i < got.size(); ++i) CHECK(got[i].seq == i + 1);
    CHECK_FALSE(finished);  // a source that may come back keeps the view open
    follow.stop();
    p2->stop();
}
