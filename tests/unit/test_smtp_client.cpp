#include "sim/smtp/client_session.hpp"

#include <doctest/doctest.h>

#include "sim/core/scheduler.hpp"
#include "sim/net/memory_pipe.hpp"
#include "sim/net/session_link.hpp"
#include "sim/smtp/local_delivery.hpp"
#include "sim/smtp/server_session.hpp"

using namespace maillab;

namespace {
// A real client and a real server over the in-memory pipe.
struct client_server_run {
    virtual_clock clock;
    scheduler sched{clock};
    trace t{clock};
    mail_store store;
    smtp::local_delivery delivery{store, {"example.org"}};
    memory_pipe pipe{sched, 1000};
    connection_tracer ct{t, 1, "smtp", "ua", "mx"};
    connection_tracer st{t, 1, "smtp", "mx", "ua"};

    client_server_run() {
        store.add_user("alice@example.org", "pw");
        store.add_user("bob@example.org", "pw2");
    }
    smtp::client_result run(smtp::client_job job) {
        smtp::client_session client(job, ct);
        smtp::server_session server(smtp::server_config{}, delivery, st);
        session_link cl(pipe.client_end(), client, ct);
        session_link sl(pipe.server_end(), server, st);
        cl.start();
        sl.start();
        sched.run();
        CHECK(client.finished());
        return client.result();
    }
};
}  // namespace

TEST_CASE("client: pipelined transaction with one refused recipient still delivers") {
    client_server_run r;
    smtp::client_job job;
    job.mail_from = "alice@example.org";
    job.recipients = {"bob@example.org", "nobody@example.org"};
    job.message = "Subject: t\r\n\r\n.starts with a dot\nbare LF line\n";
    job.user = "alice";
    job.password = "pw";
    auto result = r.run(job);
    CHECK(result.accepted);
    REQUIRE(result.recipients.size() == 2);
    CHECK(result.recipients[0].code == 250);
    CHECK(result.recipients[1].code == 550);
    const auto& msg = r.store.find_mailbox("bob@example.org", "INBOX")->messages.at(0).bytes;
    // Dot-stuffed on the wire, unstuffed in the store; bare LF sent as CRLF.
    CHECK(msg.ends_with("Subject: t\r\n\r\n.starts with a dot\r\nbare LF line\r\n"));
    bool batch = false;
    for (const auto& e : r.t.events())
        if (e.explain == "smtp.note.pipelining_batch") batch = true;
    CHECK(batch);
}

TEST_CASE("client: without pipelining, without AUTH; relay refused fails cleanly") {
    client_server_run r;
    smtp::client_job job;
    job.mail_from = "alice@example.org";
    job.recipients = {"carol@elsewhere.test"};
    job.message = "Subject: t\r\n\r\nhi\r\n";
    job.use_pipelining = false;
    auto result = r.run(job);
    CHECK_FALSE(result.accepted);
    CHECK(result.recipients.at(0).code == 554);
    CHECK(result.error == "no recipient was accepted");
}

TEST_CASE("client: wrong password stops before MAIL") {
    client_server_run r;
    smtp::client_job job;
    job.mail_from = "alice@example.org";
    job.recipients = {"bob@example.org"};
    job.message = "x\r\n";
    job.user = "alice";
    job.password = "bad";
    auto result = r.run(job);
    CHECK_FALSE(result.accepted);
    REQUIRE(result.last_reply);
    CHECK(result.last_reply->code == 535);
    CHECK(r.store.find_mailbox("bob@example.org", "INBOX")->messages.empty());
}

TEST_CASE("client engine alone: EHLO refused -> HELO fallback, no extensions used") {
    virtual_clock clock;
    trace t(clock);
    connection_tracer ct(t, 1, "smtp", "ua", "old-mx");
    smtp::client_job job;
    job.mail_from = "a@x.example";
    job.recipients = {"b@y.example"};
    job.message = "hi\r\n";
    smtp::client_session c(job, ct);
    c.start();
    c.receive("220 old-mx ready\r\n");
    CHECK(c.take_output() == "EHLO client.example\r\n");
    c.receive("502 5.5.1 EHLO not implemented\r\n");
    CHECK(c.take_output() == "HELO client.example\r\n");
    c.receive("250 old-mx\r\n");
    CHECK(c.take_output() == "MAIL FROM:<a@x.example>\r\n");  // no SIZE=, no pipelining
    c.receive("250 ok\r\n");
    CHECK(c.take_output() == "RCPT TO:<b@y.example>\r\n");
    c.receive("250 ok\r\n");
    CHECK(c.take_output() == "DATA\r\n");
    c.receive("354 go\r\n");
    CHECK(c.take_output() == "hi\r\n.\r\n");
    c.receive("250 queued\r\n");
    CHECK(c.take_output() == "QUIT\r\n");
    c.receive("221 bye\r\n");
    CHECK(c.state() == smtp::client_state::done);
    CHECK(c.result().accepted);
}

TEST_CASE("client: multi-line replies split at any byte, malformed reply fails cleanly") {
    smtp::reply_parser p;
    std::string text = "250-first\r\n250-SIZE 100\r\n250 last\r\n";
    for (char ch : text) p.feed(std::string(1, ch));
    auto r = p.next();
    REQUIRE(r);
    CHECK(r->code == 250);
    CHECK(r->lines == std::vector<std::string>{"first", "SIZE 100", "last"});
    CHECK(r->raw == text);
    p.feed("hello there\r\n");
    auto bad = p.next();
    REQUIRE(bad);
    CHECK(bad->code == 0);

    virtual_clock clock;
    trace t(clock);
    connection_tracer ct(t, 1, "smtp", "ua", "mx");
    smtp::client_session c(smtp::client_job{}, ct);
    c.start();
    c.receive("garbage\r\n");
    CHECK(c.state() == smtp::client_state::failed);
}

TEST_CASE("dot_stuff") {
    CHECK(smtp::dot_stuff("a\r\n.b\r\n") == "a\r\n..b\r\n.\r\n");
    CHECK(smtp::dot_stuff("no final newline") == "no final newline\r\n.\r\n");
    CHECK(smtp::dot_stuff(".\n") == "..\r\n.\r\n");
    CHECK(smtp::dot_stuff("") == ".\r\n");
}
