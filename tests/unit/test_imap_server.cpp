#include "sim/imap/server_session.hpp"

#include <doctest/doctest.h>

#include <fmt/format.h>

#include "catalog_check.hpp"
#include "sim/core/bytes.hpp"
#include "sim/imap/mailbox_name.hpp"
#include "sim/imap/sequence_set.hpp"
#include "transitions_check.hpp"

using namespace maillab;
using imap::server_state;

namespace {
const char* multipart_message =
    "From: Alice <alice@example.org>\r\n"
    "To: bob@example.org\r\n"
    "Subject: =?UTF-8?B?5pyf5pyr6ICD6K+V?=\r\n"
    "Date: Mon, 06 Jan 2025 09:00:00 +0000\r\n"
    "Message-ID: <m1@example.org>\r\n"
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
    "Content-Disposition: attachment; filename=exam.pdf\r\n"
    "Content-Transfer-Encoding: base64\r\n"
    "\r\n"
    "JVBERi0xLjQK\r\n"
    "--b--\r\n";

struct imap_world {
    virtual_clock clock;
    trace t{clock};
    mail_store store;
    imap_world() {
        store.add_user("bob@example.org", "pw");
        store.add_user("alice@example.org", "pw2");
        store.deliver("bob@example.org", "INBOX", multipart_message, clock.now_us());
        store.deliver("bob@example.org", "INBOX", "Subject: second\r\nFrom: carol@example.org\r\n\r\nhello world\r\n", clock.now_us());
        store.deliver("bob@example.org", "INBOX", "Subject: third\r\n\r\nbye\r\n", clock.now_us());
    }
};

struct imap_client {
    imap_world& w;
    connection_tracer tracer;
    imap::server_session s;
    std::string out;
    imap_client(imap_world& world, std::uint64_t conn = 1)
        : w(world), tracer(world.t, conn, "imap", "mail.example.org", "client"),
          s(imap::server_config{}, world.store, tracer) {
        s.start();
        out = s.take_output();
    }
    // Sends bytes and returns everything the server answered.
    const std::string& send(std::string_view bytes) {
        s.receive(bytes);
        out = s.take_output();
        return out;
    }
    bool tagged_ok(std::string_view line) {
        std::string tag(line.substr(0, line.find(' ')));
        send(line);
        return out.find(tag + " OK") != std::string::npos;
    }
    void login_select() {
        send("a0 LOGIN bob pw\r\n");
        send("a1 SELECT INBOX\r\n");
    }
};
}  // namespace

TEST_CASE("IMAP: greeting, LOGIN, SELECT with its untagged data, LOGOUT") {
    imap_world w;
    imap_client c(w);
    CHECK(c.out.rfind("* OK [CAPABILITY IMAP4rev1", 0) == 0);
    CHECK(c.s.state() == server_state::not_authenticated);
    CHECK(c.send("a1 LOGIN bob wrong\r\n").find("a1 NO [AUTHENTICATIONFAILED]") != std::string::npos);
    CHECK(c.tagged_ok("a2 LOGIN bob pw\r\n"));
    CHECK(c.s.state() == server_state::authenticated);
    c.send("a3 SELECT INBOX\r\n");
    for (auto line : {"* FLAGS (", "* 3 EXISTS", "* 3 RECENT", "* OK [UNSEEN 1]", "* OK [UIDVALIDITY 1]",
                      "* OK [UIDNEXT 4]", "* OK [PERMANENTFLAGS", "a3 OK [READ-WRITE]"})
        CHECK_MESSAGE(c.out.find(line) != std::string::npos, line);
    CHECK(c.s.state() == server_state::selected);
    // A second session does not see the messages as recent.
    imap_client d(w, 2);
    d.send("b1 LOGIN bob pw\r\nb2 EXAMINE INBOX\r\n");
    CHECK(d.out.find("* 0 RECENT") != std::string::npos);
    CHECK(d.out.find("b2 OK [READ-ONLY]") != std::string::npos);
    c.send("a4 LOGOUT\r\n");
    CHECK(c.out.find("* BYE") != std::string::npos);
    CHECK(c.out.find("a4 OK") != std::string::npos);
    CHECK(c.s.wants_close());
    CHECK(c.s.state() == server_state::logout);
}

TEST_CASE("IMAP: FETCH items on a multipart message; partial fetch; \\Seen only without PEEK") {
    imap_world w;
    imap_client c(w);
    c.login_select();
    c.send("f1 FETCH 1 (UID FLAGS RFC822.SIZE INTERNALDATE ENVELOPE BODYSTRUCTURE)\r\n");
    CHECK(c.out.find("* 1 FETCH (UID 1 FLAGS (\\Recent) RFC822.SIZE ") != std::string::npos);
    CHECK(c.out.find("ENVELOPE (\"Mon, 06 Jan 2025 09:00:00 +0000\" \"=?UTF-8?B?5pyf5pyr6ICD6K+V?=\" "
                     "((\"Alice\" NIL \"alice\" \"example.org\"))") != std::string::npos);
    CHECK(c.out.find("BODYSTRUCTURE ((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"utf-8\") NIL NIL \"BASE64\" 36 1") !=
          std::string::npos);
    CHECK(c.out.find("\"MIXED\" (\"BOUNDARY\" \"b\")") != std::string::npos);
    CHECK(c.out.find("f1 OK FETCH completed") != std::string::npos);

    c.send("f2 FETCH 1 (BODY.PEEK[1] BODY.PEEK[2.MIME] BODY.PEEK[]<0.20>)\r\n");
    CHECK(c.out.find("BODY[1] {36}\r\n5L2g5aW977yM6K+35p+l55yL6ZmE5Lu244CC") != std::string::npos);
    CHECK(c.out.find("BODY[2.MIME] {") != std::string::npos);
    CHECK(c.out.find("BODY[]<0> {20}\r\nFrom: Alice <alice@e") != std::string::npos);
    CHECK(c.out.find("FLAGS (\\Seen") == std::string::npos);  // PEEK leaves \Seen alone

    c.send("f3 FETCH 2 (BODY[HEADER.FIELDS (SUBJECT)])\r\n");
    CHECK(c.out.find("BODY[HEADER.FIELDS (SUBJECT)] {19}\r\nSubject: second\r\n\r\n") != std::string::npos);
    CHECK(c.out.find("FLAGS (\\Seen \\Recent)") != std::string::npos);
    const auto& msg = w.store.find_mailbox("bob@example.org", "INBOX")->messages[1];
    CHECK(msg.flags.count("\\Seen") == 1);
    c.send("f4 UID FETCH 3 (BODY[TEXT])\r\n");
    CHECK(c.out.find("* 3 FETCH (UID 3 BODY[TEXT] {5}\r\nbye\r\n") != std::string::npos);
    CHECK(c.send("f5 FETCH 9 FLAGS\r\n").find("f5 BAD") != std::string::npos);
    CHECK(c.send("f6 FETCH 1 (BODY[9.TEXT])\r\n").find("BODY[9.TEXT] NIL") != std::string::npos);
    CHECK(c.send("f7 FETCH 1 (BODY[FOO])\r\n").find("f7 BAD") != std::string::npos);
}

TEST_CASE("IMAP: STORE, SEARCH with combined keys, COPY, EXPUNGE renumbering") {
    imap_world w;
    imap_client c(w);
    c.login_select();
    CHECK(c.send("s1 STORE 2 +FLAGS (\\Flagged)\r\n").find("* 2 FETCH (FLAGS (\\Flagged \\Recent))") != std::string::npos);
    CHECK(c.send("s2 STORE 1 +FLAGS.SILENT (\\Deleted)\r\n").find("FETCH") == std::string::npos);
    c.send("q1 SEARCH FLAGGED\r\n");
    CHECK(c.out.find("* SEARCH 2\r\n") != std::string::npos);
    c.send("q2 SEARCH OR FROM carol SUBJECT third NOT DELETED\r\n");
    CHECK(c.out.find("* SEARCH 2 3\r\n") != std::string::npos);
    c.send("q3 SEARCH CHARSET UTF-8 SUBJECT {6}\r\n");  // a literal: the server asks for it
    CHECK(c.out.find("+ ") == 0);
    c.send("\xe6\x9c\x9f\xe6\x9c\xab\r\n");  // 期末, in the encoded subject of message 1
    CHECK(c.out.find("* SEARCH 1\r\n") != std::string::npos);
    c.send("q4 UID SEARCH BODY \"hello\" LARGER 10\r\n");
    CHECK(c.out.find("* SEARCH 2\r\n") != std::string::npos);
    CHECK(c.send("q5 SEARCH BOGUS\r\n").find("q5 BAD") != std::string::npos);
    CHECK(c.tagged_ok("c0 CREATE Archive\r\n"));
    c.send("c1 COPY 2:3 Archive\r\n");
    CHECK(c.out.find("c1 OK [COPYUID 2 2,3 1,2]") != std::string::npos);
    CHECK(c.send("c2 COPY 1 Nowhere\r\n").find("c2 NO [TRYCREATE]") != std::string::npos);
    c.send("e1 EXPUNGE\r\n");
    CHECK(c.out.find("* 1 EXPUNGE\r\n") != std::string::npos);
    CHECK(c.out.find("e1 OK") != std::string::npos);
    c.send("n1 FETCH 1 UID\r\n");
    CHECK(c.out.find("* 1 FETCH (UID 2)") != std::string::npos);  // message 2 is now number 1
}

TEST_CASE("IMAP: two sessions see each other's flag changes, expunges and new mail; IDLE") {
    imap_world w;
    imap_client a(w, 1), b(w, 2);
    a.login_select();
    b.login_select();
    a.send("a2 STORE 3 +FLAGS (\\Seen)\r\n");
    b.send("b2 NOOP\r\n");
    CHECK(b.out.find("* 3 FETCH (FLAGS (\\Seen) UID 3)") != std::string::npos);
    a.send("a3 STORE 1 +FLAGS (\\Deleted)\r\na4 EXPUNGE\r\n");
    b.send("b3 IDLE\r\n");
    CHECK(b.out.find("+ idling") != std::string::npos);
    CHECK(b.s.state() == server_state::idle);
    // The expunge that happened before IDLE is told at once, after the "+".
    CHECK(b.out.find("+ idling\r\n* 1 EXPUNGE") != std::string::npos);
    // New mail is pushed when the world changes.
    w.store.deliver("bob@example.org", "INBOX", "Subject: new\r\n\r\nnew mail\r\n", 0);
    b.s.world_changed();
    b.out = b.s.take_output();
    CHECK(b.out.find("* 3 EXISTS") != std::string::npos);
    b.send("DONE\r\n");
    CHECK(b.out.find("b3 OK IDLE terminated") != std::string::npos);
    CHECK(b.s.state() == server_state::selected);
}

TEST_CASE("IMAP: mailboxes: CREATE, LIST with wildcards and modified UTF-7, RENAME, STATUS, DELETE, APPEND") {
    imap_world w;
    imap_client c(w);
    c.send("a0 LOGIN bob pw\r\n");
    std::string chinese = imap::encode_mailbox_name("收件箱.备份");
    CHECK(imap::decode_mailbox_name(chinese) == "收件箱.备份");
    CHECK(imap::encode_mailbox_name("A&B") == "A&-B");
    CHECK(c.tagged_ok("m1 CREATE Work\r\n"));
    CHECK(c.tagged_ok(fmt::format("m2 CREATE {}\r\n", chinese)));
    CHECK(c.send("m3 CREATE Work\r\n").find("m3 NO") != std::string::npos);
    c.send("m4 LIST \"\" *\r\n");
    CHECK(c.out.find("* LIST (\\HasNoChildren) \".\" \"INBOX\"") != std::string::npos);
    CHECK(c.out.find("\"" + chinese + "\"") != std::string::npos);
    c.send("m5 LIST \"\" %\r\n");
    CHECK(c.out.find(chinese) == std::string::npos);  // % stops at the hierarchy delimiter
    CHECK(c.tagged_ok("m6 RENAME Work Projects\r\n"));
    CHECK(c.tagged_ok("m7 SUBSCRIBE Projects\r\n"));
    CHECK(c.send("m8 LSUB \"\" *\r\n").find("* LSUB (\\HasNoChildren) \".\" \"Projects\"") != std::string::npos);
    c.send("m9 APPEND Projects (\\Flagged) \"06-Jan-2025 09:00:00 +0800\" {14}\r\n");
    CHECK(c.out.rfind("+ ", 0) == 0);
    c.send("Subject: x\r\n\r\n\r\n");
    CHECK(c.out.find("m9 OK [APPENDUID") != std::string::npos);
    const mailbox* p = w.store.find_mailbox("bob@example.org", "Projects");
    REQUIRE(p);
    REQUIRE(p->messages.size() == 1);
    CHECK(p->messages[0].flags.count("\\Flagged") == 1);
    CHECK(p->messages[0].internal_date_us == 1736125200LL * 1000000);
    CHECK(c.send("m10 STATUS Projects (MESSAGES UNSEEN UIDNEXT)\r\n").find("* STATUS \"Projects\" (MESSAGES 1 UNSEEN 1 UIDNEXT 2)") != std::string::npos);
    CHECK(c.send("m11 APPEND Nowhere {1+}\r\nx\r\n").find("NO [TRYCREATE]") != std::string::npos);
    CHECK(c.tagged_ok("m12 DELETE Projects\r\n"));
    CHECK(c.send("m13 DELETE INBOX\r\n").find("m13 NO") != std::string::npos);
    CHECK(c.send("m14 SELECT Nope\r\n").find("m14 NO [NONEXISTENT]") != std::string::npos);
}

TEST_CASE("IMAP: every command in every state is run or refused with BAD, never a crash") {
    for (auto state : {server_state::not_authenticated, server_state::authenticated, server_state::selected}) {
        for (const auto& spec : imap::server_session::command_table()) {
            imap_world w;
            imap_client c(w);
            if (state != server_state::not_authenticated) c.send("x1 LOGIN bob pw\r\n");
            if (state == server_state::selected) c.send("x2 SELECT INBOX\r\n");
            REQUIRE(c.s.state() == state);
            std::string name(spec.name);
            c.send(fmt::format("t1 {}\r\n", name));
            bool allowed = spec.allowed_states & (1u << static_cast<unsigned>(state));
            INFO(name, " in ", imap::to_string(state), ": ", c.out);
            if (!allowed) CHECK(c.out.find("is not allowed in the") != std::string::npos);
            else CHECK(c.out.find("is not allowed in the") == std::string::npos);
        }
    }
}

TEST_CASE("IMAP: AUTHENTICATE PLAIN with and without an initial response; STARTTLS; bad syntax") {
    imap_world w;
    imap_client c(w);
    std::string plain = base64_encode(std::string("\0bob\0pw", 7));
    c.send("a1 AUTHENTICATE PLAIN\r\n");
    CHECK(c.out == "+ \r\n");
    c.send(plain + "\r\n");
    CHECK(c.out.find("a1 OK") != std::string::npos);
    imap_client d(w, 2);
    CHECK(d.tagged_ok("b1 AUTHENTICATE PLAIN " + plain + "\r\n"));
    imap_client e(w, 3);
    CHECK(e.send("c1 STARTTLS\r\n").find("c1 NO") != std::string::npos);  // no TLS configured
    CHECK(e.send("c2 LOGIN \"unterminated\r\n").find("c2 BAD") != std::string::npos);
    CHECK(e.send("* NOOP\r\n").find("* BAD") != std::string::npos);
    CHECK(e.tagged_ok("c3 noop\r\n"));
}

TEST_CASE("IMAP: explanations and state transitions of a busy session are all declared") {
    imap_world w;
    imap_client c(w);
    c.send("a1 capability\r\na2 LOGIN bob pw\r\na3 SELECT INBOX\r\na4 FETCH 1:* (FLAGS BODY[1])\r\n"
           "a5 STORE 1 +FLAGS (\\Deleted)\r\na6 EXPUNGE\r\na7 SEARCH ALL\r\na8 FOO\r\na9 IDLE\r\n");
    c.send("DONE\r\na10 CLOSE\r\na11 LOGOUT\r\n");
    test::check_explanations(w.t.events());
    test::check_transitions(w.t.events());
    CHECK(imap::sequence_set::parse("1:3,5,7:*")->contains(9, 10));
    CHECK_FALSE(imap::sequence_set::parse("1:3,5")->contains(4, 10));
    CHECK(imap::sequence_set::parse("5:*")->contains(3, 3));  // RFC 3501 6.4.8
    CHECK_FALSE(imap::sequence_set::parse("0"));
}

TEST_CASE("IMAP: APPEND keeps the sign of the date's zone") {
    imap_world w;
    imap_client c(w);
    c.send("a0 LOGIN bob pw\r\n");
    c.send("a1 APPEND INBOX \"04-Mar-2021 05:06:07 -0700\" {5+}\r\nhello\r\n");
    CHECK(c.out.find("a1 OK") != std::string::npos);
    const auto& m = w.store.find_mailbox("bob@example.org", "INBOX")->messages.back();
    CHECK(m.internal_date_us == 1614859567LL * 1000000);  // 12:06:07 UTC
}

TEST_CASE("IMAP: a message stored with bare LF is shown with CRLF, sized as POP3 sizes it") {
    imap_world w;
    w.store.deliver("bob@example.org", "INBOX", "subject: lf\nbare\nlines\n", 0);
    imap_client c(w);
    c.login_select();
    c.send("f1 FETCH 4 (RFC822.SIZE BODY.PEEK[])\r\n");
    CHECK(c.out.find("RFC822.SIZE 26") != std::string::npos);
    CHECK(c.out.find("BODY[] {26}\r\nsubject: lf\r\nbare\r\nlines\r\n") != std::string::npos);
}

TEST_CASE("IMAP: a set naming a missing message number is BAD; new mail is recent for the session that sees it first") {
    imap_world w;
    imap_client c(w);
    c.login_select();
    CHECK(c.send("f1 FETCH 2,9 FLAGS\r\n").find("f1 BAD") != std::string::npos);
    CHECK(c.send("f2 UID FETCH 2,9 FLAGS\r\n").find("f2 OK") != std::string::npos);  // UIDs: skipped
    w.store.deliver("bob@example.org", "INBOX", "Subject: late\r\n\r\nx\r\n", 0);
    c.send("n1 NOOP\r\n");
    CHECK(c.out.find("* 4 EXISTS\r\n* 4 RECENT") != std::string::npos);
    c.send("f3 FETCH 4 FLAGS\r\n");
    CHECK(c.out.find("FLAGS (\\Recent)") != std::string::npos);
}
