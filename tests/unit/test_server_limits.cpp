// The per-session limits of docs/security.md in the engines themselves (sans-I/O, virtual
// clock): commands per session, failed logins, header fields, idle timeouts as the engines
// answer them, and the connection gate and MIME parser that enforce the rest.
#include "sim/core/server_limits.hpp"

#include <doctest/doctest.h>

#include <fmt/format.h>

#include "sim/core/bytes.hpp"
#include "sim/imap/server_session.hpp"
#include "sim/mime/message.hpp"
#include "sim/net/connection_limits.hpp"
#include "sim/pop3/server_session.hpp"
#include "sim/pop3/store_maildrop.hpp"
#include "smtp_server_harness.hpp"

using namespace maillab;
using maillab::test::smtp_server_harness;

namespace {
smtp::server_config smtp_limited(std::size_t commands, unsigned failures) {
    smtp::server_config c = smtp_server_harness::default_config();
    c.limits.max_commands = commands;
    c.limits.max_auth_failures = failures;
    c.limits.max_header_fields = 5;
    return c;
}

std::string plain(std::string_view user, std::string_view pw) {
    return base64_encode(std::string("\0", 1) + std::string(user) + std::string("\0", 1) +
                         std::string(pw));
}

struct small_world {
    virtual_clock clock;
    trace t{clock};
    mail_store store;
    pop3::store_maildrop maildrop{store};
    small_world() { store.add_user("bob@example.org", "bob-pw"); }
    bool has_note(std::string_view key) const {
        for (const auto& e : t.events())
            if (e.kind == event_kind::note && e.explain == key) return true;
        return false;
    }
};
}  // namespace

TEST_CASE("limits: the n-th failed login waits delay * 2^(n-1), and the last one closes") {
    server_limits limits;
    limits.auth_failure_delay_ms = 500;
    limits.max_auth_failures = 3;
    auth_failure_counter counter(limits);
    auto first = counter.record_failure();
    auto second = counter.record_failure();
    auto third = counter.record_failure();
    CHECK(first.delay_ms == 500);
    CHECK_FALSE(first.close);
    CHECK(second.delay_ms == 1000);
    CHECK_FALSE(second.close);
    CHECK(third.delay_ms == 2000);
    CHECK(third.close);
    // However many, never longer than the cap.
    limits.max_auth_failures = 0;  // 0: never closes
    auth_failure_counter many(limits);
    auth_failure_counter::verdict v;
    for (int i = 0; i < 40; ++i) v = many.record_failure();
    CHECK(v.delay_ms == auth_failure_counter::max_delay_ms);
    CHECK_FALSE(v.close);
}

TEST_CASE("limits: SMTP ends a session with 421 after too many commands") {
    smtp_server_harness h(smtp_limited(3, 3));
    CHECK(h.send_one("NOOP\r\n") == 250);
    CHECK(h.send_one("NOOP\r\n") == 250);
    CHECK(h.send_one("NOOP\r\n") == 250);
    CHECK(h.send_one("NOOP\r\n") == 421);
    CHECK(h.last_output.find("421 4.7.0") == 0);
    CHECK(h.session.wants_close());
    CHECK(h.session.state() == smtp::server_state::closed);
    CHECK(h.has_note("smtp.note.too_many_commands"));
    // Nothing more is read.
    CHECK(h.send("NOOP\r\n").empty());
}

TEST_CASE("limits: SMTP holds back each failed AUTH longer and closes after the last") {
    smtp_server_harness h(smtp_limited(100, 3));
    h.send("EHLO c\r\n");
    CHECK(h.send_one("AUTH PLAIN " + plain("alice", "wrong") + "\r\n") == 535);
    CHECK(h.session.take_output_delay_ms() == 1000);
    CHECK(h.session.take_output_delay_ms() == 0);  // taking it resets it
    CHECK(h.send_one("AUTH PLAIN " + plain("alice", "wrong") + "\r\n") == 535);
    CHECK(h.session.take_output_delay_ms() == 2000);
    CHECK_FALSE(h.session.wants_close());
    auto codes = h.send("AUTH PLAIN " + plain("alice", "wrong") + "\r\n");
    CHECK(codes == std::vector<int>{535, 421});
    CHECK(h.session.wants_close());
    CHECK(h.has_note("smtp.note.too_many_auth_failures"));
}

TEST_CASE("limits: a right password after a wrong one still logs in") {
    smtp_server_harness h(smtp_limited(100, 3));
    h.send("EHLO c\r\n");
    CHECK(h.send_one("AUTH PLAIN " + plain("alice", "wrong") + "\r\n") == 535);
    CHECK(h.send_one("AUTH PLAIN " + plain("alice", "alice-pw") + "\r\n") == 235);
    CHECK(h.session.take_output_delay_ms() == 1000);  // only the failure asked for a delay
}

TEST_CASE("limits: SMTP refuses a header of too many fields with 554 and stores nothing") {
    smtp_server_harness h(smtp_limited(100, 3));
    h.send("EHLO c\r\nMAIL FROM:<alice@example.org>\r\nRCPT TO:<bob@example.org>\r\nDATA\r\n");
    std::string text;
    for (int i = 0; i < 6; ++i) text += fmt::format("X-Field-{}: {}\r\n", i, i);
    text += "\r\nbody\r\n.\r\n";
    CHECK(h.send_one(text) == 554);
    CHECK(h.last_output.find("554 5.6.0") == 0);
    CHECK(h.has_note("smtp.note.too_many_header_fields"));
    CHECK(h.inbox("bob@example.org").messages.empty());
    // Exactly at the limit it is accepted; the session went on after the refusal.
    h.send("MAIL FROM:<alice@example.org>\r\nRCPT TO:<bob@example.org>\r\nDATA\r\n");
    std::string ok_text;
    for (int i = 0; i < 5; ++i) ok_text += fmt::format("X-Field-{}: {}\r\n", i, i);
    CHECK(h.send_one(ok_text + "\r\nbody\r\n.\r\n") == 250);
    CHECK(h.inbox("bob@example.org").messages.size() == 1);
}

TEST_CASE("limits: SMTP idle timeout is 421 4.4.2, and in DATA nothing is delivered") {
    smtp_server_harness h;
    h.send("EHLO c\r\nMAIL FROM:<alice@example.org>\r\nRCPT TO:<bob@example.org>\r\nDATA\r\n");
    CHECK(h.session.receiving_message_text());
    h.send("Subject: half\r\n\r\nhalf a mess");
    h.session.idle_timeout();
    std::string out = h.session.take_output();
    CHECK(out.rfind("421 4.4.2", 0) == 0);
    CHECK(h.session.wants_close());
    CHECK(h.has_note("smtp.note.idle_timeout"));
    CHECK(h.inbox("bob@example.org").messages.empty());
}

TEST_CASE("limits: SMTP counts complete lines, not bytes, as progress") {
    smtp_server_harness h;
    auto before = *h.session.completed_inputs();
    h.send("NO");
    h.send("O");
    CHECK(*h.session.completed_inputs() == before);
    h.send("P\r\n");
    CHECK(*h.session.completed_inputs() == before + 1);
}

TEST_CASE("limits: POP3 ends a session with -ERR after too many commands, keeping DELE marks") {
    small_world w;
    w.store.deliver("bob@example.org", "INBOX", "Subject: a\r\n\r\nx\r\n", 0);
    connection_tracer tracer(w.t, 1, "pop3", "mail.example.org", "client");
    pop3::server_config c;
    c.limits.max_commands = 3;
    pop3::server_session s(c, w.maildrop, tracer);
    s.start();
    s.take_output();
    s.receive("USER bob\r\nPASS bob-pw\r\nDELE 1\r\nNOOP\r\n");
    std::string out = s.take_output();
    CHECK(out.find("-ERR [SYS/TEMP] too many commands") != std::string::npos);
    CHECK(s.wants_close());
    CHECK(w.has_note("pop3.note.too_many_commands"));
    CHECK(w.has_note("pop3.note.closed_without_update"));
    CHECK(w.store.find_mailbox("bob@example.org", "INBOX")->messages.size() == 1);
}

TEST_CASE("limits: POP3 closes after the third wrong password, each reply held longer") {
    small_world w;
    connection_tracer tracer(w.t, 1, "pop3", "mail.example.org", "client");
    pop3::server_config c;
    c.limits.auth_failure_delay_ms = 100;
    pop3::server_session s(c, w.maildrop, tracer);
    s.start();
    s.take_output();
    std::vector<std::uint32_t> delays;
    for (int i = 0; i < 3; ++i) {
        s.receive("USER bob\r\nPASS nope\r\n");
        delays.push_back(s.take_output_delay_ms());
        CHECK(s.take_output().find("-ERR [AUTH]") != std::string::npos);
    }
    CHECK(delays == std::vector<std::uint32_t>{100, 200, 400});
    CHECK(s.wants_close());
    CHECK(w.has_note("pop3.note.too_many_auth_failures"));
    s.idle_timeout();  // already closed: nothing more
    CHECK(s.take_output().empty());
}

TEST_CASE("limits: POP3 idle timeout says -ERR and closes") {
    small_world w;
    connection_tracer tracer(w.t, 1, "pop3", "mail.example.org", "client");
    pop3::server_session s(pop3::server_config{}, w.maildrop, tracer);
    s.start();
    s.take_output();
    s.idle_timeout();
    CHECK(s.take_output().rfind("-ERR [SYS/TEMP] idle", 0) == 0);
    CHECK(s.wants_close());
}

TEST_CASE("limits: IMAP says BYE after too many commands, failed logins, or idling") {
    small_world w;
    SUBCASE("commands") {
        connection_tracer tracer(w.t, 1, "imap", "mail.example.org", "client");
        imap::server_config c;
        c.session_limits.max_commands = 2;
        imap::server_session s(c, w.store, tracer);
        s.start();
        s.take_output();
        s.receive("a NOOP\r\nb NOOP\r\nc NOOP\r\n");
        std::string out = s.take_output();
        CHECK(out.find("b OK") != std::string::npos);
        CHECK(out.find("* BYE too many commands") != std::string::npos);
        CHECK(out.find("c OK") == std::string::npos);
        CHECK(s.wants_close());
        CHECK(w.has_note("imap.note.too_many_commands"));
    }
    SUBCASE("failed logins: NO, then BYE after the last") {
        connection_tracer tracer(w.t, 1, "imap", "mail.example.org", "client");
        imap::server_config c;
        c.session_limits.max_auth_failures = 2;
        imap::server_session s(c, w.store, tracer);
        s.start();
        s.take_output();
        s.receive("a LOGIN bob x\r\n");
        CHECK(s.take_output_delay_ms() == 1000);
        CHECK_FALSE(s.wants_close());
        s.take_output();
        s.receive("b LOGIN bob y\r\n");
        std::string out = s.take_output();
        auto no = out.find("b NO [AUTHENTICATIONFAILED]");
        auto bye = out.find("* BYE too many failed logins");
        REQUIRE(no != std::string::npos);
        REQUIRE(bye != std::string::npos);
        CHECK(no < bye);
        CHECK(s.wants_close());
    }
    SUBCASE("idle") {
        connection_tracer tracer(w.t, 1, "imap", "mail.example.org", "client");
        imap::server_session s(imap::server_config{}, w.store, tracer);
        s.start();
        s.take_output();
        s.receive("a LOGIN bob bob-pw\r\nb SELECT INBOX\r\nc IDLE\r\n");
        s.take_output();
        s.idle_timeout();
        CHECK(s.take_output().find("* BYE Autologout") != std::string::npos);
        CHECK(s.wants_close());
        CHECK(w.has_note("imap.note.idle_timeout"));
    }
}

TEST_CASE("limits: the connection gate counts in all and per address, and gives places back") {
    connection_gate gate(3, 2);
    auto a1 = gate.admit("10.0.0.1");
    auto a2 = gate.admit("10.0.0.1");
    auto a3 = gate.admit("10.0.0.1");
    CHECK(a1.held);
    CHECK(a2.held);
    CHECK_FALSE(a3.held);
    CHECK(a3.reason.find("from 10.0.0.1") != std::string::npos);
    auto b1 = gate.admit("10.0.0.2");
    CHECK(b1.held);
    auto c1 = gate.admit("10.0.0.3");
    CHECK_FALSE(c1.held);
    CHECK(c1.reason.find("limit 3") != std::string::npos);
    CHECK(gate.open_connections() == 3);
    a1.held.reset();
    CHECK(gate.open_connections() == 2);
    CHECK(gate.admit("10.0.0.1").held);  // the freed place, taken and given back at once
    CHECK(gate.open_connections() == 2);
    connection_gate unlimited(0, 0);
    std::vector<connection_gate::ticket> many;
    for (int i = 0; i < 1000; ++i) many.push_back(unlimited.admit("x").held);
    CHECK(unlimited.open_connections() == 1000);
}

TEST_CASE("limits: refusals are in each protocol's words") {
    CHECK(refusal_text("smtp", "mx", "too many").rfind("421 4.7.0 mx too many", 0) == 0);
    CHECK(refusal_text("pop3", "mx", "too many").rfind("-ERR [SYS/TEMP] too many", 0) == 0);
    CHECK(refusal_text("imap", "mx", "too many").rfind("* BYE too many", 0) == 0);
    std::string http = refusal_text("http", "mx", "too many");
    CHECK(http.rfind("HTTP/1.1 503 Service Unavailable\r\n", 0) == 0);
    CHECK(http.find("Retry-After: 30\r\n") != std::string::npos);
    CHECK(http.find("Connection: close\r\n") != std::string::npos);
}

TEST_CASE("limits: the MIME parser keeps at most the limit of header fields, with a defect") {
    std::string raw;
    for (std::size_t i = 0; i < mime::default_max_header_fields + 50; ++i)
        raw += fmt::format("X-F{}: v\r\n folded\r\n", i);
    raw += "Subject: late\r\n\r\nthe body\r\n";
    mime::message m(raw);
    CHECK(m.root().header.fields.size() == mime::default_max_header_fields);
    bool found = false;
    for (const auto& d : m.root().defects) found |= d.kind == "too_many_header_fields";
    CHECK(found);
    // The body still starts after the whole header.
    CHECK(m.root().body.of(m.raw()) == "the body\r\n");
    // The last kept field did not swallow the folded lines of the dropped ones.
    const auto& last = m.root().header.fields.back();
    CHECK(last.raw.of(m.raw()) ==
          fmt::format("X-F{}: v\r\n folded\r\n", mime::default_max_header_fields - 1));
}
