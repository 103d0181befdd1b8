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

// One connection of the demo: an in-memory pipe and the tracers of its two ends.
struct demo_connection {
    memory_pipe pipe;
    connection_tracer client;
    connection_tracer server;

    demo_connection(scheduler& sched, trace& t, const char* proto, const char* client_host)
        : demo_connection(sched, t, proto, client_host, t.new_connection_id()) {}

private:
    demo_connection(scheduler& sched, trace& t, const char* proto, const char* client_host,
                    std::uint64_t id)
        : pipe(sched, link_latency_us),
          client(t, id, proto, client_host, server_host),
          server(t, id, proto, server_host, client_host) {}
};

// Connects after `delay_us` and runs the conversation to its end on the virtual clock.
void converse(scheduler& sched, demo_connection& c, protocol_session& client,
              protocol_session& server, std::int64_t delay_us) {
    session_link client_link(c.pipe.client_end(), client, c.client);
    session_link server_link(c.pipe.server_end(), server, c.server);
    sched.schedule_after(delay_us, [&] {
        client_link.trace_connect("in-memory pipe, 2 ms latency");
        client_link.start();
        sched.schedule_after(link_latency_us, [&] { server_link.start(); });
    });
    sched.run();
}
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

    demo_connection submission(sched, t, "smtp", alice_ua);
    smtp::client_job job;
    job.helo_name = "alice-laptop.example.org";
    job.mail_from = "alice@example.org";
    // carol does not exist: the demo shows a 550 for one recipient while the mail still goes
    // to the other.
    job.recipients = {"bob@example.org", "carol@example.org"};
    job.message = demo_message;
    job.user = "alice";
    job.password = "alice-password";
    smtp::client_session client(job, submission.client);

    smtp::server_config config;
    config.hostname = server_host;
    config.peer_address = alice_ua;
    smtp::server_session server(config, delivery, submission.server);
    converse(sched, submission, client, server, 0);

    // Sending is push, retrieval is pull: a second later bob's user agent asks the server for
    // his mail with POP3 and leaves it there.
    pop3::store_maildrop maildrop(store);
    demo_connection pop(sched, t, "pop3", bob_ua);
    pop3::client_job bob_job;
    bob_job.user = "bob";
    bob_job.password = "bob-password";
    pop3::client_session bob(bob_job, pop.client);
    pop3::server_config pop_config;
    pop_config.hostname = server_host;
    pop3::server_session pop_server(pop_config, maildrop, pop.server);
    converse(sched, pop, bob, pop_server, 1000000);

    pop.client.note("pop3.note.pop_vs_imap",
                    "bob's mail program downloaded the whole message; another of his devices "
                    "would not learn that he read it: POP3 does not synchronise, IMAP does",
                    {}, std::nullopt);
    // Then bob's phone reads the same mailbox with IMAP: the mail is still on the server, the
    // phone fetches the headers and only the text part, and marks the message read, a flag
    // every other IMAP client of bob's will see.
    demo_connection imap_conn(sched, t, "imap", bob_phone);
    imap::client_job phone_job;
    phone_job.user = "bob";
    phone_job.password = "bob-password";
    phone_job.fetch_sections = {{"1", "1"}};
    phone_job.add_flags = {{"1", "\\Seen"}};
    imap::client_session phone(phone_job, imap_conn.client);
    imap::server_config imap_config;
    imap_config.hostname = server_host;
    imap::server_session imap_server(imap_config, store, imap_conn.server);
    converse(sched, imap_conn, phone, imap_server, 1000000);

    bool retrieved = bob.result().completed && bob.result().messages.size() == 1 &&
                     phone.result().completed && phone.result().messages.size() == 1;
    for (auto* l : listeners) t.unsubscribe(*l);
    return {t.header(), t.events(), client.result().accepted && retrieved};
}

}  // namespace maillab
