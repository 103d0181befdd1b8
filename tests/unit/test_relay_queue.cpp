#include <doctest/doctest.h>

#include "golden_traces.hpp"
#include "sim/view/relay_queue.hpp"

using namespace maillab;
using namespace maillab::view;

namespace {
const queue_entry& entry(const std::vector<queue_entry>& q, std::uint64_t id) {
    for (const auto& e : q)
        if (e.queue_id == id) return e;
    FAIL("no queue entry " << id);
    return q.front();
}
}  // namespace

TEST_CASE("relay queue: the failures scenario's three entries at the end") {
    auto m = test::golden_trace("failures");
    auto q = queue_at(m, m.size() - 1);
    REQUIRE(q.size() == 3);
    const auto& first = entry(q, 1);
    CHECK(first.host == "mail.a.example");
    CHECK(first.state == "delivered");
    CHECK(first.mx == "mx2.b.example");  // after mx1 gave no answer
    CHECK(first.removed);
    CHECK(first.retries == 0);
    const auto& second = entry(q, 2);
    CHECK(second.state == "delivered");
    CHECK(second.attempt == 4);
    CHECK(second.retries == 3);
    CHECK(second.delivered == std::vector<std::string>{"carol@c.example"});
    const auto& third = entry(q, 3);
    CHECK(third.state == "bounced");
    CHECK(third.failed == std::vector<std::string>{"nobody@b.example"});
    CHECK(third.message_id == "<typo-1@a.example>");
}

TEST_CASE("relay queue: stepping through a deferral and its retry") {
    auto m = test::golden_trace("failures");
    auto enqueued = queue_at(m, test::at_seq(m, 41));
    CHECK(entry(enqueued, 2).state == "queued");
    CHECK(entry(enqueued, 2).previous.empty());
    auto deferred = queue_at(m, test::at_seq(m, 129));
    const auto& d = entry(deferred, 2);
    CHECK(d.state == "deferred");
    CHECK(d.previous == "trying MX");
    CHECK(d.last_error == "cannot connect to mail.c.example");
    CHECK(d.next_attempt_us > m.at(test::at_seq(m, 129)).t_us);
    CHECK_FALSE(d.removed);
    auto retry = queue_at(m, test::at_seq(m, 209));
    const auto& r = entry(retry, 2);
    CHECK(r.state == "trying MX");
    CHECK(r.previous == "deferred");
    CHECK(r.trigger.find("retry") != std::string::npos);
    // Before the cursor reaches an entry, it is not there.
    CHECK(queue_at(m, test::at_seq(m, 38)).empty());
}

TEST_CASE("relay queue: every change in every golden trace follows queue_machine()") {
    const state_machine_spec& spec = queue_machine();
    for (const char* name :
         {"classic", "failures", "mime", "secure", "auth-and-relay", "webmail"}) {
        auto m = test::golden_trace(name);
        std::size_t entries = 0;
        for (std::size_t i = 0; i < m.size(); ++i) {
            if (m.at(i).kind != event_kind::queue) continue;
            for (const auto& e : queue_at(m, i)) {
                if (e.last_event != i) continue;
                ++entries;
                CHECK_MESSAGE(
                    std::find(spec.states.begin(), spec.states.end(), e.state) != spec.states.end(),
                    name << " seq " << m.at(i).seq << ": " << e.state);
                if (!e.previous.empty() && e.previous != e.state)
                    CHECK_MESSAGE(spec.allows(e.previous, e.state), name << " seq " << m.at(i).seq
                                                                         << ": " << e.previous
                                                                         << " -> " << e.state);
            }
        }
        CHECK_MESSAGE(entries > 0, name);
    }
}

TEST_CASE("relay queue: the tracker answers as queue_at does, at every cursor, either way") {
    auto same = [](const std::vector<queue_entry>& a, const std::vector<queue_entry>& b) {
        if (a.size() != b.size()) return false;
        for (std::size_t i = 0; i < a.size(); ++i)
            if (a[i].host != b[i].host || a[i].queue_id != b[i].queue_id ||
                a[i].state != b[i].state || a[i].previous != b[i].previous ||
                a[i].recipients != b[i].recipients || a[i].delivered != b[i].delivered ||
                a[i].failed != b[i].failed || a[i].attempt != b[i].attempt ||
                a[i].retries != b[i].retries || a[i].removed != b[i].removed ||
                a[i].first_event != b[i].first_event || a[i].last_event != b[i].last_event)
                return false;
        return true;
    };
    for (const char* name : {"failures", "auth-and-relay"}) {
        auto m = test::golden_trace(name);
        queue_tracker tracker;
        // Playing forward, the same cursor twice, stepping back, then jumps.
        for (std::size_t c = 0; c < m.size(); ++c) {
            CHECK_MESSAGE(same(tracker.at(m, c), queue_at(m, c)), name << " at " << c);
            CHECK(same(tracker.at(m, c), queue_at(m, c)));
        }
        for (std::size_t c = m.size(); c-- > 0;)
            CHECK_MESSAGE(same(tracker.at(m, c), queue_at(m, c)), name << " back at " << c);
        for (std::size_t c : {m.size() - 1, std::size_t{0}, m.size() / 2})
            CHECK(same(tracker.at(m, c), queue_at(m, c)));
    }
}
