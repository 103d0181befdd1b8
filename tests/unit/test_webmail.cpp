// The webmail in small simulated worlds, end to end through the real engines: the simulated
// browser speaks HTTP to the webmail app, which speaks IMAP and SMTP submission to real servers,
// which relay through DNS to the other provider. Checked: the whole path and its trace (every
// leg tied to the HTTP request it serves), CSRF refusal, header injection, wrong passwords,
// session expiry, the Sent copy, delete to Trash, and the attachment byte for byte.
#include <doctest/doctest.h>

#include <string>

#include "sim/core/clock.hpp"
#include "sim/core/scheduler.hpp"
#include "sim/store/mail_store.hpp"
#include "sim/world/scenario_loader.hpp"
#include "sim/world/scenario_run.hpp"
#include "sim/world/world.hpp"

using namespace maillab;

namespace {

// Two providers, each with a mail server and a webmail; alice and bob each have a browser.
std::string webmail_world(const std::string& script) {
    return R"({
  "maillab_scenario": 1,
  "title": "webmail test",
  "hosts": [
    {"name": "pc.alice", "roles": ["browser"]},
    {"name": "pc.bob", "roles": ["browser"]},
    {"name": "ua.mallory", "roles": ["user_agent"]},
    {"name": "webmail.a.example", "roles": ["webmail"], "imap_server": "mail.a.example", "submission_server": "mail.a.example"},
    {"name": "mail.a.example", "roles": ["submission", "mx", "imap"], "domains": ["a.example"]},
    {"name": "mail.b.example", "roles": ["submission", "mx", "imap"], "domains": ["b.example"]},
    {"name": "webmail.b.example", "roles": ["webmail"], "imap_server": "mail.b.example", "submission_server": "mail.b.example"}
  ],
  "users": [{"address": "alice@a.example", "password": "alice-pw"},
            {"address": "bob@b.example", "password": "bob-pw"}],
  "dns": {"mx": {"b.example": [{"preference": 10, "host": "mail.b.example"}]}},
  "script": [)" + script + R"(]
})";
}

const char* alice_sends = R"(
    {"do": "web", "host": "pc.alice", "server": "webmail.a.example", "user": "alice@a.example",
     "steps": ["login", {"send": {"to": "bob@b.example", "subject": "Data 数据",
       "text": "Hi Bob,\nthe data.\n",
       "attachments": [{"filename": "data.bin", "content_type": "application/octet-stream",
                        "base64": "AAECA/8gDQoNCi4NCg=="}]}}, "logout"]})";

struct run {
    world::scenario s;
    virtual_clock clock;
    scheduler sched{clock};
    trace t{clock};
    world::world w{s, t, sched};
    explicit run(const std::string& script)
        : s(world::load_scenario_text("webmail.json", webmail_world(script))) {
        w.run();
    }
    std::size_t count(const std::string& user, const std::string& folder = "INBOX") const {
        const mail_store* store = w.store_for_domain(user.substr(user.find('@') + 1));
        const mailbox* box = store ? store->find_mailbox(user, folder) : nullptr;
        return box ? box->messages.size() : 0;
    }
    std::vector<event> notes(const std::string& explain) const {
        std::vector<event> out;
        for (const auto& e : t.events())
            if (e.explain == explain) out.push_back(e);
        return out;
    }
    const event* by_seq(std::uint64_t seq) const {
        for (const auto& e : t.events())
            if (e.seq == seq) return &e;
        return nullptr;
    }
};

}  // namespace

TEST_CASE("webmail: alice's browser to bob's browser, the attachment byte for byte") {
    run r(std::string(alice_sends) + R"(,
    {"do": "web", "after": "1m", "host": "pc.bob", "server": "webmail.b.example", "user": "bob@b.example",
     "steps": ["login", {"read": "Data"}, {"download": "data.bin"}, "mark_unread", "logout"]})");
    REQUIRE(r.w.outcomes().size() == 2);
    CHECK_MESSAGE(r.w.outcomes()[0].succeeded, r.w.outcomes()[0].summary);
    CHECK_MESSAGE(r.w.outcomes()[1].succeeded, r.w.outcomes()[1].summary);
    CHECK(r.count("bob@b.example") == 1);
    CHECK(r.count("alice@a.example", "Sent") == 1);
    REQUIRE(r.w.downloads().size() == 1);
    CHECK(r.w.downloads()[0].first == "pc.bob");
    CHECK(r.w.downloads()[0].second.filename == "data.bin");
    CHECK(r.w.downloads()[0].second.bytes == std::string("\x00\x01\x02\x03\xff \r\n\r\n.\r\n", 13));

    // The mark_unread step took \Seen away again after reading set it.
    const mail_store* store = r.w.store_for_domain("b.example");
    const mailbox* inbox = store->find_mailbox("bob@b.example", "INBOX");
    CHECK_FALSE(inbox->messages.front().flags.count("\\Seen"));

    // Every IMAP leg points at a note that points at the HTTP request it serves.
    auto legs = r.notes("webmail.leg.imap");
    CHECK(legs.size() >= 6);
    for (const auto& leg : legs) {
        REQUIRE(leg.cause);
        const event* request = r.by_seq(*leg.cause);
        REQUIRE(request);
        CHECK(request->kind == event_kind::http);
        CHECK(request->fields.value("direction", "") == "request");
    }
    bool imap_tied = false, smtp_tied = false;
    for (const auto& e : r.t.events()) {
        if (e.kind != event_kind::tcp || !e.cause) continue;
        const event* cause = r.by_seq(*e.cause);
        if (!cause) continue;
        if (cause->explain == "webmail.leg.imap" && e.text.find("port 143") != std::string::npos)
            imap_tied = true;
        if (cause->explain == "webmail.leg.smtp" && e.text.find("port 587") != std::string::npos)
            smtp_tied = true;
    }
    CHECK(imap_tied);
    CHECK(smtp_tied);
    CHECK(r.notes("webmail.login.ok").size() == 2);
    CHECK(r.notes("webmail.compose.sent").size() == 1);
    CHECK(r.notes("webmail.attachment.download").size() == 1);
    CHECK(r.notes("dns.query.mx").size() >= 1);
}

TEST_CASE("webmail: a form posted without the CSRF token is refused with 403, no mail goes out") {
    run r(R"(
    {"do": "web", "host": "pc.alice", "server": "webmail.a.example", "user": "alice@a.example",
     "steps": ["login", {"send": {"to": "bob@b.example", "subject": "forged", "text": "x", "forged": true}}]})");
    CHECK_FALSE(r.w.outcomes()[0].succeeded);
    CHECK(r.w.outcomes()[0].summary.find("403") != std::string::npos);
    CHECK(r.notes("webmail.csrf.refused").size() == 1);
    CHECK(r.notes("webmail.leg.smtp").empty());
    CHECK(r.count("bob@b.example") == 0);
}

TEST_CASE("webmail: CR or LF in a header field from the form is refused with 400") {
    for (const char* field : {"subject", "to"}) {
        CAPTURE(field);
        std::string value = std::string(field) == "to" ? "bob@b.example\\r\\nBcc: eve@a.example"
                                                       : "Hello\\r\\nBcc: eve@a.example";
        std::string subject = std::string(field) == "subject" ? value : "plain";
        std::string to = std::string(field) == "to" ? value : "bob@b.example";
        run r(R"(
    {"do": "web", "host": "pc.alice", "server": "webmail.a.example", "user": "alice@a.example",
     "steps": ["login", {"send": {"to": ")" + to + R"(", "subject": ")" + subject + R"(", "text": "x"}}]})");
        CHECK_FALSE(r.w.outcomes()[0].succeeded);
        CHECK(r.w.outcomes()[0].summary.find("400") != std::string::npos);
        auto refused = r.notes("webmail.header_injection.refused");
        REQUIRE(refused.size() == 1);
        CHECK(refused[0].fields.value("field", "") == field);
        CHECK(r.notes("webmail.leg.smtp").empty());
        CHECK(r.count("bob@b.example") == 0);
        CHECK(r.count("eve@a.example") == 0);
    }
}

TEST_CASE("webmail: a wrong password does not log in") {
    run r(R"(
    {"do": "web", "host": "pc.alice", "server": "webmail.a.example", "user": "alice@a.example",
     "password": "guess", "steps": ["login"]})");
    CHECK_FALSE(r.w.outcomes()[0].succeeded);
    CHECK(r.notes("webmail.login.failed").size() == 1);
    CHECK(r.notes("webmail.login.ok").empty());
}

TEST_CASE("webmail: a session ends after 30 minutes without a request") {
    run r(R"(
    {"do": "web", "host": "pc.alice", "server": "webmail.a.example", "user": "alice@a.example",
     "steps": ["login"]},
    {"do": "web", "after": "10m", "host": "pc.alice", "server": "webmail.a.example", "user": "alice@a.example",
     "steps": ["inbox"]},
    {"do": "web", "after": "31m", "host": "pc.alice", "server": "webmail.a.example", "user": "alice@a.example",
     "steps": ["inbox"]})");
    CHECK(r.w.outcomes()[0].succeeded);
    CHECK_MESSAGE(r.w.outcomes()[1].succeeded, "10 minutes later the cookie still works");
    CHECK_FALSE(r.w.outcomes()[2].succeeded);
    CHECK(r.notes("webmail.session.expired").size() == 1);
}

TEST_CASE("webmail: delete moves the mail to Trash; the HTML of a mail is sanitized") {
    run r(R"(
    {"do": "send", "host": "ua.mallory", "server": "mail.b.example", "port": "smtp", "mail_from": "m@evil.example",
     "to": ["bob@b.example"], "message": {"subject": "Prize", "text": "You won",
       "html": "<p onclick=\"steal()\">You won</p><script>steal()</script><a href=\"javascript:steal()\">claim</a>"}},
    {"do": "web", "host": "pc.bob", "server": "webmail.b.example", "user": "bob@b.example",
     "steps": ["login", {"read": "Prize"}, "delete", "logout"]})");
    CHECK_MESSAGE(r.w.outcomes()[1].succeeded, r.w.outcomes()[1].summary);
    auto sanitized = r.notes("webmail.html.sanitized");
    REQUIRE(sanitized.size() == 1);
    std::string removed = sanitized[0].fields["removed"].dump();
    CHECK(removed.find("script") != std::string::npos);
    CHECK(removed.find("onclick") != std::string::npos);
    CHECK(removed.find("javascript:") != std::string::npos);
    CHECK(r.count("bob@b.example") == 0);
    CHECK(r.count("bob@b.example", "Trash") == 1);
}

TEST_CASE("webmail scenario steps: mistakes are reported with their place") {
    auto error_of = [](const std::string& script) {
        try {
            world::load_scenario_text("webmail.json", webmail_world(script));
        } catch (const std::exception& e) {
            return std::string(e.what());
        }
        return std::string();
    };
    CHECK(error_of(R"({"do": "web", "host": "ua.mallory", "server": "webmail.a.example", "user": "alice@a.example", "steps": ["login"]})")
              .find("is not a browser") != std::string::npos);
    CHECK(error_of(R"({"do": "web", "host": "pc.alice", "server": "mail.a.example", "user": "alice@a.example", "steps": ["login"]})")
              .find("has no \"webmail\" role") != std::string::npos);
    CHECK(error_of(R"({"do": "web", "host": "pc.alice", "server": "webmail.a.example", "user": "alice@a.example", "steps": ["fly"]})")
              .find("webmail.json:") != std::string::npos);
    CHECK(error_of(R"({"do": "web", "host": "pc.alice", "server": "webmail.a.example", "user": "alice@a.example", "steps": [{"read": "x", "send": {}}]})")
              .find("one key") != std::string::npos);
}
