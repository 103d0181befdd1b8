// The relay agent in small simulated worlds: MX lookup and preference order, fallback, implicit
// MX, NXDOMAIN, the retry schedule on the virtual clock, expiry, per-recipient results, one queue
// entry per destination domain, and the bounces it sends (RFC 3464), checked in the trace and in
// the mail stores. Also the DNS zone and smtp::build_bounce on their own.
#include "sim/world/relay_agent.hpp"

#include <doctest/doctest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "sim/core/clock.hpp"
#include "sim/core/scheduler.hpp"
#include "sim/mime/message.hpp"
#include "sim/smtp/dsn.hpp"
#include "sim/store/mail_store.hpp"
#include "sim/world/dns_zone.hpp"
#include "sim/world/expectations.hpp"
#include "sim/world/scenario_loader.hpp"
#include "sim/world/scenario_run.hpp"
#include "sim/world/world.hpp"

using namespace maillab;

namespace {

constexpr std::int64_t epoch = virtual_clock::default_epoch_us;  // 1736154000000000
constexpr std::int64_t second = 1'000'000;

// Whether `e` has exactly these values (world::event_matches is looser: a string matches any
// string containing it, so "bounce" would also match "bounce_dropped").
bool has_fields(const event& e, const nlohmann::json& match) {
    for (const auto& [key, want] : match.items()) {
        nlohmann::json have;
        if (key == "kind") have = std::string(to_string(e.kind));
        else if (key == "from") have = e.from;
        else if (key == "to") have = e.to;
        else if (e.fields.contains(key)) have = e.fields[key];
        else return false;
        if (have != want) return false;
    }
    return true;
}

// A scenario run with run_scenario(); the scenario outlives the result (whose expectation
// results point into it).
struct outcome {
    world::scenario s;
    world::scenario_result r;
    explicit outcome(const std::string& text)
        : s(world::load_scenario_text("relay.json", text)), r(world::run_scenario(s)) {}

    std::vector<const event*> all(const nlohmann::json& match) const {
        std::vector<const event*> out;
        for (const auto& e : r.events)
            if (has_fields(e, match)) out.push_back(&e);
        return out;
    }
    const event* first(const nlohmann::json& match) const {
        auto v = all(match);
        return v.empty() ? nullptr : v.front();
    }
    std::string failed_expectations() const {
        std::string out;
        for (const auto& e : r.expectations)
            if (!e.passed) out += e.summary + " -- found " + e.found + "\n";
        return out;
    }
};

// The same, driving the world by hand so the final mail stores can be read.
struct world_run {
    world::scenario s;
    virtual_clock clock;
    scheduler sched{clock};
    trace t{clock};
    world::world w{s, t, sched};
    explicit world_run(const std::string& text) : s(world::load_scenario_text("relay.json", text)) {
        w.run();
    }
    const mailbox* inbox(const std::string& user) const {
        const mail_store* store = w.store_for_domain(user.substr(user.find('@') + 1));
        return store ? store->find_mailbox(user, "INBOX") : nullptr;
    }
    std::size_t count(const std::string& user) const {
        const mailbox* box = inbox(user);
        return box ? box->messages.size() : 0;
    }
};

std::int64_t rel(const event* e) { return e->t_us - epoch; }

// The common part: alice's mail program and her provider; `hosts` adds the other hosts.
std::string scenario(const std::string& hosts, const std::string& users, const std::string& rest) {
    return R"({
  "maillab_scenario": 1,
  "title": "relay test",
  "hosts": [
    {"name": "pc", "roles": ["user_agent"]},
    {"name": "mail.a.example", "roles": ["submission", "mx", "imap"], "domains": ["a.example"]},
    )" + hosts + R"(
  ],
  "users": [{"address": "alice@a.example", "password": "pw"}, )" +
           users + "],\n" + rest + "\n}";
}

std::string send_step(const std::string& to, const std::string& extra = "") {
    return R"({"do": "send", "host": "pc", "server": "mail.a.example", "port": "submission",
     "user": "alice@a.example", "to": )" +
           to + extra + R"(, "message": {"subject": "Hello", "text": "Hi.\n", "message_id": "<orig-1@a.example>"}})";
}

}  // namespace

TEST_CASE("MX records written out of order are tried lowest preference first") {
    outcome o(scenario(
        R"({"name": "mx1.b.example", "roles": ["mx"], "domains": ["b.example"]},
    {"name": "mx2.b.example", "roles": ["mx"], "domains": ["b.example"]},
    {"name": "mx3.b.example", "roles": ["mx"], "domains": ["b.example"]})",
        R"({"address": "bob@b.example", "password": "pw"})",
        R"(  "dns": {"mx": {"b.example": [{"preference": 30, "host": "mx3.b.example"},
                             {"preference": 10, "host": "mx1.b.example"},
                             {"preference": 20, "host": "mx2.b.example"}]}},
  "relay": {"connect_timeout": "5s"},
  "faults": [{"host": "mx1.b.example", "action": "unreachable"},
             {"host": "mx2.b.example", "action": "unreachable"}],
  "script": [)" + send_step(R"(["bob@b.example"])") + R"(],
  "expect": [{"expect": "mailbox", "user": "bob@b.example", "count": 1}])"));
    CHECK_MESSAGE(o.r.passed, o.failed_expectations());

    // The DNS answer lists them sorted.
    const event* answer = o.first({{"kind", "dns"}, {"action", "answer"}, {"name", "b.example"}});
    REQUIRE(answer);
    CHECK(answer->fields["records"] == nlohmann::json::parse(R"([
        {"host": "mx1.b.example", "preference": 10},
        {"host": "mx2.b.example", "preference": 20},
        {"host": "mx3.b.example", "preference": 30}])"));
    CHECK(answer->explain == "dns.answer.mx");

    auto connects = o.all({{"kind", "queue"}, {"action", "connect"}});
    REQUIRE(connects.size() == 3);
    std::vector<std::string> order;
    for (const auto* e : connects) order.push_back(e->fields["mx"]);
    CHECK(order == std::vector<std::string>{"mx1.b.example", "mx2.b.example", "mx3.b.example"});
    CHECK(connects[0]->fields["preference"] == 10);
    CHECK(connects[1]->fields["preference"] == 20);
    CHECK(connects[2]->fields["preference"] == 30);
    CHECK(connects[2]->fields["mx_index"] == 2);
    // All three in the same attempt, each after the previous one's connect timeout.
    for (const auto* e : connects) CHECK(e->fields["attempt"] == 1);
    CHECK(rel(connects[1]) - rel(connects[0]) == 5 * second);
    CHECK(rel(connects[2]) - rel(connects[1]) == 5 * second);
    CHECK(o.all({{"kind", "queue"}, {"action", "deferred"}}).empty());
    const event* delivered = o.first({{"kind", "queue"}, {"action", "delivered"}});
    REQUIRE(delivered);
    CHECK(delivered->fields["mx"] == "mx3.b.example");
}

TEST_CASE("an unreachable first MX: the relay falls back to the next one in the same attempt") {
    outcome o(scenario(
        R"({"name": "mx1.b.example", "roles": ["mx"], "domains": ["b.example"]},
    {"name": "mx2.b.example", "roles": ["mx"], "domains": ["b.example"]})",
        R"({"address": "bob@b.example", "password": "pw"})",
        R"(  "dns": {"mx": {"b.example": [{"preference": 20, "host": "mx2.b.example"},
                             {"preference": 10, "host": "mx1.b.example"}]}},
  "relay": {"connect_timeout": "7s"},
  "faults": [{"name": "mx1 down", "host": "mx1.b.example", "action": "unreachable"}],
  "script": [)" + send_step(R"(["bob@b.example"])") + R"(],
  "expect": [{"expect": "mailbox", "user": "bob@b.example", "count": 1},
             {"expect": "queue_empty", "host": "mail.a.example"}])"));
    CHECK_MESSAGE(o.r.passed, o.failed_expectations());

    auto connects = o.all({{"kind", "queue"}, {"action", "connect"}});
    REQUIRE(connects.size() == 2);
    CHECK(connects[0]->fields["mx"] == "mx1.b.example");
    CHECK(connects[1]->fields["mx"] == "mx2.b.example");
    CHECK(connects[1]->text.find("after mx1.b.example failed") != std::string::npos);

    const event* failed = o.first({{"kind", "tcp"}, {"action", "connect_failed"}, {"to", "mx1.b.example"}});
    REQUIRE(failed);
    CHECK(failed->from == "mail.a.example");
    CHECK(failed->t_us - connects[0]->t_us == 7 * second);  // the connect timeout
    CHECK(connects[1]->t_us == failed->t_us);
    CHECK(o.all({{"kind", "tcp"}, {"action", "connect"}, {"to", "mx2.b.example"}}).size() == 1);

    const event* delivered = o.first({{"kind", "queue"}, {"action", "delivered"}});
    REQUIRE(delivered);
    CHECK(delivered->fields["mx"] == "mx2.b.example");
    CHECK(delivered->fields["delivered"] == nlohmann::json::array({"bob@b.example"}));
    CHECK(delivered->fields["attempt"] == 1);
    CHECK(o.all({{"kind", "queue"}, {"action", "deferred"}}).empty());
}

TEST_CASE("an MX that answers 421 to EHLO: the next MX is tried at once") {
    outcome o(scenario(
        R"({"name": "mx1.b.example", "roles": ["mx"], "domains": ["b.example"]},
    {"name": "mx2.b.example", "roles": ["mx"], "domains": ["b.example"]})",
        R"({"address": "bob@b.example", "password": "pw"})",
        R"(  "dns": {"mx": {"b.example": [{"preference": 10, "host": "mx1.b.example"},
                             {"preference": 20, "host": "mx2.b.example"}]}},
  "faults": [{"host": "mx1.b.example", "command": "EHLO", "action": "reply_and_close",
              "reply": "421 4.3.2 System not accepting network messages"}],
  "script": [)" + send_step(R"(["bob@b.example"])") + R"(],
  "expect": [{"expect": "mailbox", "user": "bob@b.example", "count": 1}])"));
    CHECK_MESSAGE(o.r.passed, o.failed_expectations());
    auto connects = o.all({{"kind", "queue"}, {"action", "connect"}});
    REQUIRE(connects.size() == 2);
    CHECK(connects[1]->fields["mx"] == "mx2.b.example");
    CHECK(connects[1]->fields["attempt"] == 1);
    CHECK(o.all({{"kind", "queue"}, {"action", "deferred"}}).empty());
    CHECK(o.all({{"kind", "queue"}, {"action", "bounce"}}).empty());
}

TEST_CASE("implicit MX: no MX record, but a host named like the domain") {
    outcome o(scenario(
        R"({"name": "c.example", "roles": ["mx"], "domains": ["c.example"]})",
        R"({"address": "carol@c.example", "password": "pw"})",
        R"(  "script": [)" + send_step(R"(["carol@c.example"])") + R"(],
  "expect": [{"expect": "mailbox", "user": "carol@c.example", "count": 1}])"));
    CHECK_MESSAGE(o.r.passed, o.failed_expectations());
    const event* answer = o.first({{"kind", "dns"}, {"action", "answer"}, {"name", "c.example"}});
    REQUIRE(answer);
    CHECK(answer->explain == "dns.answer.implicit_mx");
    CHECK(answer->fields["implicit"] == true);
    CHECK(answer->fields["rcode"] == "NOERROR");
    CHECK(answer->fields["records"] == nlohmann::json::parse(R"([{"host": "c.example", "preference": 0}])"));
    const event* connect = o.first({{"kind", "queue"}, {"action", "connect"}});
    REQUIRE(connect);
    CHECK(connect->fields["mx"] == "c.example");
    const event* delivered = o.first({{"kind", "queue"}, {"action", "delivered"}});
    REQUIRE(delivered);
    CHECK(delivered->fields["mx"] == "c.example");
}

TEST_CASE("NXDOMAIN: the mail bounces at once with status 5.1.2") {
    outcome o(scenario(
        R"({"name": "mx.b.example", "roles": ["mx"], "domains": ["b.example"]})",
        R"({"address": "bob@b.example", "password": "pw"})",
        R"(  "script": [)" + send_step(R"(["x@nowhere.example"])") + R"(],
  "expect": [{"expect": "bounce", "user": "alice@a.example", "recipient": "x@nowhere.example",
              "status": "5.1.2", "count": 1},
             {"expect": "queue_empty", "host": "mail.a.example"}])"));
    CHECK_MESSAGE(o.r.passed, o.failed_expectations());
    const event* answer = o.first({{"kind", "dns"}, {"action", "answer"}, {"name", "nowhere.example"}});
    REQUIRE(answer);
    CHECK(answer->fields["rcode"] == "NXDOMAIN");
    CHECK(answer->explain == "dns.answer.nxdomain");
    CHECK(answer->fields["records"].empty());
    // No connection is tried and nothing is retried.
    CHECK(o.all({{"kind", "queue"}, {"action", "connect"}}).empty());
    CHECK(o.all({{"kind", "queue"}, {"action", "deferred"}}).empty());
    const event* bounce = o.first({{"kind", "queue"}, {"action", "bounce"}});
    REQUIRE(bounce);
    CHECK(bounce->t_us == answer->t_us);
    REQUIRE(bounce->fields["failed"].size() == 1);
    CHECK(bounce->fields["failed"][0]["recipient"] == "x@nowhere.example");
    CHECK(bounce->fields["failed"][0]["status"] == "5.1.2");
    CHECK(bounce->fields["bounce_to"] == "alice@a.example");
    CHECK(bounce->fields["message_id"] == "<orig-1@a.example>");
    // The expectation also fails for a wrong status: the check looks at the DSN's Status field.
    outcome wrong(scenario(
        R"({"name": "mx.b.example", "roles": ["mx"], "domains": ["b.example"]})",
        R"({"address": "bob@b.example", "password": "pw"})",
        R"(  "script": [)" + send_step(R"(["x@nowhere.example"])") + R"(],
  "expect": [{"expect": "bounce", "user": "alice@a.example", "status": "5.1.1"}])"));
    CHECK_FALSE(wrong.r.passed);
    REQUIRE(wrong.r.expectations.size() == 1);
    CHECK(wrong.r.expectations[0].found.find("5.1.2") != std::string::npos);
}

TEST_CASE("retries follow the relay's schedule on the virtual clock; the last wait repeats") {
    outcome o(scenario(
        R"({"name": "mx.b.example", "roles": ["mx"], "domains": ["b.example"]})",
        R"({"address": "bob@b.example", "password": "pw"})",
        R"(  "dns": {"mx": {"b.example": [{"preference": 10, "host": "mx.b.example"}]}},
  "relay": {"retry": ["1m", "5m"], "connect_timeout": "1s"},
  "faults": [{"host": "mx.b.example", "action": "unreachable", "until": "7m"}],
  "script": [)" + send_step(R"(["bob@b.example"])") + R"(],
  "expect": [{"expect": "mailbox", "user": "bob@b.example", "count": 1},
             {"expect": "event", "match": {"kind": "queue", "action": "deferred"}, "count": 3}])"));
    CHECK_MESSAGE(o.r.passed, o.failed_expectations());
    REQUIRE_FALSE(o.r.events.empty());
    CHECK(o.r.events.front().t_us == epoch);

    const event* queued = o.first({{"kind", "queue"}, {"action", "enqueue"}});
    REQUIRE(queued);
    std::int64_t t0 = rel(queued);
    CHECK(t0 > 0);
    CHECK(t0 < 100'000);  // the submission took a few milliseconds

    // Attempt 1 at once; each fails after the 1 s connect timeout; waits 1 m, 5 m, 5 m.
    auto attempts = o.all({{"kind", "queue"}, {"action", "attempt"}});
    REQUIRE(attempts.size() == 4);
    CHECK(rel(attempts[0]) == t0);
    CHECK(rel(attempts[1]) == t0 + 61 * second);
    CHECK(rel(attempts[2]) == t0 + 362 * second);
    CHECK(rel(attempts[3]) == t0 + 663 * second);
    for (int i = 0; i < 4; ++i) CHECK(attempts[i]->fields["attempt"] == i + 1);

    auto deferred = o.all({{"kind", "queue"}, {"action", "deferred"}});
    REQUIRE(deferred.size() == 3);
    std::vector<std::int64_t> waits;
    for (const auto* e : deferred) {
        waits.push_back(e->fields["retry_in_us"].get<std::int64_t>());
        CHECK(e->fields["next_attempt_us"].get<std::int64_t>() ==
              e->t_us + e->fields["retry_in_us"].get<std::int64_t>());
        CHECK(e->fields["last_error"] == "cannot connect to mx.b.example");
    }
    CHECK(waits == std::vector<std::int64_t>{60 * second, 300 * second, 300 * second});
    CHECK(rel(deferred[0]) == t0 + 1 * second);
    CHECK(rel(deferred[1]) == t0 + 62 * second);
    CHECK(rel(deferred[2]) == t0 + 363 * second);

    // The fourth attempt, after 7 minutes, gets through.
    const event* delivered = o.first({{"kind", "queue"}, {"action", "delivered"}});
    REQUIRE(delivered);
    CHECK(delivered->fields["attempt"] == 4);
    CHECK(rel(delivered) > 420 * second);
    CHECK(o.all({{"kind", "tcp"}, {"action", "connect_failed"}}).size() == 3);
}

TEST_CASE("give_up_after: the mail expires and bounces with status 4.4.7") {
    outcome o(scenario(
        R"({"name": "mx.b.example", "roles": ["mx"], "domains": ["b.example"]})",
        R"({"address": "bob@b.example", "password": "pw"})",
        R"(  "dns": {"mx": {"b.example": [{"preference": 10, "host": "mx.b.example"}]}},
  "relay": {"retry": ["1m"], "give_up_after": "5m"},
  "faults": [{"host": "mx.b.example", "action": "unreachable"}],
  "script": [)" + send_step(R"(["bob@b.example"])") + R"(],
  "expect": [{"expect": "bounce", "user": "alice@a.example", "recipient": "bob@b.example",
              "status": "4.4.7", "count": 1},
             {"expect": "no_mail", "user": "bob@b.example"},
             {"expect": "queue_empty", "host": "mail.a.example"}])"));
    CHECK_MESSAGE(o.r.passed, o.failed_expectations());
    const event* queued = o.first({{"kind", "queue"}, {"action", "enqueue"}});
    REQUIRE(queued);
    // Attempts at 0, 1.5, 3, 4.5 minutes (30 s connect timeout + 1 m wait); the fourth fails
    // at 5 minutes, which is give_up_after.
    auto attempts = o.all({{"kind", "queue"}, {"action", "attempt"}});
    CHECK(attempts.size() == 4);
    CHECK(o.all({{"kind", "queue"}, {"action", "deferred"}}).size() == 3);
    const event* expired = o.first({{"kind", "queue"}, {"action", "expired"}});
    REQUIRE(expired);
    CHECK(expired->t_us - queued->t_us == 300 * second);
    CHECK(expired->fields["last_error"] == "cannot connect to mx.b.example");
    CHECK(expired->fields["recipients"] == nlohmann::json::array({"bob@b.example"}));
    const event* bounce = o.first({{"kind", "queue"}, {"action", "bounce"}});
    REQUIRE(bounce);
    CHECK(bounce->seq > expired->seq);
    REQUIRE(bounce->fields["failed"].size() == 1);
    CHECK(bounce->fields["failed"][0]["status"] == "4.4.7");
    CHECK(bounce->fields["failed"][0]["diagnostic"].get<std::string>().find(
              "cannot connect to mx.b.example") != std::string::npos);
    // Nothing after the expiry tries again.
    for (const auto* a : attempts) CHECK(a->seq < expired->seq);
}

TEST_CASE("5xx for one of two recipients: only that one bounces, the other is delivered") {
    outcome o(scenario(
        R"({"name": "mx.b.example", "roles": ["mx"], "domains": ["b.example"]})",
        R"({"address": "bob@b.example", "password": "pw"})",
        R"(  "dns": {"mx": {"b.example": [{"preference": 10, "host": "mx.b.example"}]}},
  "script": [)" + send_step(R"(["bob@b.example", "nobody@b.example"])") + R"(],
  "expect": [{"expect": "mailbox", "user": "bob@b.example", "count": 1},
             {"expect": "bounce", "user": "alice@a.example", "recipient": "nobody@b.example",
              "status": "5.1.1", "count": 1},
             {"expect": "bounce", "user": "alice@a.example", "recipient": "bob@b.example", "count": 0},
             {"expect": "queue_empty", "host": "mail.a.example"}])"));
    CHECK_MESSAGE(o.r.passed, o.failed_expectations());
    // One queue entry for both (same domain), one attempt, one connection.
    auto queued = o.all({{"kind", "queue"}, {"action", "enqueue"}});
    REQUIRE(queued.size() == 1);
    CHECK(queued[0]->fields["recipients"] ==
          nlohmann::json::array({"bob@b.example", "nobody@b.example"}));
    CHECK(o.all({{"kind", "queue"}, {"action", "attempt"}}).size() == 1);
    const event* rejected = o.first({{"kind", "reply"}, {"code", 550}, {"from", "mx.b.example"}});
    REQUIRE(rejected);
    CHECK(rejected->text.find("5.1.1 <nobody@b.example>") != std::string::npos);
    const event* delivered = o.first({{"kind", "queue"}, {"action", "delivered"}});
    REQUIRE(delivered);
    CHECK(delivered->fields["delivered"] == nlohmann::json::array({"bob@b.example"}));
    const event* bounce = o.first({{"kind", "queue"}, {"action", "bounce"}});
    REQUIRE(bounce);
    REQUIRE(bounce->fields["failed"].size() == 1);
    CHECK(bounce->fields["failed"][0]["recipient"] == "nobody@b.example");
    CHECK(bounce->fields["failed"][0]["status"] == "5.1.1");
    CHECK(bounce->fields["failed"][0]["diagnostic"].get<std::string>().rfind("550 5.1.1", 0) == 0);
    CHECK(o.all({{"kind", "queue"}, {"action", "deferred"}}).empty());
}

TEST_CASE("one submission to two domains: one queue entry per domain, each with its own MX lookup") {
    outcome o(scenario(
        R"({"name": "mx.b.example", "roles": ["mx"], "domains": ["b.example"]},
    {"name": "mx.c.example", "roles": ["mx"], "domains": ["c.example"]})",
        R"({"address": "bob@b.example", "password": "pw"}, {"address": "carol@c.example", "password": "pw"},
            {"address": "chris@c.example", "password": "pw"})",
        R"(  "dns": {"mx": {"b.example": [{"preference": 10, "host": "mx.b.example"}],
                  "c.example": [{"preference": 10, "host": "mx.c.example"}]}},
  "script": [)" + send_step(R"(["bob@b.example", "carol@c.example", "chris@c.example"])") + R"(],
  "expect": [{"expect": "mailbox", "user": "bob@b.example", "count": 1},
             {"expect": "mailbox", "user": "carol@c.example", "count": 1},
             {"expect": "mailbox", "user": "chris@c.example", "count": 1}])"));
    CHECK_MESSAGE(o.r.passed, o.failed_expectations());
    auto queued = o.all({{"kind", "queue"}, {"action", "enqueue"}});
    REQUIRE(queued.size() == 2);
    CHECK(queued[0]->fields["domain"] == "b.example");
    CHECK(queued[0]->fields["recipients"] == nlohmann::json::array({"bob@b.example"}));
    CHECK(queued[1]->fields["domain"] == "c.example");
    CHECK(queued[1]->fields["recipients"] ==
          nlohmann::json::array({"carol@c.example", "chris@c.example"}));
    CHECK(queued[0]->fields["queue_id"] != queued[1]->fields["queue_id"]);
    CHECK(queued[0]->fields["message_id"] == "<orig-1@a.example>");
    CHECK(queued[1]->fields["message_id"] == "<orig-1@a.example>");

    auto queries = o.all({{"kind", "dns"}, {"action", "query"}});
    REQUIRE(queries.size() == 2);
    CHECK(queries[0]->fields["name"] == "b.example");
    CHECK(queries[1]->fields["name"] == "c.example");
    for (const auto* q : queries) CHECK(q->from == "mail.a.example");

    for (const auto* q : queued) {
        auto id = q->fields["queue_id"];
        auto connects = o.all({{"kind", "queue"}, {"action", "connect"}, {"queue_id", id}});
        REQUIRE(connects.size() == 1);
        CHECK(connects[0]->fields["mx"] == (q->fields["domain"] == "b.example" ? "mx.b.example"
                                                                               : "mx.c.example"));
        auto done = o.all({{"kind", "queue"}, {"action", "delivered"}, {"queue_id", id}});
        REQUIRE(done.size() == 1);
        CHECK(done[0]->fields["delivered"].size() == q->fields["recipients"].size());
    }
    // Each MX received only its own domain's recipients.
    CHECK(o.all({{"kind", "command"}, {"verb", "RCPT"}, {"to", "mx.b.example"}}).size() == 1);
    CHECK(o.all({{"kind", "command"}, {"verb", "RCPT"}, {"to", "mx.c.example"}}).size() == 2);
}

TEST_CASE("the bounce is an RFC 3464 report in the sender's INBOX") {
    world_run run(scenario(
        R"({"name": "mx.b.example", "roles": ["mx"], "domains": ["b.example"]})",
        R"({"address": "bob@b.example", "password": "pw"})",
        R"(  "dns": {"mx": {"b.example": [{"preference": 10, "host": "mx.b.example"}]}},
  "script": [)" + send_step(R"(["nobody@b.example"])") + "]"));
    const mailbox* box = run.inbox("alice@a.example");
    REQUIRE(box);
    REQUIRE(box->messages.size() == 1);
    const std::string& raw = box->messages[0].bytes;

    mime::message m(raw);
    CHECK(m.header_text(m.root(), "From") == "Mail Delivery System <MAILER-DAEMON@mail.a.example>");
    CHECK(m.header_text(m.root(), "To") == "<alice@a.example>");
    CHECK(m.header_text(m.root(), "Subject") == "Undelivered Mail Returned to Sender");
    CHECK(m.header_text(m.root(), "Auto-Submitted") == "auto-replied");
    const mime::part& root = m.root();
    CHECK(root.type.mime_type() == "multipart/report");
    REQUIRE(root.type.param("report-type"));
    CHECK(*root.type.param("report-type") == "delivery-status");
    REQUIRE(root.children.size() == 3);
    CHECK(root.children[0].type.mime_type() == "text/plain");
    CHECK(root.children[1].type.mime_type() == "message/delivery-status");
    CHECK(root.children[1].is_delivery_status());
    CHECK(root.children[2].type.mime_type() == "text/rfc822-headers");

    std::string status = m.decoded_body(root.children[1]);
    CHECK(status.find("Reporting-MTA: dns; mail.a.example\r\n") != std::string::npos);
    CHECK(status.find("Final-Recipient: rfc822; nobody@b.example\r\n") != std::string::npos);
    CHECK(status.find("Action: failed\r\n") != std::string::npos);
    CHECK(status.find("Status: 5.1.1\r\n") != std::string::npos);
    CHECK(status.find("Remote-MTA: dns; mx.b.example\r\n") != std::string::npos);
    CHECK(status.find("Diagnostic-Code: smtp; 550 5.1.1 <nobody@b.example>") != std::string::npos);

    std::string headers = m.decoded_body(root.children[2]);
    CHECK(headers.find("Message-ID: <orig-1@a.example>") != std::string::npos);
    CHECK(headers.find("Subject: Hello") != std::string::npos);
    CHECK(headers.find("Hi.") == std::string::npos);  // the header only, not the text

    std::string text = m.text(root.children[0]);
    CHECK(text.find("<nobody@b.example> (server mx.b.example): 550 5.1.1") != std::string::npos);
    CHECK(text.find("这是主机 mail.a.example 上的邮件系统") != std::string::npos);

    // The store event of the bounce: its envelope sender is empty (the null reverse-path).
    bool found = false;
    for (const auto& e : run.t.events()) {
        if (e.kind != event_kind::store || e.explain != "net.store.deliver" ||
            e.fields.value("user", "") != "alice@a.example")
            continue;
        found = true;
        CHECK(e.fields["mail_from"] == "");
        CHECK(e.fields["original_message_id"] == "<orig-1@a.example>");
        CHECK(e.raw == raw);
    }
    CHECK(found);
}

TEST_CASE("a bounce to another domain is relayed with MAIL FROM:<>; one that fails is dropped") {
    // Alice's mail goes out with the envelope sender carol@c.example (delivered by relay), then
    // with ghost@nowhere.example (NXDOMAIN), then ghost@a.example (no such mailbox).
    auto step = [](const std::string& from, const std::string& id, const std::string& after) {
        return R"({"do": "send", "host": "pc", "server": "mail.a.example", "port": "submission",
     "user": "alice@a.example", "mail_from": ")" + from + R"(", "to": ["nobody@b.example"], "after": ")" +
               after + R"(", "message": {"subject": "s", "text": "t", "message_id": ")" + id + R"("}})";
    };
    std::string text = scenario(
        R"({"name": "mx.b.example", "roles": ["mx"], "domains": ["b.example"]},
    {"name": "c.example", "roles": ["mx"], "domains": ["c.example"]})",
        R"({"address": "bob@b.example", "password": "pw"}, {"address": "carol@c.example", "password": "pw"})",
        R"(  "dns": {"mx": {"b.example": [{"preference": 10, "host": "mx.b.example"}]}},
  "script": [)" + step("carol@c.example", "<o1@a.example>", "0s") + ",\n" +
            step("ghost@nowhere.example", "<o2@a.example>", "1m") + ",\n" +
            step("ghost@a.example", "<o3@a.example>", "1m") + R"(],
  "expect": [{"expect": "bounce", "user": "carol@c.example", "recipient": "nobody@b.example",
              "status": "5.1.1", "count": 1},
             {"expect": "queue_empty", "host": "mail.a.example"}])");
    outcome o(text);
    CHECK_MESSAGE(o.r.passed, o.failed_expectations());

    // 1. The bounce for carol is queued with a null sender and relayed with MAIL FROM:<>.
    auto bounces = o.all({{"kind", "queue"}, {"action", "bounce"}});
    REQUIRE(bounces.size() == 3);
    CHECK(bounces[0]->fields["bounce_to"] == "carol@c.example");
    std::string bounce_id = bounces[0]->fields["bounce_message_id"];
    const event* requeued = o.first({{"kind", "queue"}, {"action", "enqueue"}, {"message_id", bounce_id}});
    REQUIRE(requeued);
    CHECK(requeued->fields["mail_from"] == "");
    CHECK(requeued->fields["recipients"] == nlohmann::json::array({"carol@c.example"}));
    auto mail_from = o.all({{"kind", "command"}, {"verb", "MAIL"}, {"to", "c.example"}});
    REQUIRE(mail_from.size() == 1);
    CHECK(mail_from[0]->fields["args"].get<std::string>().rfind("FROM:<> ", 0) == 0);
    const event* stored = o.first({{"kind", "store"}, {"user", "carol@c.example"}});
    REQUIRE(stored);
    CHECK(stored->fields["mail_from"] == "");
    CHECK(stored->fields["message_id"] == bounce_id);

    // 2. The bounce for ghost@nowhere.example cannot be delivered: dropped, not bounced again.
    CHECK(bounces[1]->fields["bounce_to"] == "ghost@nowhere.example");
    auto dropped = o.all({{"kind", "queue"}, {"action", "bounce_dropped"}});
    REQUIRE(dropped.size() == 2);
    CHECK(dropped[0]->fields["domain"] == "nowhere.example");
    CHECK(dropped[0]->fields["failed"][0]["status"] == "5.1.2");
    CHECK(dropped[0]->text.find("not bounced again") != std::string::npos);
    // No bounce was addressed to the empty sender.
    for (const auto* b : bounces) CHECK(b->fields["bounce_to"] != "");

    // 3. A local sender without a mailbox: nobody to tell.
    CHECK(bounces[2]->fields["bounce_to"] == "ghost@a.example");
    CHECK(dropped[1]->fields["message_id"] == "<o3@a.example>");
    CHECK(dropped[1]->text.find("cannot be stored for ghost@a.example") != std::string::npos);
}

TEST_CASE("smtp::build_bounce on its own") {
    smtp::bounce_request req;
    req.reporting_mta = "mx.example";
    req.to = "alice@a.example";
    req.original_message =
        "From: Alice <alice@a.example>\nTo: bob@b.example\nSubject: hello\n"
        "Message-ID: <m1@a.example>\n\nthe body line\n";
    req.arrival_us = epoch;
    req.now_us = epoch + 3600 * second;
    req.recipients = {
        {"bob@b.example", "5.1.1", "mx.b.example", "550 5.1.1 no such user"},
        {"carol@c.example", "4.4.7", "", "delivery time expired; last error: cannot connect"},
    };
    req.message_id = "<bounce-1@mx.example>";
    std::string dsn = smtp::build_bounce(req);

    // CRLF everywhere, even though the original had bare LFs.
    for (std::size_t i = 0; i < dsn.size(); ++i)
        if (dsn[i] == '\n') REQUIRE_MESSAGE((i > 0 && dsn[i - 1] == '\r'), "bare LF at " << i);
    CHECK(dsn.rfind("From: Mail Delivery System <MAILER-DAEMON@mx.example>\r\n", 0) == 0);
    CHECK(dsn.find("\r\nDate: Mon, 06 Jan 2025 10:00:00 +0000\r\n") != std::string::npos);
    CHECK(dsn.find("\r\nMessage-ID: <bounce-1@mx.example>\r\n") != std::string::npos);

    mime::message m(dsn);
    REQUIRE(m.root().children.size() == 3);
    std::string status = m.decoded_body(m.root().children[1]);
    CHECK(status.find("Reporting-MTA: dns; mx.example\r\n"
                      "Arrival-Date: Mon, 06 Jan 2025 09:00:00 +0000\r\n\r\n"
                      "Final-Recipient: rfc822; bob@b.example\r\n"
                      "Action: failed\r\n"
                      "Status: 5.1.1\r\n"
                      "Remote-MTA: dns; mx.b.example\r\n"
                      "Diagnostic-Code: smtp; 550 5.1.1 no such user\r\n"
                      "Last-Attempt-Date: Mon, 06 Jan 2025 10:00:00 +0000\r\n\r\n"
                      "Final-Recipient: rfc822; carol@c.example\r\n"
                      "Action: failed\r\n"
                      "Status: 4.4.7\r\n"
                      "Diagnostic-Code: x-maillab; delivery time expired; last error: cannot "
                      "connect\r\n") == 0);
    std::string headers = m.decoded_body(m.root().children[2]);
    CHECK(headers.find("Subject: hello\r\nMessage-ID: <m1@a.example>") != std::string::npos);
    CHECK(headers.find("the body line") == std::string::npos);
    std::string text = m.text(m.root().children[0]);
    CHECK(text.find("<bob@b.example> (server mx.b.example): 550 5.1.1 no such user") != std::string::npos);
    CHECK(text.find("<carol@c.example>: delivery time expired") != std::string::npos);

    // A boundary that the original header happens to contain is made longer.
    smtp::bounce_request tricky = req;
    tricky.original_message = "Subject: =_maillab_dsn_" + std::to_string(req.now_us) +
                              "\r\nMessage-ID: <m2@a.example>\r\n\r\nbody\r\n";
    std::string dsn2 = smtp::build_bounce(tricky);
    mime::message m2(dsn2);
    REQUIRE(m2.root().type.param("boundary"));
    CHECK(*m2.root().type.param("boundary") == "=_maillab_dsn_" + std::to_string(req.now_us) + "_");
    REQUIRE(m2.root().children.size() == 3);
    CHECK(m2.decoded_body(m2.root().children[2]).find("Subject: =_maillab_dsn_") != std::string::npos);
}

TEST_CASE("the DNS zone: preference order, stable ties, implicit MX, NXDOMAIN, any case") {
    std::map<std::string, std::vector<world::mx_record>> mx = {
        {"b.example", {{30, "mx3.b.example"}, {20, "mx2a.b.example"}, {10, "mx1.b.example"},
                       {20, "mx2b.b.example"}}},
    };
    world::dns_zone zone(mx, {"mx1.b.example", "c.example"}, "dns");
    world::mx_answer b = zone.lookup_mx("B.Example");
    CHECK(b.exists);
    CHECK_FALSE(b.implicit);
    std::vector<std::string> order;
    for (const auto& r : b.exchangers) order.push_back(r.host);
    CHECK(order == std::vector<std::string>{"mx1.b.example", "mx2a.b.example", "mx2b.b.example",
                                            "mx3.b.example"});
    world::mx_answer c = zone.lookup_mx("c.example");
    CHECK(c.exists);
    CHECK(c.implicit);
    REQUIRE(c.exchangers.size() == 1);
    CHECK(c.exchangers[0].host == "c.example");
    world::mx_answer none = zone.lookup_mx("nowhere.example");
    CHECK_FALSE(none.exists);
    CHECK(none.exchangers.empty());

    // resolve_mx traces the query and the answer, the answer caused by the query.
    virtual_clock clock;
    trace t(clock);
    zone.resolve_mx(t, "mail.a.example", "b.example", std::nullopt);
    REQUIRE(t.events().size() == 2);
    CHECK(t.events()[0].from == "mail.a.example");
    CHECK(t.events()[0].to == "dns");
    CHECK(t.events()[1].from == "dns");
    CHECK(t.events()[1].cause == t.events()[0].seq);
    CHECK(t.events()[1].text == "b.example MX 10 mx1.b.example, 20 mx2a.b.example, 20 mx2b.b.example, 30 mx3.b.example");
}
