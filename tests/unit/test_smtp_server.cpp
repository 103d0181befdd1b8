#include "sim/smtp/server_session.hpp"

#include <doctest/doctest.h>


#include <fmt/format.h>

#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "sim/core/bytes.hpp"
#include "sim/explain/catalog.hpp"
#include "catalog_check.hpp"
#include "transitions_check.hpp"
#include "smtp_server_harness.hpp"

using maillab::event_kind;
using maillab::smtp::server_state;
using maillab::test::smtp_server_harness;

namespace {
std::string auth_plain(std::string_view user, std::string_view pw) {
    return maillab::base64_encode(std::string("\0", 1) + std::string(user) + std::string("\0", 1) +
                                  std::string(pw));
}
}  // namespace

TEST_CASE("greeting, EHLO and the state machine of one transaction") {
    smtp_server_harness h;
    CHECK(h.greeting.rfind("220 mail.example.org", 0) == 0);
    CHECK(h.session.state() == server_state::wait_helo);
    CHECK(h.send_one("EHLO client.example\r\n") == 250);
    for (auto ext : {"PIPELINING", "SIZE 10000", "8BITMIME", "ENHANCEDSTATUSCODES",
                     "AUTH PLAIN LOGIN", "STARTTLS", "HELP"})
    {
        bool offered = h.last_output.find(std::string("250-") + ext + "\r\n") != std::string::npos ||
                       h.last_output.find(std::string("250 ") + ext + "\r\n") != std::string::npos;
        CHECK_MESSAGE(offered, ext);
    }
    CHECK(h.session.state() == server_state::ready);
    CHECK(h.send_one("MAIL FROM:<alice@example.org>\r\n") == 250);
    CHECK(h.session.state() == server_state::mail);
    CHECK(h.send_one("RCPT TO:<bob@example.org>\r\n") == 250);
    CHECK(h.session.state() == server_state::rcpt);
    CHECK(h.send_one("DATA\r\n") == 354);
    CHECK(h.session.state() == server_state::data);
    CHECK(h.send_one("Subject: hi\r\n\r\nhello\r\n.\r\n") == 250);
    CHECK(h.session.state() == server_state::ready);
    CHECK(h.send_one("QUIT\r\n") == 221);
    CHECK(h.session.state() == server_state::closed);
    CHECK(h.session.wants_close());

    // Every transition is a state event, in order.
    std::vector<std::string> path;
    for (auto* e : h.events_of(event_kind::state))
        path.push_back(e->fields["to_state"].get<std::string>());
    CHECK(path == std::vector<std::string>{"WAIT_HELO", "READY", "MAIL", "RCPT", "DATA", "READY",
                                           "CLOSED"});
    const auto& box = h.inbox("bob@example.org");
    REQUIRE(box.messages.size() == 1);
    CHECK(box.messages[0].bytes.rfind("Received: from client.example", 0) == 0);
    CHECK(box.messages[0].bytes.find("\r\n\r\nSubject: hi\r\n\r\nhello\r\n") == std::string::npos);
    CHECK(box.messages[0].bytes.ends_with("Subject: hi\r\n\r\nhello\r\n"));
}

TEST_CASE("every verb in every state: allowed or 503, never a crash") {
    // Drive the session into each state, then try each verb once.
    struct setup {
        server_state state;
        std::vector<std::string> lines;
    };
    std::vector<setup> setups = {
        {server_state::wait_helo, {}},
        {server_state::ready, {"EHLO c\r\n"}},
        {server_state::mail, {"EHLO c\r\n", "MAIL FROM:<alice@example.org>\r\n"}},
        {server_state::rcpt,
         {"EHLO c\r\n", "MAIL FROM:<alice@example.org>\r\n", "RCPT TO:<bob@example.org>\r\n"}},
    };
    for (const auto& s : setups) {
        for (const auto& spec : maillab::smtp::server_session::command_table()) {
            smtp_server_harness h;
            for (const auto& l : s.lines) h.send(l);
            REQUIRE(h.session.state() == s.state);
            std::string verb(spec.verb);
            std::string arg = verb == "MAIL"   ? " FROM:<alice@example.org>"
                              : verb == "RCPT" ? " TO:<bob@example.org>"
                              : verb == "HELO" || verb == "EHLO" ? " c"
                              : verb == "AUTH" ? " PLAIN " + auth_plain("alice", "alice-pw")
                                               : "";
            auto codes = h.send(verb + arg + "\r\n");
            REQUIRE(codes.size() == 1);
            bool allowed = spec.allowed_states & (1u << static_cast<unsigned>(s.state));
            INFO(verb, " in ", maillab::smtp::to_string(s.state));
            if (allowed) CHECK(codes[0] != 503);
            else CHECK(codes[0] == 503);
        }
    }
}

TEST_CASE("error replies keep the session usable") {
    smtp_server_harness h;
    CHECK(h.send_one("MAIL FROM:<alice@example.org>\r\n") == 503);  // before EHLO
    CHECK(h.send_one("FROBNICATE\r\n") == 500);
    CHECK(h.send_one("\r\n") == 500);
    CHECK(h.send_one("EHLO c\r\n") == 250);
    CHECK(h.send_one("RCPT TO:<bob@example.org>\r\n") == 503);  // before MAIL
    CHECK(h.send_one("DATA\r\n") == 503);
    CHECK(h.send_one("MAIL FROM:bad syntax <\r\n") == 501);
    CHECK(h.send_one("MAIL TO:<alice@example.org>\r\n") == 501);
    CHECK(h.send_one("MAIL FROM:<alice@example.org> SIZE=abc\r\n") == 501);
    CHECK(h.send_one("MAIL FROM:<alice@example.org> SIZE=20000\r\n") == 552);
    CHECK(h.has_note("smtp.note.size_exceeded"));
    CHECK(h.send_one("MAIL FROM:<alice@example.org> FOO=1\r\n") == 555);
    CHECK(h.send_one("MAIL FROM:<alice@example.org> BODY=9BIT\r\n") == 501);
    CHECK(h.send_one("MAIL FROM:<alice@example.org> BODY=8BITMIME SIZE=100\r\n") == 250);
    CHECK(h.send_one("MAIL FROM:<alice@example.org>\r\n") == 503);  // nested MAIL
    CHECK(h.send_one("DATA\r\n") == 503);                          // no recipient yet
    CHECK(h.send_one("RCPT TO:<nosuch@example.org>\r\n") == 550);
    CHECK(h.send_one("RCPT TO:<someone@elsewhere.test>\r\n") == 554);
    CHECK(h.has_note("smtp.note.relay_denied"));
    CHECK(h.send_one("RCPT TO:<>\r\n") == 501);
    CHECK(h.send_one("RCPT TO:<bob@example.org> NOTIFY=NEVER\r\n") == 555);
    CHECK(h.send_one("RCPT TO:<bob@example.org>\r\n") == 250);
    CHECK(h.send_one("VRFY bob\r\n") == 252);
    CHECK(h.send_one("EXPN staff\r\n") == 502);
    CHECK(h.send_one("BDAT 10 LAST\r\n") == 502);
    CHECK(h.send_one("HELP\r\n") == 214);
    CHECK(h.send_one("NOOP\r\n") == 250);
    CHECK(h.send_one("STARTTLS\r\n") == 503);  // not inside a transaction
    CHECK(h.send_one("RSET\r\n") == 250);
    CHECK(h.session.state() == server_state::ready);
    CHECK(h.send_one("STARTTLS now\r\n") == 501);
}

TEST_CASE("a command line over 1000 octets gets 500 and the session goes on") {
    smtp_server_harness h;
    h.send("EHLO c\r\n");
    std::string long_line = "NOOP " + std::string(1500, 'x') + "\r\n";
    CHECK(h.send_one(long_line) == 500);
    CHECK(h.has_note("smtp.note.line_too_long"));
    CHECK(h.send_one("NOOP\r\n") == 250);
    // The same, arriving in small pieces: memory stays bounded and the answer is the same.
    smtp_server_harness g;
    g.send("EHLO c\r\n");
    std::vector<int> codes;
    for (std::size_t i = 0; i < 5000; i += 100)
        for (int c : g.send(std::string(100, 'y'))) codes.push_back(c);
    for (int c : g.send("\r\nNOOP\r\n")) codes.push_back(c);
    CHECK(codes == std::vector<int>{500, 250});
}

TEST_CASE("message over SIZE is read to its end and refused with 552; nothing stored") {
    smtp_server_harness h;
    h.send("EHLO c\r\nMAIL FROM:<alice@example.org>\r\nRCPT TO:<bob@example.org>\r\nDATA\r\n");
    std::string body;
    for (int i = 0; i < 300; ++i) body += "0123456789012345678901234567890123456789\r\n";
    CHECK(h.send(body).empty());
    CHECK(h.send_one(".\r\n") == 552);
    CHECK(h.inbox("bob@example.org").messages.empty());
    CHECK(h.session.state() == server_state::ready);
    CHECK(h.send_one("NOOP\r\n") == 250);
}

TEST_CASE("dot-stuffing: leading dots are removed, a lone dot ends the text") {
    smtp_server_harness h;
    h.send("EHLO c\r\nMAIL FROM:<alice@example.org>\r\nRCPT TO:<bob@example.org>\r\nDATA\r\n");
    CHECK(h.send_one("Subject: dots\r\n\r\n..\r\n...leading\r\n.x\r\nend\r\n.\r\n") == 250);
    const auto& msg = h.inbox("bob@example.org").messages.at(0).bytes;
    CHECK(msg.ends_with("Subject: dots\r\n\r\n.\r\n..leading\r\nx\r\nend\r\n"));
    CHECK(h.has_note("smtp.note.dot_stuffing"));
    auto data = h.events_of(event_kind::data);
    REQUIRE(data.size() == 1);
    CHECK(data[0]->raw == "Subject: dots\r\n\r\n..\r\n...leading\r\n.x\r\nend\r\n.\r\n");
}

TEST_CASE("mail is stored before the 250, and a connection lost in DATA delivers nothing") {
    smtp_server_harness h;
    h.send("EHLO c\r\nMAIL FROM:<alice@example.org>\r\nRCPT TO:<bob@example.org>\r\nDATA\r\n");
    h.send("Subject: lost\r\n\r\nhalf a message\r\n");
    h.session.connection_lost();
    CHECK(h.session.state() == server_state::closed);
    CHECK(h.inbox("bob@example.org").messages.empty());
    CHECK(h.has_note("smtp.note.dropped_in_data"));

    smtp_server_harness g;
    g.send("EHLO c\r\nMAIL FROM:<alice@example.org>\r\nRCPT TO:<bob@example.org>\r\nDATA\r\n");
    g.send("Subject: kept\r\n\r\nbody\r\n.\r\n");
    // The store event comes before the 250 reply in the trace.
    std::uint64_t store_seq = 0, reply_seq = 0;
    for (const auto& e : g.t.events()) {
        if (e.kind == event_kind::store) store_seq = e.seq;
        if (e.kind == event_kind::reply && e.fields["code"] == 250 && store_seq) reply_seq = e.seq;
    }
    CHECK(store_seq > 0);
    CHECK(reply_seq > store_seq);
}

TEST_CASE("AUTH PLAIN and LOGIN: success, failure, cancel, bad base64, decoded in the trace") {
    smtp_server_harness h;
    h.send("EHLO c\r\n");
    CHECK(h.send_one("AUTH PLAIN " + auth_plain("alice", "wrong") + "\r\n") == 535);
    CHECK(h.send_one("AUTH PLAIN !!!!\r\n") == 501);
    CHECK(h.send_one("AUTH CRAM-MD5\r\n") == 504);
    CHECK(h.send_one("AUTH PLAIN\r\n") == 334);
    CHECK(h.session.state() == server_state::auth);
    CHECK(h.send_one("*\r\n") == 501);
    CHECK(h.session.state() == server_state::ready);
    CHECK(h.send_one("AUTH LOGIN\r\n") == 334);
    CHECK(h.last_output == "334 VXNlcm5hbWU6\r\n");
    CHECK(h.send_one(maillab::base64_encode("alice") + "\r\n") == 334);
    CHECK(h.last_output == "334 UGFzc3dvcmQ6\r\n");
    CHECK(h.send_one(maillab::base64_encode("alice-pw") + "\r\n") == 235);
    CHECK(h.send_one("AUTH PLAIN " + auth_plain("alice", "alice-pw") + "\r\n") == 503);
    bool saw_password = false;
    for (const auto& e : h.t.events())
        if (e.explain == "smtp.note.auth_decoded" && e.fields["decoded"].contains("password") &&
            e.fields["decoded"]["password"] == "alice-pw")
            saw_password = true;
    CHECK(saw_password);
    CHECK(h.has_note("smtp.note.auth_in_clear"));

    // Authenticated: a foreign recipient is accepted and queued for relay.
    CHECK(h.send_one("MAIL FROM:<alice@example.org>\r\n") == 250);
    CHECK(h.send_one("RCPT TO:<carol@elsewhere.test>\r\n") == 250);
    CHECK(h.send_one("DATA\r\n") == 354);
    CHECK(h.send_one("Subject: out\r\n\r\nhi\r\n.\r\n") == 250);
    REQUIRE(h.store.outbound_queue().size() == 1);
    CHECK(h.store.outbound_queue()[0].recipients ==
          std::vector<std::string>{"carol@elsewhere.test"});

    smtp_server_harness g;
    g.send("EHLO c\r\n");
    CHECK(g.send_one("AUTH PLAIN\r\n") == 334);
    CHECK(g.send_one(auth_plain("bob", "bob-pw") + "\r\n") == 235);
    smtp_server_harness f;
    f.send("EHLO c\r\n");
    CHECK(f.send_one("AUTH LOGIN " + maillab::base64_encode("bob") + "\r\n") == 334);
    CHECK(f.send_one(maillab::base64_encode("nope") + "\r\n") == 535);
}

TEST_CASE("STARTTLS: 220, pipelined bytes discarded, fresh EHLO required after the handshake") {
    smtp_server_harness h;
    h.send("EHLO c\r\n");
    auto codes = h.send("STARTTLS\r\nMAIL FROM:<evil@example.org>\r\n");
    CHECK(codes == std::vector<int>{220});
    CHECK(h.session.wants_tls());
    CHECK(h.session.state() == server_state::tls_handshake);
    CHECK(h.has_note("smtp.note.starttls_discarded"));
    CHECK(h.send("NOOP\r\n").empty());  // nothing is read until the handshake is done
    h.session.tls_established({"TLSv1.3", "TLS_AES_256_GCM_SHA384"});
    CHECK_FALSE(h.session.wants_tls());
    CHECK(h.session.state() == server_state::wait_helo);
    CHECK(h.send_one("MAIL FROM:<alice@example.org>\r\n") == 503);
    CHECK(h.send_one("EHLO c\r\n") == 250);
    CHECK(h.last_output.find("STARTTLS") == std::string::npos);  // not offered twice
    CHECK(h.send_one("STARTTLS\r\n") == 503);

    smtp_server_harness no_tls{maillab::smtp::server_config{}};
    no_tls.send("EHLO c\r\n");
    CHECK(no_tls.last_output.find("STARTTLS") == std::string::npos);
    CHECK(no_tls.send_one("STARTTLS\r\n") == 454);
}

TEST_CASE("the seed's SMTPDemo: lowercase, bare helo, bare LF, pipelined end, mail delivered") {
    smtp_server_harness h;
    CHECK(h.send_one("helo\n") == 250);
    CHECK(h.has_note("smtp.note.helo_without_domain"));
    CHECK(h.has_note("smtp.note.lowercase_verb"));
    CHECK(h.has_note("smtp.note.bare_lf"));
    CHECK(h.send_one("mail from: <alice@example.org>\n") == 250);
    CHECK(h.has_note("smtp.note.space_after_colon"));
    CHECK(h.send_one("rcpt to: <bob@example.org>\n") == 250);
    // Everything after "data" arrives at once, as the demo never waits for 354.
    auto codes = h.send(
        "data\nsubject: \xe4\xbd\xa0\xe5\xa5\xbd\nni hao\nwo shi li jian\n.\nrset\nquit\n");
    CHECK(codes == std::vector<int>{354, 250, 250, 221});
    const auto& box = h.inbox("bob@example.org");
    REQUIRE(box.messages.size() == 1);
    CHECK(box.messages[0].bytes.ends_with(
        "\r\nsubject: \xe4\xbd\xa0\xe5\xa5\xbd\nni hao\nwo shi li jian\n"));
    CHECK(h.has_note("smtp.note.header_8bit"));
    CHECK(h.has_note("smtp.note.no_blank_line_after_header"));
    CHECK(h.has_note("smtp.note.data_bare_lf_end"));
    CHECK(h.session.state() == server_state::closed);
}

TEST_CASE("a bare local part resolves to the unique user, with a note") {
    smtp_server_harness h;
    h.send("EHLO c\r\nMAIL FROM:<alice>\r\n");
    CHECK(h.has_note("smtp.note.sender_without_domain"));
    CHECK(h.send_one("RCPT TO:<bob>\r\n") == 250);
    CHECK(h.has_note("smtp.note.address_without_domain"));
    CHECK(h.send_one("RCPT TO:<nobody>\r\n") == 550);
    h.send("DATA\r\nx\r\n.\r\n");
    CHECK(h.inbox("bob@example.org").messages.size() == 1);
}

TEST_CASE("any split of the input gives the same replies, events and stored mail") {
    const std::string session =
        "EHLO split.example\r\nAUTH PLAIN " + auth_plain("alice", "alice-pw") +
        "\r\nMAIL FROM:<alice@example.org>\r\nRCPT TO:<bob@example.org>\r\nDATA\r\n"
        "Subject: split\r\n\r\n..dot\r\nline\r\n.\r\nQUIT\r\n";
    smtp_server_harness whole;
    whole.send(session);
    std::string expected_out = whole.last_output;
    for (std::size_t cut = 1; cut < session.size(); ++cut) {
        smtp_server_harness h;
        std::string out;
        h.send(session.substr(0, cut));
        out += h.last_output;
        h.send(session.substr(cut));
        out += h.last_output;
        INFO("split at ", cut);
        REQUIRE(out == expected_out);
        REQUIRE(h.inbox("bob@example.org").messages.at(0).bytes ==
                whole.inbox("bob@example.org").messages.at(0).bytes);
    }
    smtp_server_harness bytewise;
    std::string out;
    for (char c : session) {
        bytewise.send(std::string(1, c));
        out += bytewise.last_output;
    }
    CHECK(out == expected_out);
}

TEST_CASE("every explanation key the server emits is in the catalog, in English and Chinese") {
    smtp_server_harness h;
    h.send("helo\nEHLO c\r\nFOO\r\nMAIL FROM:<alice@example.org>\r\nRCPT TO:<x@elsewhere.test>\r\n"
           "RCPT TO:<bob@example.org>\r\nDATA\r\nSubject: \xe4\xbd\xa0\r\nbody\r\n.\r\nVRFY x\r\n"
           "HELP\r\nAUTH PLAIN\r\n*\r\nSTARTTLS\r\n");
    h.session.tls_established({"TLSv1.3", "X"});
    h.send("EHLO c\r\nQUIT\r\n");
    maillab::test::check_explanations(h.t.events());
    maillab::test::check_transitions(h.t.events());
    const auto& catalog = maillab::explain_catalog::builtin();
    for (int state = 0; state <= static_cast<int>(server_state::closed); ++state)
        CHECK(catalog.find(fmt::format(
                  "smtp.state.{}", maillab::smtp::to_string(static_cast<server_state>(state)))));
    for (const auto& spec : maillab::smtp::server_session::command_table())
        CHECK(catalog.find(fmt::format("smtp.cmd.{}", spec.verb)));
}

TEST_CASE("extensions need EHLO; duplicate recipients get one copy; addresses fold case") {
    smtp_server_harness h;
    CHECK(h.send_one("HELO old.example\r\n") == 250);
    CHECK(h.send_one("RCPT TO:<bob@example.org>\r\n") == 503);  // no MAIL yet
    CHECK(h.send_one("AUTH PLAIN " + auth_plain("alice", "alice-pw") + "\r\n") == 503);
    CHECK(h.send_one("STARTTLS\r\n") == 503);
    CHECK(h.send_one("MAIL FROM:<alice@example.org> SIZE=10\r\n") == 555);
    CHECK(h.send_one("MAIL FROM:<alice@example.org>\r\n") == 250);
    CHECK(h.send_one("RCPT TO:<bob@example.org>\r\n") == 250);
    CHECK(h.send_one("RCPT TO:<BOB@Example.ORG>\r\n") == 250);
    CHECK(h.send_one("DATA\r\n") == 354);
    CHECK(h.send_one("Subject: once\r\n\r\nx\r\n.\r\n") == 250);
    const auto& box = h.inbox("bob@example.org");
    REQUIRE(box.messages.size() == 1);
    CHECK(box.messages[0].bytes.find("with SMTP\r\n") != std::string::npos);  // RFC 3848
    CHECK(h.has_note("smtp.note.stateful"));  // the first 503 corrects seed 000
}

TEST_CASE("notes about the message text come after the text in the trace") {
    smtp_server_harness h;
    h.send("EHLO c\r\nMAIL FROM:<alice@example.org>\r\nRCPT TO:<bob@example.org>\r\nDATA\r\n");
    h.send("subject: \xe4\xbd\xa0\nno blank line\n.\n");
    std::uint64_t data_seq = 0;
    for (const auto& e : h.t.events()) {
        if (e.kind == event_kind::data) data_seq = e.seq;
        if (e.explain == "smtp.note.header_8bit" || e.explain == "smtp.note.data_bare_lf_end") {
            CHECK(data_seq != 0);
            CHECK(e.seq > data_seq);
            CHECK(e.cause == data_seq);
        }
    }
}

TEST_CASE("a delivery that fails for one recipient is taken back for all (no duplicate on retry)") {
    namespace fs = std::filesystem;
    fs::path root = fs::temp_directory_path() / ("maillab-rollback-" + std::to_string(::getpid()));
    fs::remove_all(root);
    {
        maillab::virtual_clock clock;
        maillab::trace t(clock);
        maillab::mail_store store(root);
        store.add_user("alice@example.org", "a");
        store.add_user("bob@example.org", "b");
        // bob's Maildir cannot take a message: its tmp/ is a file, not a directory.
        fs::remove_all(root / "bob@example.org" / "tmp");
        std::ofstream(root / "bob@example.org" / "tmp") << "in the way";
        maillab::smtp::local_delivery delivery(store, {"example.org"});
        maillab::connection_tracer tracer(t, 1, "smtp", "mx", "client");
        maillab::smtp::server_session s(maillab::smtp::server_config{}, delivery, tracer);
        s.start();
        s.receive("EHLO c\r\nMAIL FROM:<x@example.org>\r\nRCPT TO:<alice@example.org>\r\n"
                  "RCPT TO:<bob@example.org>\r\nDATA\r\nSubject: both\r\n\r\nx\r\n.\r\n");
        std::string out = s.take_output();
        CHECK(out.find("451 4.3.0") != std::string::npos);
        CHECK(store.find_mailbox("alice@example.org", "INBOX")->messages.empty());
    }
    fs::remove_all(root);
}
