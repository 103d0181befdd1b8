#include "sim/pop3/client_session.hpp"

#include <doctest/doctest.h>

#include "sim/core/scheduler.hpp"
#include "sim/net/memory_pipe.hpp"
#include "sim/net/session_link.hpp"
#include "sim/pop3/server_session.hpp"
#include "sim/pop3/store_maildrop.hpp"

using namespace maillab;

namespace {
struct pop3_run {
    virtual_clock clock;
    scheduler sched{clock};
    trace t{clock};
    mail_store store;
    pop3::store_maildrop maildrop{store};
    std::uint64_t next_conn = 1;

    pop3_run() {
        store.add_user("bob@example.org", "pw");
        store.deliver("bob@example.org", "INBOX", "Subject: a\r\n\r\n.one\r\n", 0);
        store.deliver("bob@example.org", "INBOX", "Subject: b\r\n\r\ntwo\r\n", 0);
    }
    pop3::client_result run(pop3::client_job job) {
        memory_pipe pipe(sched, 1000);
        connection_tracer ct(t, next_conn, "pop3", "ua.bob", "mail");
        connection_tracer st(t, next_conn++, "pop3", "mail", "ua.bob");
        pop3::client_session client(job, ct);
        pop3::server_session server(pop3::server_config{}, maildrop, st);
        session_link cl(pipe.client_end(), client, ct);
        session_link sl(pipe.server_end(), server, st);
        cl.start();
        sl.start();
        sched.run();
        CHECK(client.finished());
        return client.result();
    }
    std::size_t inbox_size() {
        return store.find_mailbox("bob@example.org", "INBOX")->messages.size();
    }
};
pop3::client_job job_for(std::string user, std::string password,
                         pop3::login_method method = pop3::login_method::user_pass) {
    pop3::client_job job;
    job.user = std::move(user);
    job.password = std::move(password);
    job.method = method;
    return job;
}
}  // namespace

TEST_CASE("POP3 client: leave on server, then only new mail by UIDL") {
    pop3_run r;
    pop3::client_job job = job_for("bob", "pw");
    auto first = r.run(job);
    CHECK(first.completed);
    CHECK(first.maildrop_count == 2);
    REQUIRE(first.messages.size() == 2);
    CHECK(first.messages[0].bytes == "Subject: a\r\n\r\n.one\r\n");  // dot-unstuffed again
    CHECK(first.messages[0].listed_size == first.messages[0].bytes.size());
    CHECK(r.inbox_size() == 2);

    r.store.deliver("bob@example.org", "INBOX", "Subject: c\r\n\r\nthree\r\n", 0);
    for (const auto& m : first.messages) job.already_seen.insert(m.unique_id);
    auto second = r.run(job);
    REQUIRE(second.messages.size() == 1);
    CHECK(second.messages[0].bytes == "Subject: c\r\n\r\nthree\r\n");
}

TEST_CASE("POP3 client: APOP and AUTH PLAIN, delete after download") {
    pop3_run r;
    pop3::client_job job = job_for("bob", "pw", pop3::login_method::apop);
    job.delete_after_download = true;
    auto result = r.run(job);
    CHECK(result.completed);
    CHECK(result.deleted == std::vector<std::size_t>{1, 2});
    CHECK(r.inbox_size() == 0);

    pop3::client_job plain = job_for("bob", "pw", pop3::login_method::auth_plain);
    auto empty = r.run(plain);
    CHECK(empty.completed);
    CHECK(empty.maildrop_count == 0);
}

TEST_CASE("POP3 client: wrong password fails with QUIT, nothing deleted") {
    pop3_run r;
    pop3::client_job job = job_for("bob", "bad");
    job.delete_after_download = true;
    auto result = r.run(job);
    CHECK_FALSE(result.completed);
    CHECK(result.error.find("login refused") == 0);
    CHECK(r.inbox_size() == 2);
}
