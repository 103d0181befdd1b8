#include "sim/pop3/server_session.hpp"

#include <doctest/doctest.h>

#include <fmt/format.h>

#include "sim/core/bytes.hpp"
#include "sim/explain/catalog.hpp"
#include "sim/pop3/store_maildrop.hpp"
#include "sim/store/mail_store.hpp"
#include "catalog_check.hpp"
#include "transitions_check.hpp"

using namespace maillab;
using pop3::server_state;

namespace {
struct pop3_world {
    virtual_clock clock;
    trace t{clock};
    mail_store store;
    pop3::store_maildrop maildrop{store};

    pop3_world() {
        store.add_user("alice@example.org", "alice-pw");
        store.add_user("bob@example.org", "bob-pw");
        store.deliver("bob@example.org", "INBOX", "Subject: one\r\n\r\nfirst\r\n", 0);
        store.deliver("bob@example.org", "INBOX",
                      "Subject: two\r\n\r\nline 1\r\n.dotted\r\nline 3\r\n", 0);
        store.deliver("bob@example.org", "INBOX", "subject: lf\nbare\nlines\n", 0);
    }
};

// One POP3 session of the world, fed bytes by the test.
struct pop3_session {
    pop3_world& w;
    connection_tracer tracer;
    pop3::server_session session;
    std::string greeting;
    std::string out;

    explicit pop3_session(pop3_world& world, pop3::server_config config = tls_config(),
                          std::uint64_t conn = 1)
        : w(world), tracer(world.t, conn, "pop3", "mail.example.org", "client"),
          session(config, world.maildrop, tracer) {
        session.start();
        greeting = session.take_output();
    }
    static pop3::server_config tls_config() {
        pop3::server_config c;
        c.tls_available = true;
        return c;
    }
    // Sends bytes; returns the status word of every response line that starts one
    // ("+OK"/"-ERR"/"+"), which is all the tests need.
    std::string send(std::string_view bytes) {
        session.receive(bytes);
        out = session.take_output();
        return out.substr(0, out.find_first_of(" \r"));
    }
    bool ok(std::string_view line) { return send(line) == "+OK"; }
};

bool has_note(const trace& t, std::string_view key) {
    for (const auto& e : t.events())
        if (e.kind == event_kind::note && e.explain == key) return true;
    return false;
}

std::string plain(std::string_view user, std::string_view pw) {
    return base64_encode(std::string("\0", 1) + std::string(user) + std::string("\0", 1) +
                         std::string(pw));
}
}  // namespace

TEST_CASE("POP3: AUTHORIZATION -> TRANSACTION -> UPDATE, deletion only at QUIT") {
    pop3_world w;
    pop3_session s(w);
    CHECK(s.greeting.rfind("+OK maillab POP3 server ready <", 0) == 0);
    CHECK(s.session.state() == server_state::authorization);
    CHECK(s.ok("USER bob\r\n"));
    CHECK(s.ok("PASS bob-pw\r\n"));
    CHECK(s.session.state() == server_state::transaction);
    CHECK(s.out == "+OK bob@example.org has 3 message(s) (90 octets)\r\n");
    CHECK(s.ok("STAT\r\n"));
    CHECK(s.out == "+OK 3 90\r\n");
    CHECK(s.ok("LIST\r\n"));
    CHECK(s.out == "+OK 3 message(s) (90 octets)\r\n1 23\r\n2 41\r\n3 26\r\n.\r\n");
    CHECK(s.ok("DELE 1\r\n"));
    CHECK(has_note(w.t, "pop3.note.marked_deleted"));
    CHECK(w.store.find_mailbox("bob@example.org", "INBOX")->messages.size() == 3);  // only marked
    CHECK(s.send("RETR 1\r\n") == "-ERR");
    CHECK(s.out == "-ERR message 1 already deleted\r\n");
    CHECK(s.send("DELE 1\r\n") == "-ERR");
    CHECK(s.send("LIST 1\r\n") == "-ERR");
    CHECK(s.ok("STAT\r\n"));
    CHECK(s.out == "+OK 2 67\r\n");
    CHECK(s.ok("QUIT\r\n"));
    CHECK(s.session.state() == server_state::closed);
    CHECK(s.session.wants_close());
    const auto* box = w.store.find_mailbox("bob@example.org", "INBOX");
    REQUIRE(box->messages.size() == 2);
    CHECK(box->messages[0].uid == 2);

    std::vector<std::string> path;
    for (const auto& e : w.t.events())
        if (e.kind == event_kind::state) path.push_back(e.fields["to_state"]);
    CHECK(path == std::vector<std::string>{"AUTHORIZATION", "TRANSACTION", "UPDATE", "CLOSED"});
    bool expunge_traced = false;
    for (const auto& e : w.t.events())
        if (e.kind == event_kind::store && e.fields["action"] == "expunge" && e.fields["uid"] == 1)
            expunge_traced = true;
    CHECK(expunge_traced);
}

TEST_CASE("POP3: RSET unmarks, a lost connection deletes nothing, QUIT before login") {
    pop3_world w;
    {
        pop3_session s(w);
        s.send("USER bob\r\nPASS bob-pw\r\nDELE 1\r\nDELE 2\r\n");
        CHECK(s.ok("RSET\r\n"));
        CHECK(s.out == "+OK 2 message(s) unmarked; maildrop has 3 message(s)\r\n");
        CHECK(s.ok("QUIT\r\n"));
    }
    CHECK(w.store.find_mailbox("bob@example.org", "INBOX")->messages.size() == 3);
    {
        pop3_session s(w);
        s.send("USER bob\r\nPASS bob-pw\r\nDELE 1\r\n");
        s.session.connection_lost();
        CHECK(s.session.state() == server_state::closed);
        CHECK(has_note(w.t, "pop3.note.dropped_without_quit"));
    }
    CHECK(w.store.find_mailbox("bob@example.org", "INBOX")->messages.size() == 3);
    pop3_session again(w);  // the lock was released
    CHECK(again.ok("USER bob\r\n"));
    CHECK(again.ok("PASS bob-pw\r\n"));
    pop3_session q(w);
    CHECK(q.ok("QUIT\r\n"));
    CHECK(q.session.state() == server_state::closed);
}

TEST_CASE("POP3: every command in every state is run or refused with -ERR, never a crash") {
    for (auto state : {server_state::authorization, server_state::transaction}) {
        for (const auto& spec : pop3::server_session::command_table()) {
            pop3_world w;
            pop3_session s(w);
            if (state == server_state::transaction) s.send("USER bob\r\nPASS bob-pw\r\n");
            REQUIRE(s.session.state() == state);
            std::string verb(spec.verb);
            std::string arg = verb == "USER" ? " bob"
                              : verb == "PASS" ? " bob-pw"
                              : verb == "APOP" ? " bob 0123"
                              : verb == "AUTH" ? " PLAIN " + plain("bob", "bob-pw")
                              : verb == "RETR" || verb == "DELE" ? " 1"
                              : verb == "TOP" ? " 1 0"
                                              : "";
            std::string status = s.send(verb + arg + "\r\n");
            bool allowed = spec.allowed_states & (1u << static_cast<unsigned>(state));
            INFO(verb, " in ", pop3::to_string(state), ": ", s.out);
            if (!allowed) {
                CHECK(status == "-ERR");
                CHECK(s.out.find("is not allowed in the") != std::string::npos);
                CHECK(s.session.state() == state);
            } else {
                CHECK(s.out.find("is not allowed in the") == std::string::npos);
            }
        }
    }
}

TEST_CASE("POP3: error replies, and the session goes on") {
    pop3_world w;
    // Three wrong logins below would end the session (server_limits::max_auth_failures, tested
    // in test_server_limits.cpp); here every other error must leave it going.
    pop3::server_config config = pop3_session::tls_config();
    config.limits.max_auth_failures = 10;
    pop3_session s(w, config);
    CHECK(s.send("FROB\r\n") == "-ERR");
    CHECK(s.send("\r\n") == "-ERR");
    CHECK(s.send("PASS x\r\n") == "-ERR");  // no USER yet
    CHECK(s.send("USER\r\n") == "-ERR");
    CHECK(s.ok("USER bob\r\n"));
    CHECK(s.send("PASS wrong\r\n") == "-ERR");
    CHECK(s.out == "-ERR [AUTH] invalid user name or password\r\n");
    CHECK(s.send("APOP bob 00000000000000000000000000000000\r\n") == "-ERR");
    CHECK(s.send("APOP bob\r\n") == "-ERR");
    CHECK(s.send("AUTH\r\n") == "-ERR");
    CHECK(s.send("AUTH CRAM-MD5\r\n") == "-ERR");
    CHECK(s.send("AUTH PLAIN " + plain("bob", "nope") + "\r\n") == "-ERR");
    CHECK(s.send("AUTH PLAIN ###\r\n") == "-ERR");
    CHECK(s.send("AUTH PLAIN\r\n") == "+");
    CHECK(s.send("*\r\n") == "-ERR");
    CHECK(s.send("STAT\r\n") == "-ERR");
    CHECK(s.send(std::string(300, 'N') + "\r\n") == "-ERR");
    CHECK(has_note(w.t, "pop3.note.line_too_long"));
    CHECK(s.ok("USER bob\r\n"));
    CHECK(s.ok("PASS bob-pw\r\n"));
    CHECK(s.send("STAT 1\r\n") == "-ERR");
    CHECK(s.send("RETR\r\n") == "-ERR");
    CHECK(s.send("RETR x\r\n") == "-ERR");
    CHECK(s.send("RETR 0\r\n") == "-ERR");
    CHECK(s.send("RETR 99\r\n") == "-ERR");
    CHECK(s.out == "-ERR no such message, only 3 message(s) in maildrop\r\n");
    CHECK(s.send("TOP 1\r\n") == "-ERR");
    CHECK(s.send("TOP 1 x\r\n") == "-ERR");
    CHECK(s.send("RSET now\r\n") == "-ERR");
    CHECK(s.send("USER bob\r\n") == "-ERR");
    CHECK(s.send("STLS\r\n") == "-ERR");
    CHECK(s.ok("NOOP\r\n"));
    CHECK(s.session.state() == server_state::transaction);
}

TEST_CASE("POP3: RETR and TOP are dot-stuffed, CRLF, and sized as sent") {
    pop3_world w;
    pop3_session s(w);
    s.send("USER bob\r\nPASS bob-pw\r\n");
    CHECK(s.ok("RETR 2\r\n"));
    CHECK(s.out == "+OK 41 octets\r\nSubject: two\r\n\r\nline 1\r\n..dotted\r\nline 3\r\n.\r\n");
    CHECK(has_note(w.t, "pop3.note.dot_stuffing"));
    CHECK(s.ok("RETR 3\r\n"));  // stored with bare LF (like the SMTPDemo mail): sent as CRLF
    CHECK(s.out == "+OK 26 octets\r\nsubject: lf\r\nbare\r\nlines\r\n.\r\n");
    CHECK(has_note(w.t, "pop3.note.bare_lf_in_message"));
    CHECK(s.ok("TOP 2 0\r\n"));
    CHECK(s.out.ends_with("\r\nSubject: two\r\n\r\n.\r\n"));
    CHECK(s.ok("TOP 2 2\r\n"));
    CHECK(s.out.ends_with("\r\nSubject: two\r\n\r\nline 1\r\n..dotted\r\n.\r\n"));
    CHECK(s.ok("TOP 2 99\r\n"));
    CHECK(s.out.ends_with("line 3\r\n.\r\n"));
    CHECK(s.ok("UIDL\r\n"));
    CHECK(s.out == "+OK unique-id listing follows\r\n1 1.1\r\n2 1.2\r\n3 1.3\r\n.\r\n");
    CHECK(s.ok("UIDL 2\r\n"));
    CHECK(s.out == "+OK 2 1.2\r\n");
}

TEST_CASE("POP3: APOP and AUTH PLAIN log in; the maildrop lock refuses a second session") {
    pop3_world w;
    pop3_session a(w, pop3_session::tls_config(), 1);
    std::string ts = a.session.greeting_timestamp();
    CHECK(a.ok(fmt::format("APOP bob {}\r\n", pop3::apop_digest(ts, "bob-pw"))));
    CHECK(has_note(w.t, "pop3.note.apop_digest"));
    pop3_session b(w, pop3_session::tls_config(), 2);
    CHECK(b.send("USER bob\r\nPASS bob-pw\r\n") == "+OK");  // USER's +OK, then...
    CHECK(b.out.find("-ERR [IN-USE]") != std::string::npos);
    CHECK(b.session.state() == server_state::authorization);
    CHECK(has_note(w.t, "pop3.note.maildrop_locked"));
    CHECK(a.ok("QUIT\r\n"));
    CHECK(b.send("AUTH PLAIN\r\n") == "+");
    CHECK(b.ok(plain("bob", "bob-pw") + "\r\n"));
    CHECK(b.session.state() == server_state::transaction);
    CHECK(has_note(w.t, "pop3.note.auth_decoded"));
    pop3_session c(w, pop3_session::tls_config(), 3);
    CHECK(c.ok("AUTH PLAIN " + plain("alice", "alice-pw") + "\r\n"));  // another maildrop
}

TEST_CASE("POP3: STLS discards pipelined bytes; after TLS, AUTHORIZATION again; CAPA") {
    pop3_world w;
    pop3_session s(w);
    CHECK(s.ok("CAPA\r\n"));
    for (auto cap : {"TOP", "UIDL", "USER", "SASL PLAIN", "RESP-CODES", "PIPELINING", "STLS"})
        CHECK_MESSAGE(s.out.find(std::string("\r\n") + cap + "\r\n") != std::string::npos, cap);
    CHECK(s.send("STLS\r\nUSER evil\r\n") == "+OK");
    CHECK(s.out == "+OK begin TLS negotiation\r\n");
    CHECK(s.session.wants_tls());
    CHECK(has_note(w.t, "pop3.note.stls_discarded"));
    CHECK(s.send("USER bob\r\n").empty());  // nothing read during the handshake
    s.session.tls_established({"TLSv1.3", "TLS_AES_128_GCM_SHA256"});
    CHECK(s.session.state() == server_state::authorization);
    CHECK(s.ok("CAPA\r\n"));
    CHECK(s.out.find("STLS") == std::string::npos);
    CHECK(s.send("STLS\r\n") == "-ERR");
    pop3_session no_tls(w, pop3::server_config{}, 2);
    CHECK(no_tls.send("STLS\r\n") == "-ERR");
}

TEST_CASE("POP3: the textbook client's lowercase commands with bare LF") {
    pop3_world w;
    pop3_session s(w);
    CHECK(s.ok("user bob\n"));
    CHECK(s.ok("pass bob-pw\n"));
    CHECK(s.ok("stat\n"));
    CHECK(s.ok("retr 1\n"));
    CHECK(has_note(w.t, "pop3.note.lowercase_verb"));
    CHECK(has_note(w.t, "pop3.note.bare_lf"));
}

TEST_CASE("POP3: any split of the input gives the same responses") {
    const std::string input =
        "USER bob\r\nPASS bob-pw\r\nSTAT\r\nLIST\r\nRETR 2\r\nTOP 1 0\r\nDELE 1\r\nUIDL\r\nQUIT\r\n";
    pop3_world whole_world;
    pop3_session whole(whole_world);
    whole.send(input);
    std::string expected = whole.out;
    for (std::size_t cut = 1; cut < input.size(); ++cut) {
        pop3_world w;
        pop3_session s(w);
        s.send(input.substr(0, cut));
        std::string got = s.out;
        s.send(input.substr(cut));
        got += s.out;
        INFO("split at ", cut);
        REQUIRE(got == expected);
    }
}

TEST_CASE("POP3: every explanation key emitted is in the catalog in both languages") {
    pop3_world w;
    pop3_session s(w);
    s.send("capa\nUSER bob\r\nPASS bob-pw\r\nSTAT\r\nLIST\r\nRETR 2\r\nRETR 3\r\nDELE 1\r\n"
           "FOO\r\nUIDL\r\nTOP 1 1\r\nRSET\r\nDELE 2\r\nQUIT\r\n");
    pop3_session t(w, pop3_session::tls_config(), 2);
    t.send("STLS\r\nx\r\n");
    t.session.tls_established({"TLSv1.3", "X"});
    t.send("AUTH PLAIN\r\n" + plain("bob", "bob-pw") + "\r\nDELE 1\r\n");
    t.session.connection_lost();
    test::check_explanations(w.t.events());
    test::check_transitions(w.t.events());
    const auto& catalog = explain_catalog::builtin();
    for (const auto& spec : pop3::server_session::command_table())
        CHECK(catalog.find(fmt::format("pop3.cmd.{}", spec.verb)));
    for (int st = 0; st <= static_cast<int>(server_state::closed); ++st)
        CHECK(catalog.find(
            fmt::format("pop3.state.{}", pop3::to_string(static_cast<server_state>(st)))));
}
