#include "sim/world/builtin_demo.hpp"

#include "sim/core/scheduler.hpp"
#include "sim/net/memory_pipe.hpp"
#include "sim/net/session_link.hpp"
#include "sim/imap/client_session.hpp"
#include "sim/imap/server_session.hpp"
#include "sim/pop3/client_session.hpp"
#include "sim/pop3/server_session.hpp"
#include "sim/pop3/store_maildrop.hpp"
#include "sim/smtp/client_session.hpp"
#include "sim/smtp/local_delivery.hpp"
#include "sim/smtp/server_session.hpp"
#include "sim/store/mail_store.hpp"

namespace maillab {
namespace {
constexpr const char* server_host = "mail.example.org";
constexpr const char* alice_ua = "ua.alice";
constexpr const char* bob_ua = "ua.bob";
constexpr const char* bob_phone = "phone.bob";
constexpr std::int64_t link_latency_us = 2000;  // 2 ms each way, a campus network

// A short message that shows what students should see: headers, an empty line, a body, and a
// line beginning with "." that must be dot-stuffed on the wire.
constexpr const char* demo_message =
    "From: Alice <alice@example.org>\r\n"
    "To: Bob <bob@example.org>\r\n"
    "Subject: Lab meeting\r\n"
    "Date: Mon, 06 Jan 2025 09:00:00 +0000\r\n"
    "Message-ID: <demo-1@example.org>\r\n"
    "\r\n"
    "Hi Bob,\r\n"
    "\r\n"
    "the lab meeting moves to room 204.\r\n"
    ".plan: bring the packet captures (this line starts with a dot)\r\n"
    "\r\n"
    "Alice\r\n";
}  // namespace

demo_result run_builtin_demo(const std::vector<trace_listener*>& listeners) {
    virtual_clock clock;
    scheduler sched(clock);
    trace t(clock, {{"scenario", "builtin:demo"},
                    {"title", "alice sends bob a mail over SMTP; bob fetches it with POP3, "
                              "then reads it on his phone with IMAP"}});
    for (auto* l : listeners) t.subscribe(*l);

    mail_store store;
    store.add_user("alice@example.org", "alice-password");
    store.add_user("bob@example.org", "bob-password");
    smtp::local_delivery delivery(store, {"example.org"});

    memory_pipe pipe(sched, link_latency_us);
    std::uint64_t conn = t.new_connection_id();
    connection_tracer client_tracer(t, conn, "smtp", alice_ua, server_host);
    connection_tracer server_tracer(t, conn, "smtp", server_host, alice_ua);

    smtp::client_job job;
    job.helo_name = "alice-laptop.example.org";
    job.mail_from = "alice@example.org";
    // carol does not exist: the demo shows a 550 for one recipient while the mail still goes
    // to the other.
    job.recipients = {"bob@example.org", "carol@example.org"};
    job.message = demo_message;
    job.user = "alice";
    job.password = "alice-password";
    smtp::client_session client(job, client_tracer);

    smtp::server_config config;
    config.hostname = server_host;
    config.peer_address = alice_ua;
    smtp::server_session server(config, delivery, server_tracer);

    session_link client_link(pipe.client_end(), client, client_tracer);
    session_link server_link(pipe.server_end(), server, server_tracer);
    client_link.trace_connect("in-memory pipe, 2 ms latency");
    client_link.start();
    sched.schedule_after(link_latency_us, [&] { server_link.start(); });
    sched.run();

    // Sending is push, retrieval is pull: a second later bob's user agent asks the server for
    // his mail with POP3 and leaves it there.
    pop3::store_maildrop maildrop(store);
    memory_pipe pop_pipe(sched, link_latency_us);
    std::uint64_t pop_conn = t.new_connection_id();
    connection_tracer bob_tracer(t, pop_conn, "pop3", bob_ua, server_host);
    connection_tracer pop_server_tracer(t, pop_conn, "pop3", server_host, bob_ua);
    pop3::client_job bob_job;
    bob_job.user = "bob";
    bob_job.password = "bob-password";
    pop3::client_session bob(bob_job, bob_tracer);
    pop3::server_config pop_config;
    pop_config.hostname = server_host;
    pop3::server_session pop_server(pop_config, maildrop, pop_server_tracer);
    session_link bob_link(pop_pipe.client_end(), bob, bob_tracer);
    session_link pop_server_link(pop_pipe.server_end(), pop_server, pop_server_tracer);
    sched.schedule_after(1000000, [&] {
        bob_link.trace_connect("in-memory pipe, 2 ms latency");
        bob_link.start();
        sched.schedule_after(link_latency_us, [&] { pop_server_link.start(); });
    });
    sched.run();

    bob_tracer.note("pop3.note.pop_vs_imap",
                    "bob's mail program downloaded the whole message; another of his devices "
                    "would not learn that he read it: POP3 does not synchronise, IMAP does",
                    {}, std::nullopt);
    // Then bob's phone reads the same mailbox with IMAP: the mail is still on the server, the
    // phone fetches the headers and only the text part, and marks the message read, a flag
    // every other IMAP client of bob's will see.
    memory_pipe imap_pipe(sched, link_latency_us);
    std::uint64_t imap_conn = t.new_connection_id();
    connection_tracer phone_tracer(t, imap_conn, "imap", bob_phone, server_host);
    connection_tracer imap_server_tracer(t, imap_conn, "imap", server_host, bob_phone);
    imap::client_job phone_job;
    phone_job.user = "bob";
    phone_job.password = "bob-password";
    phone_job.fetch_sections = {{"1", "1"}};
    phone_job.add_flags = {{1, "\\Seen"}};
    imap::client_session phone(phone_job, phone_tracer);
    imap::server_config imap_config;
    imap_config.hostname = server_host;
    imap::server_session imap_server(imap_config, store, imap_server_tracer);
    session_link phone_link(imap_pipe.client_end(), phone, phone_tracer);
    session_link imap_server_link(imap_pipe.server_end(), imap_server, imap_server_tracer);
    sched.schedule_after(1000000, [&] {
        phone_link.trace_connect("in-memory pipe, 2 ms latency");
        phone_link.start();
        sched.schedule_after(link_latency_us, [&] { imap_server_link.start(); });
    });
    sched.run();

    bool retrieved = bob.result().completed && bob.result().messages.size() == 1 &&
                     phone.result().completed && phone.result().messages.size() == 1;
    for (auto* l : listeners) t.unsubscribe(*l);
    return {t.header(), t.events(), client.result().accepted && retrieved};
}

}  // namespace maillab
