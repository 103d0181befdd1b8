#include "sim/imap/command_client.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <fstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "sim/core/clock.hpp"
#include "sim/imap/server_session.hpp"
#include "sim/store/mail_store.hpp"

using namespace maillab;
using imap::command_client_state;

namespace {
const char* multipart_message =
    "From: Alice <alice@example.org>\r\n"
    "To: bob@example.org\r\n"
    "Subject: =?UTF-8?B?5pyf5pyr6ICD6K+V?=\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/mixed; boundary=b\r\n"
    "\r\n"
    "--b\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "Content-Transfer-Encoding: base64\r\n"
    "\r\n"
    "5L2g5aW977yM6K+35p+l55yL6ZmE5Lu244CC\r\n"
    "--b\r\n"
    "Content-Type: application/pdf; name=exam.pdf\r\n"
    "Content-Transfer-Encoding: base64\r\n"
    "\r\n"
    "JVBERi0xLjQK\r\n"
    "--b--\r\n";

// The client and maillab's own IMAP server, connected by handing each one's output to the other
// until both are quiet. A STARTTLS handshake is pretended (both ends are told it succeeded).
struct webmail_world {
    virtual_clock clock;
    trace t{clock};
    mail_store store;
    std::uint64_t next_conn = 1;
    std::uint64_t last_conn = 0;
    std::string to_server;  // the last run's bytes, each way
    std::string to_client;
    command_client_state last_state = command_client_state::connecting;

    webmail_world() {
        store.add_user("bob@example.org", "pw");
        store.deliver("bob@example.org", "INBOX", multipart_message, clock.now_us());
        store.deliver("bob@example.org", "INBOX",
                      "Subject: second\r\nFrom: carol@example.org\r\n\r\nhello world\r\n",
                      clock.now_us());
        store.deliver("bob@example.org", "INBOX", "Subject: third\r\n\r\nbye\r\n", clock.now_us());
    }

    imap::command_result run(imap::command_job job, imap::server_config config = {},
                             bool bytewise = false) {
        last_conn = next_conn++;
        connection_tracer ct(t, last_conn, "imap", "webmail", "mail.example.org");
        connection_tracer st(t, last_conn, "imap", "mail.example.org", "webmail");
        imap::command_client client(std::move(job), ct);
        imap::server_session server(config, store, st);
        to_server.clear();
        to_client.clear();
        client.start();
        server.start();
        for (int round = 0; round < 1000; ++round) {
            if (client.wants_tls() && server.wants_tls()) {
                server.tls_established({"TLSv1.3", "pretend"});
                client.tls_established({"TLSv1.3", "pretend"});
                continue;
            }
            std::string down = server.take_output();
            std::string up = client.take_output();
            if (down.empty() && up.empty()) break;
            to_client += down;
            to_server += up;
            if (bytewise) {
                for (char c : down) client.receive(std::string_view(&c, 1));
            } else if (!down.empty()) {
                client.receive(down);
            }
            if (!up.empty()) server.receive(up);
        }
        // Quiet: whoever asked to close does so, and the other end sees the connection go.
        if (server.wants_close() || client.wants_close()) {
            if (!client.finished()) client.connection_lost();
            server.connection_lost();
        }
        CHECK(client.finished());
        last_state = client.state();
        return client.result();
    }

    // The client's states in the last run, as traced.
    std::vector<std::string> client_states() const {
        std::vector<std::string> out;
        for (const auto& e : t.events())
            if (e.conn == last_conn && e.kind == event_kind::state &&
                e.fields.value("machine", "") == "imap.client") {
                if (out.empty()) out.push_back(e.fields.value("from_state", ""));
                out.push_back(e.fields.value("to_state", ""));
            }
        return out;
    }

    const mailbox& box(const std::string& name) const {
        const mailbox* b = store.find_mailbox("bob@example.org", name);
        REQUIRE(b != nullptr);
        return *b;
    }
};

imap::command_job job_for(std::vector<imap::command_step> commands, std::string password = "pw") {
    imap::command_job job;
    job.user = "bob";
    job.password = std::move(password);
    job.commands = std::move(commands);
    return job;
}

std::vector<imap::fetch_item_map> fetches(const imap::command_outcome& o) {
    std::vector<imap::fetch_item_map> out;
    for (const auto& r : o.untagged)
        if (auto m = imap::fetch_items(r)) out.push_back(*m);
    return out;
}

bool has_untagged(const imap::command_outcome& o, std::string_view raw) {
    for (const auto& r : o.untagged)
        if (r.raw == raw) return true;
    return false;
}

const std::vector<imap::command_step> reading_session = {
    "SELECT INBOX",
    "UID FETCH 1:* (UID FLAGS BODY.PEEK[HEADER.FIELDS (FROM SUBJECT)])",
    "UID FETCH 1 (BODY.PEEK[1] BODYSTRUCTURE)",
    "UID STORE 3 +FLAGS (\\Deleted)",
    "EXPUNGE",
    "LIST \"\" *",
};
}  // namespace

TEST_CASE("IMAP command client: SELECT, UID FETCH headers and a part, STORE, EXPUNGE, LIST") {
    webmail_world w;
    w.store.create_mailbox("bob@example.org", "Archive");
    auto result = w.run(job_for(reading_session));
    CHECK(result.error == "");
    CHECK(result.logged_in);
    CHECK(result.completed);
    CHECK(w.last_state == command_client_state::done);
    CHECK(result.greeting == "mail.example.org maillab IMAP4rev1 ready");
    CHECK(std::count(result.capabilities.begin(), result.capabilities.end(), "LITERAL+") == 1);
    CHECK(w.client_states() ==
          std::vector<std::string>{"CONNECTING", "GREETING", "LOGIN", "COMMAND", "LOGOUT", "DONE"});
    CHECK(w.to_server.rfind("a1 LOGIN \"bob\" \"pw\"\r\na2 SELECT INBOX\r\n", 0) == 0);
    REQUIRE(result.outcomes.size() == 6);
    for (std::size_t i = 0; i < 6; ++i) {
        CHECK(result.outcomes[i].command == reading_session[i].command);
        CHECK(result.outcomes[i].tag == fmt::format("a{}", i + 2));
        CHECK(result.outcomes[i].status == "OK");
    }

    const auto& select = result.outcomes[0];
    CHECK(select.text == "[READ-WRITE] SELECT completed");
    REQUIRE(select.completion.code());
    CHECK(select.completion.code()->items[0].is_atom("READ-WRITE"));
    CHECK(has_untagged(select, "* 3 EXISTS\r\n"));
    bool uidvalidity = false;
    for (const auto& r : select.untagged)
        if (const auto* code = r.code(); code && code->items[0].is_atom("UIDVALIDITY"))
            uidvalidity = code->items[1].as_number() == 1u;
    CHECK(uidvalidity);

    auto headers = fetches(result.outcomes[1]);
    REQUIRE(headers.size() == 3);
    CHECK(headers[1].number == 2);
    CHECK(headers[1].find("UID")->as_number() == 2u);
    const imap::value* h = headers[1].find("BODY[HEADER.FIELDS (FROM SUBJECT)]");
    REQUIRE(h);
    CHECK(h->text == "Subject: second\r\nFrom: carol@example.org\r\n\r\n");
    CHECK(headers[0].find("BODY[HEADER.FIELDS (FROM SUBJECT)]")->text ==
          "From: Alice <alice@example.org>\r\nSubject: =?UTF-8?B?5pyf5pyr6ICD6K+V?=\r\n\r\n");
    REQUIRE(headers[0].find("FLAGS"));
    CHECK(headers[0].find("FLAGS")->is_list());

    auto part = fetches(result.outcomes[2]);
    REQUIRE(part.size() == 1);
    CHECK(part[0].find("BODY[1]")->text == "5L2g5aW977yM6K+35p+l55yL6ZmE5Lu244CC");
    const imap::value* bs = part[0].find("BODYSTRUCTURE");
    REQUIRE(bs);
    REQUIRE(bs->items.size() >= 3);
    CHECK(bs->items[0].items[0].text == "TEXT");
    CHECK(bs->items[1].items[1].text == "PDF");
    CHECK(bs->items[2].text == "MIXED");

    auto flagged = fetches(result.outcomes[3]);
    REQUIRE(flagged.size() == 1);
    CHECK(flagged[0].number == 3);
    bool deleted = false;
    for (const auto& f : flagged[0].find("FLAGS")->items) deleted |= f.is_atom("\\Deleted");
    CHECK(deleted);

    CHECK(has_untagged(result.outcomes[4], "* 3 EXPUNGE\r\n"));
    CHECK(w.box("INBOX").messages.size() == 2);

    std::vector<std::string> names;
    for (const auto& r : result.outcomes[5].untagged) {
        REQUIRE(r.words.size() == 4);
        CHECK(r.words[0].is_atom("LIST"));
        CHECK(r.words[2].text == ".");  // the delimiter, a quoted string
        names.push_back(*r.words[3].as_string());
    }
    CHECK(names == std::vector<std::string>{"INBOX", "Archive"});
}

TEST_CASE("IMAP command client: responses delivered byte by byte give the same outcomes") {
    webmail_world a, b;
    auto whole = a.run(job_for(reading_session));
    auto bytewise = b.run(job_for(reading_session), {}, true);
    CHECK(bytewise.completed);
    REQUIRE(whole.outcomes.size() == bytewise.outcomes.size());
    for (std::size_t i = 0; i < whole.outcomes.size(); ++i) {
        CHECK(whole.outcomes[i].status == bytewise.outcomes[i].status);
        REQUIRE(whole.outcomes[i].untagged.size() == bytewise.outcomes[i].untagged.size());
        for (std::size_t j = 0; j < whole.outcomes[i].untagged.size(); ++j)
            CHECK(whole.outcomes[i].untagged[j].raw == bytewise.outcomes[i].untagged[j].raw);
    }
    CHECK(a.to_client == b.to_client);
}

TEST_CASE("IMAP command client: APPEND a message, then FETCH it byte-exact") {
    // Lines that look like IMAP inside the message must travel as octets of the literal.
    std::string message =
        "From: bob@example.org\r\n"
        "To: alice@example.org\r\n"
        "Subject: =?UTF-8?B?5pyf5pyr?= (draft) {5}\r\n"
        "\r\n"
        "\xe4\xbd\xa0\xe5\xa5\xbd \"quoted\" \\ back\r\n"
        "{3}\r\n"
        ")\r\n"
        "* 1 EXPUNGE\r\n"
        "a9 OK not really\r\n";
    for (int i = 0; i < 2000; ++i) message += fmt::format("line {} of a long draft\r\n", i);

    for (bool plus : {true, false}) {
        CAPTURE(plus);
        webmail_world w;
        auto job = job_for({"CREATE Sent",
                            {"APPEND Sent (\\Seen)", message},
                            "SELECT Sent",
                            "UID FETCH 1 (FLAGS RFC822.SIZE BODY.PEEK[])"});
        job.use_literal_plus = plus;
        auto result = w.run(job);
        CHECK(result.error == "");
        CHECK(result.completed);
        REQUIRE(result.outcomes.size() == 4);
        std::string marker = fmt::format("{{{}{}}}", message.size(), plus ? "+" : "");
        const auto& append = result.outcomes[1];
        CHECK(append.command == "APPEND Sent (\\Seen) " + marker);
        CHECK(append.status == "OK");
        REQUIRE(append.completion.code());
        CHECK(append.completion.code()->items[0].is_atom("APPENDUID"));
        CHECK(append.completion.code()->items[2].as_number() == 1u);
        std::string wire = "a3 APPEND Sent (\\Seen) " + marker + "\r\n" + message + "\r\na4 SELECT";
        CHECK(w.to_server.find(wire) != std::string::npos);
        // Without LITERAL+ the client waited for the server's "+" before the octets.
        CHECK((w.to_client.find("+ Ready for") != std::string::npos) == !plus);

        auto fetched = fetches(result.outcomes[3]);
        REQUIRE(fetched.size() == 1);
        CHECK(fetched[0].find("BODY[]")->text == message);
        CHECK(fetched[0].find("RFC822.SIZE")->as_number() == message.size());
        // \Recent: this session is the first to select Sent since the APPEND (RFC 3501 2.3.2).
        CHECK(imap::to_imap(*fetched[0].find("FLAGS")) == "(\\Seen \\Recent)");
        REQUIRE(w.box("Sent").messages.size() == 1);
        CHECK(w.box("Sent").messages[0].bytes == message);
    }
}

TEST_CASE("IMAP command client: a literal the server refuses is never sent") {
    std::string message = "Subject: big\r\n\r\n" + std::string(5000, 'x') + "\r\n";
    imap::server_config config;
    config.limits.max_literal = 1000;
    {
        // A synchronising literal: the server answers BAD instead of "+"; the list stops.
        webmail_world w;
        auto job = job_for({{"APPEND INBOX", message}, "SELECT INBOX"});
        job.use_literal_plus = false;
        auto result = w.run(job, config);
        REQUIRE(result.outcomes.size() == 1);
        CHECK(result.outcomes[0].status == "BAD");
        CHECK_FALSE(result.completed);
        CHECK(result.error.find("APPEND INBOX {5018} answered BAD") == 0);
        CHECK(w.last_state == command_client_state::done);
        CHECK(w.to_server.find("xxxx") == std::string::npos);
        CHECK(w.to_server.find("SELECT") == std::string::npos);
        CHECK(w.to_server.find("a3 LOGOUT\r\n") != std::string::npos);
        CHECK(w.box("INBOX").messages.size() == 3);
    }
    {
        // LITERAL+: the octets are on their way, so the server can only say BYE and close.
        webmail_world w;
        auto result = w.run(job_for({{"APPEND INBOX", message}}), config);
        CHECK(w.last_state == command_client_state::failed);
        CHECK(result.logged_in);
        CHECK(result.error.find("the server ended the session: ") == 0);
        CHECK(w.box("INBOX").messages.size() == 3);
    }
}

TEST_CASE("IMAP command client: a NO stops the list unless told to go on") {
    std::vector<imap::command_step> commands = {"SELECT INBOX", "SELECT Nowhere",
                                                "UID STORE 1 +FLAGS (\\Flagged)"};
    {
        webmail_world w;
        auto result = w.run(job_for(commands));
        CHECK(result.logged_in);
        CHECK_FALSE(result.completed);
        REQUIRE(result.outcomes.size() == 2);
        CHECK(result.outcomes[1].status == "NO");
        CHECK(result.error.find("SELECT Nowhere answered NO") == 0);
        CHECK(w.last_state == command_client_state::done);  // logged out properly
        CHECK(w.to_server.find("STORE") == std::string::npos);
        CHECK(w.to_server.find("a4 LOGOUT\r\n") != std::string::npos);
        CHECK(w.box("INBOX").messages[0].flags.count("\\Flagged") == 0);
    }
    {
        webmail_world w;
        auto job = job_for(commands);
        job.stop_on_no = false;
        auto result = w.run(job);
        CHECK(result.completed);
        CHECK(result.error == "");
        REQUIRE(result.outcomes.size() == 3);
        CHECK(result.outcomes[1].status == "NO");
        // RFC 3501 6.3.1: after a failed SELECT no mailbox is selected.
        CHECK(result.outcomes[2].status == "BAD");
    }
}

TEST_CASE("IMAP command client: a wrong password fails, nothing else is sent") {
    webmail_world w;
    auto result = w.run(job_for(reading_session, "wrong"));
    CHECK_FALSE(result.logged_in);
    CHECK_FALSE(result.completed);
    CHECK(result.error.find("login refused: [AUTHENTICATIONFAILED]") == 0);
    CHECK(result.outcomes.empty());
    CHECK(w.last_state == command_client_state::failed);
    CHECK(w.client_states() ==
          std::vector<std::string>{"CONNECTING", "GREETING", "LOGIN", "FAILED"});
    CHECK(w.to_server == "a1 LOGIN \"bob\" \"wrong\"\r\na2 LOGOUT\r\n");
    CHECK(w.box("INBOX").messages.size() == 3);
}

TEST_CASE("IMAP command client: LOGIN as quoted strings with escapes, or literals") {
    webmail_world w;
    w.store.add_user("carol@example.org", "pa\"ss\\word");
    const std::string dave_password = "\xe5\xaf\x86\xe7\xa0\x81 pw";  // 密码 pw, 9 octets
    w.store.add_user("dave@example.org", dave_password);
    auto job = job_for({"SELECT INBOX"}, "pa\"ss\\word");
    job.user = "carol@example.org";
    auto result = w.run(job);
    CHECK(result.completed);
    CHECK(w.to_server.rfind("a1 LOGIN \"carol@example.org\" \"pa\\\"ss\\\\word\"\r\n", 0) == 0);

    job.user = "dave@example.org";
    job.password = dave_password;
    result = w.run(job);
    CHECK(result.completed);
    CHECK(w.to_server.rfind("a1 LOGIN \"dave@example.org\" {9+}\r\n" + dave_password + "\r\n",
                            0) == 0);
    job.use_literal_plus = false;
    result = w.run(job);
    CHECK(result.completed);
    CHECK(w.to_server.rfind("a1 LOGIN \"dave@example.org\" {9}\r\n" + dave_password + "\r\n",
                            0) == 0);
    CHECK(w.to_client.find("+ Ready for 9 octets\r\n") != std::string::npos);
    // A user name that needs a literal too: two literals in one command.
    job.user = "dave\r\n@example.org";
    result = w.run(job);
    CHECK(w.to_server.rfind("a1 LOGIN {18}\r\ndave\r\n@example.org {9}\r\n", 0) == 0);
    CHECK(result.error.find("login refused") == 0);
}

TEST_CASE("IMAP command client: STARTTLS before LOGIN, or stop if it is refused") {
    webmail_world w;
    imap::server_config config;
    config.tls_available = true;
    auto job = job_for({"SELECT INBOX"});
    job.use_starttls = true;
    auto result = w.run(job, config);
    CHECK(result.completed);
    CHECK(w.client_states() == std::vector<std::string>{"CONNECTING", "GREETING", "STARTTLS",
                                                        "TLS_HANDSHAKE", "LOGIN", "COMMAND",
                                                        "LOGOUT", "DONE"});
    CHECK(w.to_server.rfind("a1 STARTTLS\r\na2 LOGIN", 0) == 0);
    // The capabilities are those given inside TLS (LOGIN's OK), without STARTTLS.
    CHECK(std::count(result.capabilities.begin(), result.capabilities.end(), "STARTTLS") == 0);
    CHECK(std::count(result.capabilities.begin(), result.capabilities.end(), "IMAP4REV1") == 1);

    result = w.run(job);  // tls_available false: NO
    CHECK_FALSE(result.logged_in);
    CHECK(result.error.find("STARTTLS refused: ") == 0);
    CHECK(w.last_state == command_client_state::failed);
    CHECK(w.to_server.find("LOGIN") == std::string::npos);
}

TEST_CASE("IMAP command client: scripted servers (PREAUTH, BYE, injection after STARTTLS)") {
    virtual_clock clock;
    trace t{clock};
    connection_tracer ct(t, 1, "imap", "webmail", "mail");

    SUBCASE("PREAUTH: no LOGIN; untagged data goes to the command in flight") {
        imap::command_client c(job_for({"SELECT INBOX"}), ct);
        c.start();
        c.receive("* PREAUTH [CAPABILITY IMAP4rev1] welcome back\r\n");
        CHECK(c.result().logged_in);
        CHECK(c.take_output() == "a1 SELECT INBOX\r\n");
        c.receive("+ nobody asked\r\n* 2 EXISTS\r\nzz OK not ours\r\na1 OK [READ-WRITE] done\r\n");
        CHECK(c.take_output() == "a2 LOGOUT\r\n");
        c.receive("* BYE bye\r\n");
        CHECK(c.state() == command_client_state::logout);
        c.connection_lost();  // closed before the tagged OK: the session is over all the same
        CHECK(c.state() == command_client_state::done);
        CHECK(c.result().completed);
        REQUIRE(c.result().outcomes.size() == 1);
        REQUIRE(c.result().outcomes[0].untagged.size() == 1);
        CHECK(c.result().outcomes[0].untagged[0].raw == "* 2 EXISTS\r\n");
        CHECK(c.result().outcomes[0].text == "[READ-WRITE] done");
    }
    SUBCASE("PREAUTH when STARTTLS was required is refused") {
        auto job = job_for({"SELECT INBOX"});
        job.use_starttls = true;
        imap::command_client c(job, ct);
        c.start();
        c.receive("* PREAUTH hi\r\n");
        CHECK(c.state() == command_client_state::failed);
        CHECK(c.result().error == "PREAUTH greeting, but STARTTLS was required");
        CHECK(c.take_output() == "");
    }
    SUBCASE("a BYE greeting") {
        imap::command_client c(job_for({}), ct);
        c.start();
        c.receive("* BYE [UNAVAILABLE] too busy\r\n");
        CHECK(c.state() == command_client_state::failed);
        CHECK(c.result().error == "the server refused the connection: [UNAVAILABLE] too busy");
        CHECK(c.take_output() == "");
        CHECK(c.wants_close());
    }
    SUBCASE("responses injected in plaintext after STARTTLS's OK are dropped") {
        auto job = job_for({});
        job.use_starttls = true;
        job.password = "\xe5\xaf\x86";
        imap::command_client c(job, ct);
        c.start();
        c.receive("* OK [CAPABILITY IMAP4rev1 STARTTLS] hi\r\n");
        CHECK(c.take_output() == "a1 STARTTLS\r\n");
        c.receive("a1 OK go ahead\r\n* CAPABILITY IMAP4rev1 LITERAL+\r\n"
                  "a2 OK [CAPABILITY X] fake\r\n");
        CHECK(c.wants_tls());
        c.receive("a2 OK still plaintext\r\n");
        CHECK(c.state() == command_client_state::tls_handshake);
        c.tls_established({"TLSv1.3", "pretend"});
        CHECK_FALSE(c.wants_tls());
        // Had the injected LITERAL+ been believed, this would be {3+} and the password sent.
        CHECK(c.take_output() == "a2 LOGIN \"bob\" {3}\r\n");
        CHECK(c.result().capabilities.empty());
        c.receive("+ go\r\n");
        CHECK(c.take_output() == "\xe5\xaf\x86\r\n");
        c.receive("a2 OK [CAPABILITY IMAP4rev1 LITERAL+] in\r\n");
        CHECK(c.result().logged_in);
        CHECK(c.result().capabilities == std::vector<std::string>{"IMAP4REV1", "LITERAL+"});
        CHECK(c.take_output() == "a3 LOGOUT\r\n");
        c.receive("* BYE\r\na3 OK bye\r\n");
        CHECK(c.state() == command_client_state::done);
        CHECK(c.result().completed);
    }
    SUBCASE("a literal over the limit, BYE in the middle, a lost connection") {
        auto job = job_for({"SELECT INBOX", "NOOP"});
        job.limits.max_literal = 10;
        imap::command_client c(job, ct);
        c.start();
        c.receive("* OK hi\r\na1 OK in\r\n");
        CHECK(c.take_output() == "a1 LOGIN \"bob\" \"pw\"\r\na2 SELECT INBOX\r\n");
        c.receive("* 1 FETCH (BODY[] {10}\r\n0123456789)\r\n* 1 FETCH (BODY[] {11}\r\n");
        CHECK(c.state() == command_client_state::failed);
        CHECK(c.result().error ==
              "cannot read the server's responses: a literal of 11 octets is over the limit of 10");
        CHECK(c.take_output() == "");  // no LOGOUT into a stream that cannot be read
        CHECK(c.wants_close());

        imap::command_client d(job_for({"SELECT INBOX", "NOOP"}), ct);
        d.start();
        d.receive("* OK hi\r\na1 OK in\r\n* 1 EXISTS\r\n* BYE [ALERT] shutting down\r\n");
        CHECK(d.state() == command_client_state::failed);
        CHECK(d.result().error == "the server ended the session: [ALERT] shutting down");
        CHECK(d.take_output() == "a1 LOGIN \"bob\" \"pw\"\r\na2 SELECT INBOX\r\n");

        imap::command_client e(job_for({"SELECT INBOX"}), ct);
        e.start();
        e.receive("* OK hi\r\na1 OK in\r\n");
        e.connection_lost();
        CHECK(e.state() == command_client_state::failed);
        CHECK(e.result().error == "connection lost");
        e.receive("a2 OK too late\r\n");
        CHECK(e.result().outcomes.empty());
    }
    SUBCASE("a command with a line break is not sent") {
        imap::command_client c(job_for({"SELECT INBOX\r\na9 DELETE INBOX"}), ct);
        c.start();
        c.receive("* OK hi\r\na1 OK in\r\n");
        CHECK(c.state() == command_client_state::failed);
        CHECK(c.result().error == "command 1 holds a line break (send such data as a literal)");
        CHECK(c.take_output() == "a1 LOGIN \"bob\" \"pw\"\r\na2 LOGOUT\r\n");
    }
}

TEST_CASE("IMAP command client: every state has an explanation in imap.json") {
    // The file itself, not the catalog built into the library, which may be older than it.
    std::ifstream in(std::string(MAILLAB_SOURCE_DIR) + "/sim/explain/catalog/imap.json");
    REQUIRE(in);
    auto catalog = nlohmann::json::parse(in);
    for (auto s : {command_client_state::connecting, command_client_state::greeting,
                   command_client_state::starttls, command_client_state::tls_handshake,
                   command_client_state::login, command_client_state::command,
                   command_client_state::logout, command_client_state::done,
                   command_client_state::failed}) {
        std::string key = fmt::format("imap.client.state.{}", imap::to_string(s));
        INFO(key);
        REQUIRE(catalog.contains(key));
        for (auto field : {"rfc", "en", "zh"}) {
            REQUIRE(catalog[key].contains(field));
            CHECK_FALSE(catalog[key][field].get<std::string>().empty());
        }
    }
}
