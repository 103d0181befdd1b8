// Scripted faults: one test per action, each checking what the trace shows (the command the fault
// took, the note naming the rule, the reply it gave) and what it does to the mail (deferred,
// retried, delivered once, bounced). Also: rules that do not apply leave the trace unchanged, and
// every shipped scenario runs the same twice and meets its expectations.
#include "sim/world/fault_injector.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "sim/core/clock.hpp"
#include "sim/core/scheduler.hpp"
#include "sim/store/mail_store.hpp"
#include "sim/world/scenario_loader.hpp"
#include "sim/world/scenario_run.hpp"
#include "sim/world/world.hpp"

#ifndef MAILLAB_SOURCE_DIR
#error "MAILLAB_SOURCE_DIR must name the source tree (tests/CMakeLists.txt defines it)"
#endif

using namespace maillab;

namespace {

constexpr std::int64_t epoch = virtual_clock::default_epoch_us;
constexpr std::int64_t second = 1'000'000;
constexpr std::int64_t minute = 60 * second;

std::int64_t rel(const event* e) { return e->t_us - epoch; }

bool has_fields(const event& e, const nlohmann::json& match) {
    for (const auto& [key, want] : match.items()) {
        nlohmann::json have;
        if (key == "kind") have = std::string(to_string(e.kind));
        else if (key == "from") have = e.from;
        else if (key == "to") have = e.to;
        else if (key == "explain") have = e.explain;
        else if (key == "conn") have = e.conn;
        else if (e.fields.contains(key)) have = e.fields[key];
        else return false;
        if (have != want) return false;
    }
    return true;
}

// Runs the scenario text with the world driven by hand, so the trace and the final mail stores
// can both be read.
struct run_world {
    world::scenario s;
    virtual_clock clock;
    scheduler sched{clock};
    trace t{clock};
    world::world w{s, t, sched};
    explicit run_world(const std::string& text) : s(world::load_scenario_text("faults.json", text)) {
        w.run();
    }
    const std::vector<event>& events() const { return t.events(); }
    std::vector<const event*> all(const nlohmann::json& match) const {
        std::vector<const event*> out;
        for (const auto& e : t.events())
            if (has_fields(e, match)) out.push_back(&e);
        return out;
    }
    const event* first(const nlohmann::json& match) const {
        auto v = all(match);
        return v.empty() ? nullptr : v.front();
    }
    const mailbox* inbox(const std::string& user) const {
        const mail_store* store = w.store_for_domain(user.substr(user.find('@') + 1));
        return store ? store->find_mailbox(user, "INBOX") : nullptr;
    }
    std::size_t count(const std::string& user) const {
        const mailbox* box = inbox(user);
        return box ? box->messages.size() : 0;
    }
    // The rule's fault.applied notes.
    std::vector<const event*> notes_of(std::size_t rule) const {
        return all({{"kind", "note"},
                    {"explain", "fault.applied"},
                    {"rule", world::describe_fault(s.faults.at(rule))}});
    }
};

const char* const message_text = "line 1\nline 2\nline 3\nline 4\nline 5\nline 6\n";

// alice@a.example submits to mail.a.example, which relays to mx.b.example (bob and carol).
std::string scenario(const std::string& faults, const std::string& script,
                     const std::string& mx_extra = "", const std::string& relay = R"({"retry": ["1m"], "connect_timeout": "10s"})") {
    return R"({
  "maillab_scenario": 1,
  "title": "fault test",
  "hosts": [
    {"name": "pc", "roles": ["user_agent"]},
    {"name": "mail.a.example", "roles": ["submission", "mx", "imap"], "domains": ["a.example"]},
    {"name": "mx.b.example", "roles": ["mx", "imap"], "domains": ["b.example"])" +
           mx_extra + R"(}
  ],
  "users": [{"address": "alice@a.example", "password": "pw"},
            {"address": "bob@b.example", "password": "pw"},
            {"address": "carol@b.example", "password": "pw"}],
  "dns": {"mx": {"b.example": [{"preference": 10, "host": "mx.b.example"}]}},
  "relay": )" + relay + R"(,
  "faults": [
    )" + faults + R"(
  ],
  "script": [
    )" + script + R"(
  ]
})";
}

// A send step; `when` is "" or e.g. `"at": "3m", `.
std::string send(const std::string& to, const std::string& subject, const std::string& when = "") {
    nlohmann::json text = message_text;
    return R"({"do": "send", )" + when +
           R"("host": "pc", "server": "mail.a.example", "port": "submission", "user": "alice@a.example", "to": )" +
           to + R"(, "message": {"subject": ")" + subject + R"(", "text": )" + text.dump() +
           R"(, "message_id": "<)" + subject + R"(@a.example>"}})";
}

// Every message in b.example's mailboxes is complete (ends with the last line of the text).
void check_no_half_message(const run_world& run) {
    const mail_store* store = run.w.store_for_domain("b.example");
    REQUIRE(store);
    // Named references, not structured bindings: doctest's macros are lambdas, and clang before
    // 16 cannot capture a binding (the sanitizer build uses clang 14).
    for (const auto& user : store->users()) {
        const std::string& address = user.first;
        for (const auto& [name, box] : user.second.mailboxes)
            for (const auto& m : box.messages)
                CHECK_MESSAGE(m.bytes.ends_with("line 5\r\nline 6\r\n"), address << " " << m.bytes);
    }
}

std::vector<std::filesystem::path> scenario_files() {
    std::vector<std::filesystem::path> out;
    for (const auto& entry :
         std::filesystem::directory_iterator(std::filesystem::path(MAILLAB_SOURCE_DIR) / "scenarios"))
        if (entry.path().extension() == ".json") out.push_back(entry.path());
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace

TEST_CASE("fault reply: 452 to the 2nd RCPT defers that recipient, who is delivered on retry") {
    run_world run(scenario(
        R"({"name": "too many recipients", "host": "mx.b.example", "command": "RCPT", "nth": 2,
     "action": "reply", "reply": "452 4.5.3 Too many recipients"})",
        send(R"(["bob@b.example", "carol@b.example"])", "m1")));

    // The trace: the command the fault took, the note naming the rule, the reply it gave.
    auto taken = run.all({{"kind", "command"}, {"explain", "fault.command_taken"}});
    REQUIRE(taken.size() == 1);
    CHECK(taken[0]->text == "RCPT TO:<carol@b.example>");
    CHECK(taken[0]->from == "mail.a.example");
    CHECK(taken[0]->to == "mx.b.example");
    auto notes = run.notes_of(0);
    REQUIRE(notes.size() == 1);
    CHECK(notes[0]->conn == taken[0]->conn);
    CHECK(notes[0]->fields["action"] == "reply");
    CHECK(notes[0]->fields["defined_at"] == run.s.faults[0].where);
    CHECK(notes[0]->text.find("too many recipients") != std::string::npos);
    auto replies = run.all({{"kind", "reply"}, {"explain", "fault.reply"}});
    REQUIRE(replies.size() == 1);
    CHECK(replies[0]->text == "452 4.5.3 Too many recipients");
    CHECK(replies[0]->fields["code"] == 452);
    CHECK(replies[0]->from == "mx.b.example");
    CHECK(replies[0]->cause == taken[0]->seq);
    // The server itself never saw carol's RCPT on that connection.
    CHECK(run.all({{"kind", "command"}, {"verb", "RCPT"}, {"conn", taken[0]->conn}}).size() == 2);
    CHECK(run.all({{"kind", "command"}, {"explain", "smtp.cmd.RCPT"}, {"conn", taken[0]->conn}}).size() == 1);

    // The effect: bob now, carol deferred and delivered on the retry a minute later.
    auto delivered = run.all({{"kind", "queue"}, {"action", "delivered"}});
    REQUIRE(delivered.size() == 2);
    CHECK(delivered[0]->fields["delivered"] == nlohmann::json::array({"bob@b.example"}));
    CHECK(delivered[0]->fields["attempt"] == 1);
    CHECK(delivered[1]->fields["delivered"] == nlohmann::json::array({"carol@b.example"}));
    CHECK(delivered[1]->fields["attempt"] == 2);
    auto deferred = run.all({{"kind", "queue"}, {"action", "deferred"}});
    REQUIRE(deferred.size() == 1);
    CHECK(deferred[0]->fields["recipients"] == nlohmann::json::array({"carol@b.example"}));
    CHECK(deferred[0]->fields["last_error"] == "mx.b.example said: 452 4.5.3 Too many recipients");
    CHECK(delivered[1]->t_us - deferred[0]->t_us > minute);
    CHECK(run.count("bob@b.example") == 1);
    CHECK(run.count("carol@b.example") == 1);
    CHECK(run.all({{"kind", "queue"}, {"action", "bounce"}}).empty());
}

TEST_CASE("fault reply_and_close: 421 after the DATA text; not stored, retried, delivered once") {
    run_world run(scenario(
        R"({"name": "shutting down", "host": "mx.b.example", "command": ".", "nth": 1,
     "action": "reply_and_close", "reply": "421 4.3.0 Shutting down"})",
        send(R"(["bob@b.example", "carol@b.example"])", "m1")));

    auto taken = run.all({{"kind", "command"}, {"explain", "fault.command_taken"}});
    REQUIRE(taken.size() == 1);
    CHECK(taken[0]->text == ".");
    CHECK(taken[0]->fields["verb"] == ".");
    std::uint64_t conn = taken[0]->conn;
    auto notes = run.notes_of(0);
    REQUIRE(notes.size() == 1);
    CHECK(notes[0]->fields["action"] == "reply_and_close");
    CHECK(notes[0]->text.find("then closed the connection") != std::string::npos);
    const event* reply = run.first({{"kind", "reply"}, {"explain", "fault.reply"}});
    REQUIRE(reply);
    CHECK(reply->fields["code"] == 421);
    // The server closes; it never got the final "." and stored nothing on that connection.
    const event* closed = run.first({{"kind", "tcp"}, {"action", "close"}, {"conn", conn}});
    REQUIRE(closed);
    CHECK(closed->fields["by"] == "mx.b.example");
    CHECK(closed->seq > reply->seq);
    CHECK(run.all({{"kind", "store"}, {"conn", conn}}).empty());
    CHECK(run.first({{"explain", "smtp.note.dropped_in_data"}, {"conn", conn}}));

    auto deferred = run.all({{"kind", "queue"}, {"action", "deferred"}});
    REQUIRE(deferred.size() == 1);
    CHECK(deferred[0]->fields["recipients"] ==
          nlohmann::json::array({"bob@b.example", "carol@b.example"}));
    auto delivered = run.all({{"kind", "queue"}, {"action", "delivered"}});
    REQUIRE(delivered.size() == 1);
    CHECK(delivered[0]->fields["attempt"] == 2);
    CHECK(delivered[0]->fields["delivered"].size() == 2);
    // Exactly once in each mailbox.
    CHECK(run.count("bob@b.example") == 1);
    CHECK(run.count("carol@b.example") == 1);
    CHECK(run.all({{"kind", "store"}, {"action", "deliver"}, {"user", "bob@b.example"}}).size() == 1);
    check_no_half_message(run);
}

TEST_CASE("a deferral names the reply that failed the transaction, not a recipient's 250") {
    // After 421 to the final "." both recipients stay queued; the reason to show (and to put in
    // an expiry bounce) is the 421, not "250 2.1.5 Recipient OK".
    run_world run(scenario(
        R"({"host": "mx.b.example", "command": ".", "nth": 1, "action": "reply_and_close",
     "reply": "421 4.3.0 Shutting down"})",
        send(R"(["bob@b.example"])", "m1")));
    const event* deferred = run.first({{"kind", "queue"}, {"action", "deferred"}});
    REQUIRE(deferred);
    std::string last_error = deferred->fields["last_error"];
    CHECK_MESSAGE(last_error.find("421 4.3.0 Shutting down") != std::string::npos, last_error);
    CHECK_MESSAGE(last_error.find("Recipient OK") == std::string::npos, last_error);
}

TEST_CASE("fault close at MAIL: the connection ends without an answer; retried and delivered") {
    run_world run(scenario(
        R"({"name": "crash at MAIL", "host": "mx.b.example", "command": "MAIL", "nth": 1, "action": "close"})",
        send(R"(["bob@b.example"])", "m1")));
    auto taken = run.all({{"kind", "command"}, {"explain", "fault.command_taken"}});
    REQUIRE(taken.size() == 1);
    CHECK(taken[0]->fields["verb"] == "MAIL");
    std::uint64_t conn = taken[0]->conn;
    auto notes = run.notes_of(0);
    REQUIRE(notes.size() == 1);
    CHECK(notes[0]->fields["action"] == "close");
    CHECK(notes[0]->text.find("closed the connection instead of answering") != std::string::npos);
    // No answer to MAIL (nor to the RCPT and DATA pipelined behind it) on that connection.
    CHECK(run.all({{"kind", "reply"}, {"explain", "fault.reply"}}).empty());
    for (const auto* r : run.all({{"kind", "reply"}, {"conn", conn}}))
        CHECK(r->seq < taken[0]->seq);
    CHECK(run.all({{"kind", "command"}, {"explain", "smtp.cmd.RCPT"}, {"conn", conn}}).empty());
    const event* closed = run.first({{"kind", "tcp"}, {"action", "close"}, {"conn", conn}});
    REQUIRE(closed);
    CHECK(closed->fields["by"] == "mx.b.example");

    const event* deferred = run.first({{"kind", "queue"}, {"action", "deferred"}});
    REQUIRE(deferred);
    CHECK(deferred->fields["last_error"] == "mx.b.example: connection lost");
    const event* delivered = run.first({{"kind", "queue"}, {"action", "delivered"}});
    REQUIRE(delivered);
    CHECK(delivered->fields["attempt"] == 2);
    CHECK(run.count("bob@b.example") == 1);
}

TEST_CASE("fault reply 451 to a pipelined MAIL: the mail is deferred, not bounced") {
    // With PIPELINING the RCPT and DATA sent behind a refused MAIL get 503 (bad sequence); those
    // replies say nothing about the recipients. A 4xx to MAIL is temporary: retry later.
    run_world run(scenario(
        R"({"name": "busy", "host": "mx.b.example", "command": "MAIL", "nth": 1,
     "action": "reply", "reply": "451 4.3.0 Try again later"})",
        send(R"(["bob@b.example"])", "m1")));
    REQUIRE(run.notes_of(0).size() == 1);
    const event* reply = run.first({{"kind", "reply"}, {"explain", "fault.reply"}});
    REQUIRE(reply);
    CHECK(reply->fields["code"] == 451);
    CHECK(run.all({{"kind", "queue"}, {"action", "bounce"}}).empty());
    CHECK(run.count("alice@a.example") == 0);
    const event* deferred = run.first({{"kind", "queue"}, {"action", "deferred"}});
    REQUIRE(deferred);
    CHECK(deferred->fields["last_error"].get<std::string>().find("451") != std::string::npos);
    CHECK(run.count("bob@b.example") == 1);
}

TEST_CASE("fault drop_data (lines: 3): the message is not stored, nothing half is, and it is retried") {
    run_world run(scenario(
        R"({"name": "cable cut", "host": "mx.b.example", "action": "drop_data", "lines": 3, "nth": 1})",
        send(R"(["bob@b.example", "carol@b.example"])", "m1")));
    auto notes = run.notes_of(0);
    REQUIRE(notes.size() == 1);
    CHECK(notes[0]->fields["action"] == "drop_data");
    CHECK(notes[0]->text.find("after 3 line(s) of the DATA text") != std::string::npos);
    std::uint64_t conn = notes[0]->conn;
    CHECK(run.all({{"kind", "store"}, {"conn", conn}}).empty());
    CHECK(run.all({{"kind", "data"}, {"conn", conn}}).empty());  // no complete DATA text

    // The server got exactly the first three lines of the text the relay sent.
    const event* queued = run.first({{"kind", "queue"}, {"action", "enqueue"}});
    REQUIRE(queued);
    REQUIRE(queued->raw);
    std::size_t three_lines = 0;
    for (int i = 0; i < 3; ++i) three_lines = queued->raw->find("\r\n", three_lines) + 2;
    const event* lost = run.first({{"explain", "smtp.note.dropped_in_data"}, {"conn", conn}});
    REQUIRE(lost);
    CHECK(lost->fields["size"] == three_lines);

    const event* deferred = run.first({{"kind", "queue"}, {"action", "deferred"}});
    REQUIRE(deferred);
    CHECK(deferred->fields["recipients"].size() == 2);
    CHECK(deferred->fields["last_error"] == "mx.b.example: connection lost");
    const event* delivered = run.first({{"kind", "queue"}, {"action", "delivered"}});
    REQUIRE(delivered);
    CHECK(delivered->fields["attempt"] == 2);
    CHECK(run.count("bob@b.example") == 1);
    CHECK(run.count("carol@b.example") == 1);
    check_no_half_message(run);
}

TEST_CASE("fault drop_data with nth: 2 cuts the second DATA text on the host, not the first") {
    run_world run(scenario(
        R"({"name": "second transfer cut", "host": "mx.b.example", "action": "drop_data", "lines": 3, "nth": 2})",
        send(R"(["bob@b.example"])", "m1") + ",\n    " +
            send(R"(["bob@b.example"])", "m2", R"("at": "10m", )")));
    auto notes = run.notes_of(0);
    REQUIRE(notes.size() == 1);
    CHECK(rel(notes[0]) >= 10 * minute);  // on m2's relay, not m1's
    auto deferred = run.all({{"kind", "queue"}, {"action", "deferred"}});
    REQUIRE(deferred.size() == 1);
    CHECK(deferred[0]->fields["message_id"] == "<m2@a.example>");
    CHECK(run.count("bob@b.example") == 2);
    check_no_half_message(run);
}

TEST_CASE("fault drop_data honours its until window") {
    run_world run(scenario(
        R"({"name": "flaky link", "host": "mx.b.example", "action": "drop_data", "lines": 3, "until": "3m"})",
        send(R"(["bob@b.example"])", "m1")));
    // Attempts at 0, 1, 2 and 3 minutes (and some ms): the first three inside the window.
    auto notes = run.notes_of(0);
    CHECK(notes.size() == 3);
    auto late = std::count_if(notes.begin(), notes.end(),
                              [](const event* n) { return rel(n) >= 3 * minute; });
    CHECK_MESSAGE(late == 0, "the rule still cut DATA texts after its until (3m)");
    CHECK(run.all({{"kind", "queue"}, {"action", "expired"}}).empty());
    const event* delivered = run.first({{"kind", "queue"}, {"action", "delivered"}});
    REQUIRE(delivered);
    CHECK(delivered->fields["attempt"] == 4);
    CHECK(run.count("bob@b.example") == 1);
}

TEST_CASE("fault fail_tls: the handshake fails, then the relay goes without STARTTLS") {
    run_world run(scenario(
        R"({"name": "broken certificate", "host": "mx.b.example", "proto": "smtp", "action": "fail_tls"})",
        send(R"(["bob@b.example"])", "m1"), R"(, "tls": true)"));
    auto notes = run.notes_of(0);
    REQUIRE(notes.size() >= 1);
    CHECK(notes[0]->fields["action"] == "fail_tls");
    CHECK(notes[0]->from == "mx.b.example");
    std::uint64_t first_conn = notes[0]->conn;

    // The first connection: STARTTLS offered and accepted, then the handshake fails.
    CHECK(run.first({{"kind", "command"}, {"verb", "STARTTLS"}, {"conn", first_conn}}));
    const event* failed = run.first({{"kind", "tls"}, {"phase", "failed"}, {"from", "mx.b.example"}});
    REQUIRE(failed);
    CHECK(failed->conn == first_conn);
    CHECK(failed->fields["reason"].get<std::string>().find("broken certificate") != std::string::npos);
    CHECK(run.all({{"kind", "tls"}, {"phase", "established"}}).empty());
    CHECK(run.all({{"kind", "store"}, {"conn", first_conn}}).empty());
    const event* deferred = run.first({{"kind", "queue"}, {"action", "deferred"}});
    REQUIRE(deferred);
    CHECK(deferred->fields["last_error"] == "mx.b.example: TLS handshake failed");

    // The retry: announced as a plaintext fallback, no STARTTLS, delivered.
    const event* fallback = run.first({{"kind", "queue"}, {"action", "plaintext_fallback"}});
    REQUIRE(fallback);
    CHECK(fallback->fields["mx"] == "mx.b.example");
    CHECK(fallback->fields["attempt"] == 2);
    auto starttls = run.all({{"kind", "command"}, {"verb", "STARTTLS"}});
    CHECK(starttls.size() == 1);
    const event* delivered = run.first({{"kind", "queue"}, {"action", "delivered"}});
    REQUIRE(delivered);
    CHECK(delivered->fields["attempt"] == 2);
    CHECK(delivered->seq > fallback->seq);
    CHECK(run.count("bob@b.example") == 1);
}

TEST_CASE("fault unreachable with a from/until window") {
    run_world run(scenario(
        R"({"name": "maintenance", "host": "mx.b.example", "action": "unreachable", "from": "2m", "until": "6m"})",
        send(R"(["bob@b.example"])", "m1") + ",\n    " +
            send(R"(["bob@b.example"])", "m2", R"("at": "3m", )") + ",\n    " +
            send(R"(["bob@b.example"])", "m3", R"("at": "20m", )")));
    // Every connection attempt inside the window gets the note; none outside it.
    auto notes = run.notes_of(0);
    REQUIRE(notes.size() == 3);
    for (const auto* n : notes) {
        CHECK(rel(n) >= 2 * minute);
        CHECK(rel(n) < 6 * minute);
        CHECK(n->fields["action"] == "unreachable");
        // ... on the connection whose connect then fails after the 10 s timeout.
        const event* failed = run.first({{"kind", "tcp"}, {"action", "connect_failed"}, {"conn", n->conn}});
        REQUIRE(failed);
        CHECK(failed->t_us - n->t_us == 10 * second);
    }
    // m1 (before the window) and m3 (after it) go through at once; m2 waits for the window's end.
    auto delivered = run.all({{"kind", "queue"}, {"action", "delivered"}});
    REQUIRE(delivered.size() == 3);
    CHECK(delivered[0]->fields["message_id"] == "<m1@a.example>");
    CHECK(delivered[0]->fields["attempt"] == 1);
    CHECK(rel(delivered[0]) < 2 * minute);
    CHECK(delivered[1]->fields["message_id"] == "<m2@a.example>");
    CHECK(delivered[1]->fields["attempt"] == 4);  // 3:00, 4:10, 5:20 fail; 6:30 works
    CHECK(rel(delivered[1]) >= 6 * minute);
    CHECK(delivered[2]->fields["message_id"] == "<m3@a.example>");
    CHECK(delivered[2]->fields["attempt"] == 1);
    CHECK(run.count("bob@b.example") == 3);
}

TEST_CASE("fault mailbox_full: 452 4.2.2 until the window ends, then delivered") {
    run_world run(scenario(
        R"({"name": "carol is over quota", "host": "mx.b.example", "action": "mailbox_full",
     "user": "carol@b.example", "until": "3m"})",
        send(R"(["bob@b.example", "carol@b.example"])", "m1")));
    auto replies = run.all({{"kind", "reply"}, {"explain", "fault.reply"}});
    REQUIRE(replies.size() >= 1);
    for (const auto* r : replies) {
        CHECK(r->fields["code"] == 452);
        CHECK(r->text == "452 4.2.2 <carol@b.example>: mailbox full, try again later");
        CHECK(rel(r) < 3 * minute);
    }
    // Only carol's RCPT is taken.
    for (const auto* c : run.all({{"kind", "command"}, {"explain", "fault.command_taken"}}))
        CHECK(c->text == "RCPT TO:<carol@b.example>");
    CHECK(run.notes_of(0).size() == replies.size());
    auto delivered = run.all({{"kind", "queue"}, {"action", "delivered"}});
    REQUIRE(delivered.size() == 2);
    CHECK(delivered[0]->fields["delivered"] == nlohmann::json::array({"bob@b.example"}));
    CHECK(delivered[1]->fields["delivered"] == nlohmann::json::array({"carol@b.example"}));
    CHECK(rel(delivered[1]) >= 3 * minute);
    for (const auto* d : run.all({{"kind", "queue"}, {"action", "deferred"}}))
        CHECK(d->fields["last_error"].get<std::string>().find("452 4.2.2") != std::string::npos);
    CHECK(run.all({{"kind", "queue"}, {"action", "bounce"}}).empty());
    CHECK(run.count("bob@b.example") == 1);
    CHECK(run.count("carol@b.example") == 1);
}

TEST_CASE("fault mailbox_full, permanent: 552 5.2.2 and a bounce") {
    run_world run(scenario(
        R"({"name": "carol's mailbox is closed", "host": "mx.b.example", "action": "mailbox_full",
     "user": "carol@b.example", "permanent": true})",
        send(R"(["bob@b.example", "carol@b.example"])", "m1")));
    const event* reply = run.first({{"kind", "reply"}, {"explain", "fault.reply"}});
    REQUIRE(reply);
    CHECK(reply->fields["code"] == 552);
    CHECK(reply->text == "552 5.2.2 <carol@b.example>: mailbox full");
    CHECK(run.all({{"kind", "queue"}, {"action", "deferred"}}).empty());
    const event* bounce = run.first({{"kind", "queue"}, {"action", "bounce"}});
    REQUIRE(bounce);
    REQUIRE(bounce->fields["failed"].size() == 1);
    CHECK(bounce->fields["failed"][0]["recipient"] == "carol@b.example");
    CHECK(bounce->fields["failed"][0]["status"] == "5.2.2");
    CHECK(run.count("bob@b.example") == 1);
    CHECK(run.count("carol@b.example") == 0);
    REQUIRE(run.count("alice@a.example") == 1);
    CHECK(run.inbox("alice@a.example")->messages[0].bytes.find("Status: 5.2.2\r\n") != std::string::npos);
}

TEST_CASE("nth counts matches across connections to the host") {
    // Three mails, each relayed on its own connection with one RCPT: the host's 2nd RCPT is the
    // one of the second mail.
    run_world run(scenario(
        R"({"host": "mx.b.example", "command": "RCPT", "nth": 2, "action": "reply", "reply": "452 4.3.1 Out of memory"})",
        send(R"(["bob@b.example"])", "m1") + ",\n    " +
            send(R"(["bob@b.example"])", "m2", R"("at": "5m", )") + ",\n    " +
            send(R"(["bob@b.example"])", "m3", R"("at": "20m", )")));
    auto notes = run.notes_of(0);
    REQUIRE(notes.size() == 1);
    CHECK(notes[0]->fields["rule"] == "reply \"452 4.3.1 Out of memory\" to the 2nd RCPT on mx.b.example");
    CHECK(rel(notes[0]) >= 5 * minute);
    CHECK(rel(notes[0]) < 6 * minute);
    auto deferred = run.all({{"kind", "queue"}, {"action", "deferred"}});
    REQUIRE(deferred.size() == 1);
    CHECK(deferred[0]->fields["message_id"] == "<m2@a.example>");
    // The retry is the host's 3rd RCPT: it passes. So does m3's.
    auto delivered = run.all({{"kind", "queue"}, {"action", "delivered"}});
    REQUIRE(delivered.size() == 3);
    CHECK(run.count("bob@b.example") == 3);
    // Four RCPTs reached mx.b.example; three of them the server itself.
    CHECK(run.all({{"kind", "command"}, {"verb", "RCPT"}, {"to", "mx.b.example"}}).size() == 4);
    CHECK(run.all({{"kind", "command"}, {"explain", "smtp.cmd.RCPT"}, {"to", "mx.b.example"}}).size() == 3);
}

TEST_CASE("every applied fault leaves a fault.applied note naming its rule and where it is defined") {
    run_world run(scenario(
        R"({"name": "mx down a while", "host": "mx.b.example", "action": "unreachable", "until": "30s"},
    {"host": "mx.b.example", "command": "RCPT", "argument_contains": "CAROL@", "nth": 1, "action": "reply",
     "reply": "450 4.2.1 Try later"},
    {"name": "cut", "host": "mx.b.example", "action": "drop_data", "lines": 2, "nth": 1},
    {"name": "421 at end", "host": "mx.b.example", "command": ".", "nth": 2, "action": "reply_and_close",
     "reply": "421 4.4.2 Bye"},
    {"name": "full", "host": "mx.b.example", "action": "mailbox_full", "user": "bob@b.example", "until": "5m"},
    {"name": "tls broken", "host": "mx.b.example", "action": "fail_tls"},
    {"name": "never", "host": "mx.b.example", "command": "VRFY", "action": "close"})",
        send(R"(["bob@b.example", "carol@b.example"])", "m1"), R"(, "tls": true)",
        R"({"retry": ["1m"], "connect_timeout": "10s", "give_up_after": "1h"})"));
    // Every rule but the last one applied at least once, each note with its rule's action and
    // the place it is defined.
    for (std::size_t i = 0; i < run.s.faults.size(); ++i) {
        const auto& rule = run.s.faults[i];
        auto notes = run.notes_of(i);
        CAPTURE(world::describe_fault(rule));
        if (i + 1 == run.s.faults.size()) {
            CHECK(notes.empty());
            continue;
        }
        CHECK_FALSE(notes.empty());
        for (const auto* n : notes) {
            CHECK(n->fields["action"] == std::string(world::to_string(rule.action)));
            CHECK(n->fields["defined_at"] == rule.where);
            CHECK(n->text.find("scripted fault (" + world::describe_fault(rule) + ")") == 0);
        }
    }
    CHECK(run.s.faults[1].where == "faults.json:16:5");
    // No note names something that is not a rule.
    std::vector<std::string> names;
    for (const auto& r : run.s.faults) names.push_back(world::describe_fault(r));
    for (const auto* n : run.all({{"kind", "note"}, {"explain", "fault.applied"}}))
        CHECK(std::find(names.begin(), names.end(), n->fields["rule"].get<std::string>()) != names.end());
    // Whatever a fault did is on a connection that has the note.
    auto noted = [&](std::uint64_t conn) {
        return !run.all({{"kind", "note"}, {"explain", "fault.applied"}, {"conn", conn}}).empty();
    };
    for (const auto* e : run.all({{"explain", "fault.command_taken"}})) CHECK(noted(e->conn));
    for (const auto* e : run.all({{"explain", "fault.reply"}})) CHECK(noted(e->conn));
    for (const auto* e : run.all({{"kind", "tcp"}, {"action", "connect_failed"}})) CHECK(noted(e->conn));
    for (const auto* e : run.all({{"kind", "tls"}, {"phase", "failed"}, {"from", "mx.b.example"}}))
        CHECK(noted(e->conn));
    for (const auto* e : run.all({{"explain", "smtp.note.dropped_in_data"}})) CHECK(noted(e->conn));
    // In the end everything got through, once.
    CHECK(run.count("bob@b.example") == 1);
    CHECK(run.count("carol@b.example") == 1);
    check_no_half_message(run);
}

TEST_CASE("describe_fault: a rule without a name is described from its fields") {
    world::fault_rule r;
    r.host = "mx.b.example";
    r.command = "RCPT";
    r.reply = "452 4.5.3 Too many recipients";
    CHECK(world::describe_fault(r) == "reply \"452 4.5.3 Too many recipients\" to every RCPT on mx.b.example");
    std::vector<std::pair<std::uint32_t, std::string>> ordinals = {
        {1, "1st"},   {2, "2nd"},   {3, "3rd"},   {4, "4th"},   {11, "11th"},  {12, "12th"},
        {13, "13th"}, {21, "21st"}, {22, "22nd"}, {23, "23rd"}, {111, "111th"}, {102, "102nd"}};
    for (const auto& [n, word] : ordinals) {
        r.nth = n;
        CHECK(world::describe_fault(r) == "reply \"452 4.5.3 Too many recipients\" to the " + word +
                                              " RCPT on mx.b.example");
    }
    r.nth = 0;
    r.argument_contains = "carol";
    r.action = world::fault_action::close;
    r.from_us = 120 * second;
    r.until_us = 360 * second;
    CHECK(world::describe_fault(r) ==
          "close the connection at every RCPT naming \"carol\" on mx.b.example (from 120 s until 360 s)");
    world::fault_rule full;
    full.host = "mx.b.example";
    full.action = world::fault_action::mailbox_full;
    full.user = "carol@b.example";
    full.permanent = true;
    CHECK(world::describe_fault(full) == "mailbox of carol@b.example is full (552 5.2.2) on mx.b.example");
    full.name = "quota";
    CHECK(world::describe_fault(full) == "quota");
}

TEST_CASE("fault_injector::applies: only rules that act on commands of this host and protocol") {
    auto rule = [](std::string host, world::fault_action action, std::string proto = "") {
        world::fault_rule r;
        r.host = std::move(host);
        r.action = action;
        r.proto = std::move(proto);
        r.command = "RCPT";
        return r;
    };
    using world::fault_action;
    using world::fault_injector;
    CHECK_FALSE(fault_injector::applies({}, "mx.b.example", "smtp"));
    CHECK_FALSE(fault_injector::applies({rule("mx.c.example", fault_action::reply)}, "mx.b.example", "smtp"));
    // unreachable and fail_tls act on the connection, not on commands: no wrapper.
    CHECK_FALSE(fault_injector::applies({rule("mx.b.example", fault_action::unreachable),
                                         rule("mx.b.example", fault_action::fail_tls)},
                                        "mx.b.example", "smtp"));
    CHECK_FALSE(fault_injector::applies({rule("mx.b.example", fault_action::reply, "pop3")},
                                        "mx.b.example", "smtp"));
    CHECK(fault_injector::applies({rule("mx.b.example", fault_action::reply, "pop3")}, "mx.b.example", "pop3"));
    CHECK(fault_injector::applies({rule("mx.b.example", fault_action::close)}, "mx.b.example", "imap"));
    CHECK(fault_injector::applies({rule("mx.b.example", fault_action::drop_data, "smtp")},
                                  "mx.b.example", "smtp"));
    CHECK(fault_injector::applies({rule("mx.b.example", fault_action::mailbox_full, "smtp")},
                                  "mx.b.example", "smtp"));
}

TEST_CASE("fault rules that do not apply leave the trace exactly as without them") {
    std::string path = std::string(MAILLAB_SOURCE_DIR) + "/scenarios/classic.json";
    world::scenario plain = world::load_scenario_file(path);
    REQUIRE(plain.faults.empty());
    world::scenario_result base = world::run_scenario(plain);
    REQUIRE(base.passed);
    for (const auto& e : base.events) CHECK(e.explain.rfind("fault.", 0) != 0);

    auto with = [&](std::vector<world::fault_rule> rules) {
        world::scenario s = plain;
        s.faults = std::move(rules);
        return world::run_scenario(s);
    };
    auto rule = [](std::string host, world::fault_action action, std::string proto, std::string command) {
        world::fault_rule r;
        r.host = std::move(host);
        r.action = action;
        r.proto = std::move(proto);
        r.command = std::move(command);
        r.reply = "554 5.0.0 no";
        r.where = "test";
        return r;
    };
    using world::fault_action;
    SUBCASE("rules for which fault_injector::applies is false: no wrapper at all") {
        std::vector<world::fault_rule> rules = {
            rule("pc.alice", fault_action::reply, "smtp", "MAIL"),         // a user agent
            rule("mail.b.example", fault_action::reply, "imap", "LOGIN"),  // not used here
            rule("mail.b.example", fault_action::fail_tls, "smtp", ""),    // no TLS host
        };
        rules.push_back(rule("mail.b.example", fault_action::unreachable, "", ""));
        rules.back().from_us = 10 * 3600 * second;  // long after the end
        for (const auto& r : rules)
            CHECK_FALSE(world::fault_injector::applies({r}, "mail.a.example", "smtp"));
        world::scenario_result r = with(rules);
        CHECK(r.passed);
        CHECK(r.events == base.events);
    }
    SUBCASE("rules that wrap every server session but never match are invisible") {
        world::scenario_result r = with({rule("mail.a.example", fault_action::reply, "", "VRFY"),
                                         rule("mail.b.example", fault_action::close, "", "EXPN")});
        CHECK(r.passed);
        CHECK(r.events == base.events);
    }
    SUBCASE("and a rule that matches does change it") {
        world::scenario_result r = with({rule("mail.b.example", fault_action::reply, "pop3", "USER")});
        CHECK(r.events != base.events);
    }
}

TEST_CASE("every scenario runs the same twice and meets its expectations") {
    auto files = scenario_files();
    REQUIRE(files.size() >= 7);
    for (const auto& path : files) {
        CAPTURE(path.filename().string());
        world::scenario s = world::load_scenario_file(path.string());
        world::scenario_result first = world::run_scenario(s);
        world::scenario_result second = world::run_scenario(s);
        CHECK(first.passed);
        CHECK(first.all_steps_finished);
        for (const auto& e : first.expectations)
            CHECK_MESSAGE(e.passed, e.summary << " -- found " << e.found);
        REQUIRE(first.events.size() > 20);
        CHECK(first.events.size() == second.events.size());
        CHECK(first.events == second.events);
        CHECK(first.header == second.header);
        CHECK(first.events.front().t_us == epoch);
        // seq numbers count up from 1 and time never goes backwards.
        bool in_order = true;
        for (std::size_t i = 0; i < first.events.size(); ++i) {
            in_order &= first.events[i].seq == i + 1;
            if (i) in_order &= first.events[i].t_us >= first.events[i - 1].t_us;
        }
        CHECK(in_order);
    }
}
