// Captured conversations written by hand through the whole import without files
// (sim/capture/capture_session): what STARTTLS leaves visible, IMAP's state change before the
// data of SELECT, IDLE, SASL secrets decoded, gaps, a capture begun mid-connection, HTTP,
// unknown protocols, and the trace's order and numbering.
#include "sim/capture/capture_session.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "capture_packets.hpp"
#include "catalog_check.hpp"
#include "transitions_check.hpp"

using namespace maillab;
using namespace maillab::capture;
using test::tcp_conversation;

namespace {

std::vector<event> import(const tcp_conversation& c) {
    capture_session s(nlohmann::json::object());
    for (const auto& p : c.packets()) s.add(p);
    return s.finish();
}

std::vector<event> of_kind(const std::vector<event>& events, event_kind kind) {
    std::vector<event> out;
    for (const auto& e : events)
        if (e.kind == kind) out.push_back(e);
    return out;
}

std::vector<std::string> texts(const std::vector<event>& events, event_kind kind) {
    std::vector<std::string> out;
    for (const auto& e : of_kind(events, kind)) out.push_back(e.text);
    return out;
}

std::vector<std::string> states(const std::vector<event>& events) {
    std::vector<std::string> out;
    for (const auto& e : of_kind(events, event_kind::state))
        out.push_back(e.fields["from_state"].get<std::string>() + " -> " +
                      e.fields["to_state"].get<std::string>());
    return out;
}

const event* find_explain(const std::vector<event>& events, std::string_view key) {
    for (const auto& e : events)
        if (e.explain == key) return &e;
    return nullptr;
}

std::string u16(unsigned v) { return {static_cast<char>(v >> 8), static_cast<char>(v & 0xff)}; }
std::string u24(unsigned v) { return static_cast<char>(v >> 16) + u16(v & 0xffff); }

std::string record(int type, const std::string& body) {
    return std::string{static_cast<char>(type), 3, 3} + u16(static_cast<unsigned>(body.size())) + body;
}

// RFC 8446 4.1.2: a ClientHello offering TLS_AES_256_GCM_SHA384, naming mail.example.org.
std::string client_hello() {
    std::string name = "mail.example.org";
    std::string sni = u16(static_cast<unsigned>(name.size() + 3)) + '\0' +
                      u16(static_cast<unsigned>(name.size())) + name;
    std::string extensions = u16(0) + u16(static_cast<unsigned>(sni.size())) + sni;
    std::string body = u16(0x0303) + std::string(32, 'r') + '\0' + u16(2) + u16(0x1302) +
                       std::string{1, 0} + u16(static_cast<unsigned>(extensions.size())) +
                       extensions;
    return record(22, '\x01' + u24(static_cast<unsigned>(body.size())) + body);
}

// RFC 8446 4.1.3: a ServerHello choosing TLS 1.3 (supported_versions) and that suite.
std::string server_hello() {
    std::string extensions = u16(43) + u16(2) + u16(0x0304);
    std::string body = u16(0x0303) + std::string(32, 's') + '\0' + u16(0x1302) + '\0' +
                       u16(static_cast<unsigned>(extensions.size())) + extensions;
    return record(22, '\x02' + u24(static_cast<unsigned>(body.size())) + body);
}

std::string encrypted(std::size_t n) { return record(23, std::string(n, '\x9c')); }

tcp_endpoint client{"192.0.2.10", 51000};

}  // namespace

TEST_CASE("capture: SMTP with STARTTLS: commands until the handshake, then only records") {
    tcp_conversation c(client, {"192.0.2.25", 25});
    c.handshake()
        .server("220 mx.example.org ESMTP\r\n")
        .client("EHLO pc\r\n")
        .server("250-mx.example.org\r\n250-STARTTLS\r\n250 8BITMIME\r\n")
        .client("STARTTLS\r\n")
        .server("220 2.0.0 Ready to start TLS\r\n")
        .client(client_hello())
        .server(server_hello() + record(20, "\x01") + encrypted(900))
        .client(record(20, "\x01") + encrypted(53))  // TLS 1.3: the client's Finished
        .client(encrypted(30))                        // EHLO, unreadable
        .server(encrypted(120))
        .close(true);
    auto events = import(c);
    CHECK(texts(events, event_kind::command) ==
          std::vector<std::string>{"EHLO pc", "STARTTLS"});
    CHECK(states(events) == std::vector<std::string>{"CONNECTED -> WAIT_HELO",
                                                     "WAIT_HELO -> READY",
                                                     "READY -> TLS_HANDSHAKE",
                                                     "TLS_HANDSHAKE -> WAIT_HELO"});
    auto tls = of_kind(events, event_kind::tls);
    REQUIRE(tls.size() == 2);
    CHECK(tls[0].fields["phase"] == "handshake_start");
    CHECK(tls[0].fields["mode"] == "starttls");
    CHECK(tls[1].fields["phase"] == "established");
    CHECK(tls[1].fields["version"] == "TLSv1.3");
    CHECK(tls[1].fields["cipher"] == "TLS_AES_256_GCM_SHA384");
    CHECK(tls[1].fields["server_name"] == "mail.example.org");
    CHECK(find_explain(events, "capture.tls.hidden"));
    // Every chunk after the 220 is traced as TLS records, never as a command.
    std::size_t records = 0;
    for (const auto& e : of_kind(events, event_kind::bytes))
        if (e.explain == "capture.tls.records") {
            ++records;
            CHECK(e.fields["tls"] == true);
        }
    CHECK(records == 5);
    const event* hello = nullptr;
    for (const auto& e : events)
        if (e.text.find("handshake (ClientHello)") != std::string::npos) hello = &e;
    REQUIRE(hello);
    CHECK(hello->fields["encrypted"] == false);
    // The session went on inside TLS: no state is made up for its end.
    CHECK(states(events).back() == "TLS_HANDSHAKE -> WAIT_HELO");
    test::check_explanations(events);
    test::check_transitions(events);
}

TEST_CASE("capture: a TLS handshake that ends in a plaintext alert failed") {
    tcp_conversation c(client, {"192.0.2.25", 993});
    c.handshake()
        .client(client_hello())
        .server(record(21, std::string{2, 40}))  // fatal handshake_failure
        .close(false);
    auto events = import(c);
    auto tls = of_kind(events, event_kind::tls);
    REQUIRE(tls.size() == 2);
    CHECK(tls[0].fields["mode"] == "implicit");
    CHECK(tls[1].fields["phase"] == "failed");
    CHECK(tls[1].text.find("handshake_failure") != std::string::npos);
    CHECK(of_kind(events, event_kind::command).empty());
    CHECK(events.front().proto == "tcp");  // the connect
    CHECK(of_kind(events, event_kind::tls).front().proto == "tls");
}

TEST_CASE("capture: IMAP: the state change comes before SELECT's data, IDLE and AUTHENTICATE") {
    std::string message = "Message-ID: <m1@x>\r\nSubject: hi\r\n\r\nb\r\n";
    tcp_conversation c(client, {"192.0.2.143", 143});
    c.handshake()
        .server("* OK [CAPABILITY IMAP4rev1 IDLE] ready\r\n")
        .client("a1 AUTHENTICATE PLAIN\r\n")
        .server("+ \r\n")
        .client("AGJvYgBzZWNyZXQ=\r\n")  // \0bob\0secret
        .server("a1 OK logged in\r\n")
        .client("a2 SELECT inbox\r\n")
        .server("* FLAGS (\\Seen)\r\n* 2 EXISTS\r\n")
        .server("* OK [UIDVALIDITY 7] UIDs valid\r\na2 OK [READ-WRITE] SELECT completed\r\n")
        .client("a3 UID FETCH 2 (UID BODY[])\r\n")
        .server("* 2 FETCH (UID 9 BODY[] {" + std::to_string(message.size()) + "}\r\n" + message +
                ")\r\na3 OK done\r\n")
        .client("a4 IDLE\r\n")
        .server("+ idling\r\n")
        .server("* 3 EXISTS\r\n")
        .client("DONE\r\n")
        .server("a4 OK IDLE terminated\r\n")
        .client("a5 LOGOUT\r\n")
        .server("* BYE bye\r\na5 OK LOGOUT completed\r\n")
        .close(false);
    auto events = import(c);
    CHECK(states(events) == std::vector<std::string>{
                                "CONNECTED -> NOT_AUTHENTICATED", "NOT_AUTHENTICATED -> AUTHENTICATED",
                                "AUTHENTICATED -> SELECTED", "SELECTED -> IDLE", "IDLE -> SELECTED",
                                "SELECTED -> LOGOUT"});
    CHECK(texts(events, event_kind::command) ==
          std::vector<std::string>{"a1 AUTHENTICATE PLAIN", "AGJvYgBzZWNyZXQ=", "a2 SELECT inbox",
                                   "a3 UID FETCH 2 (UID BODY[])", "a4 IDLE", "DONE", "a5 LOGOUT"});
    // SELECT: the state event, then the data, then the tagged OK, all caused by the command.
    std::size_t select_state = 0, flags = 0, tagged = 0;
    std::uint64_t select_seq = 0;
    for (std::size_t i = 0; i < events.size(); ++i) {
        const auto& e = events[i];
        if (e.kind == event_kind::command && e.text == "a2 SELECT inbox") select_seq = e.seq;
        if (e.kind == event_kind::state && e.fields["to_state"] == "SELECTED" && !select_state)
            select_state = i;
        if (e.text == "* FLAGS (\\Seen)") flags = i;
        if (e.text == "a2 OK [READ-WRITE] SELECT completed") tagged = i;
    }
    CHECK(select_state < flags);
    CHECK(flags < tagged);
    CHECK(events[select_state].cause == select_seq);
    CHECK(events[select_state].fields["reason"] == "SELECT INBOX");
    CHECK(events[flags].cause == select_seq);
    CHECK(events[flags].explain == "imap.untagged.FLAGS");
    const event* fetch = nullptr;
    for (const auto& e : events)
        if (e.explain == "imap.untagged.FETCH") fetch = &e;
    REQUIRE(fetch);
    CHECK(fetch->fields["uid"] == 9);
    CHECK(fetch->fields["message_id"] == "<m1@x>");
    CHECK(fetch->text == "* 2 FETCH (UID 9 BODY[] {38} ...");
    const event* decoded = find_explain(events, "imap.note.auth_decoded");
    REQUIRE(decoded);
    CHECK(decoded->fields["decoded"]["user"] == "bob");
    CHECK(decoded->fields["decoded"]["password"] == "secret");
    // The tagged OK of AUTHENTICATE answers the base64 line; IDLE's OK answers DONE.
    for (const auto& e : events) {
        if (e.text == "a1 OK logged in") {
            CHECK(events[*e.cause - 1].text == "AGJvYgBzZWNyZXQ=");
        }
        if (e.text == "a4 OK IDLE terminated") CHECK(events[*e.cause - 1].text == "DONE");
        if (e.text == "* 3 EXISTS") CHECK(events[*e.cause - 1].text == "a4 IDLE");
    }
    test::check_explanations(events);
    test::check_transitions(events);
}

TEST_CASE("capture: POP3: multi-line answers by command, AUTH PLAIN decoded, QUIT's UPDATE") {
    tcp_conversation c(client, {"192.0.2.110", 110});
    c.handshake()
        .server("+OK ready <1@x>\r\n")
        .client("CAPA\r\n")
        .server("+OK caps\r\nUSER\r\nSASL PLAIN\r\n.\r\n")
        .client("AUTH PLAIN\r\n")
        .server("+ \r\n")
        .client("AGFsaWNlAHB3\r\n")  // \0alice\0pw
        .server("+OK welcome\r\n")
        .client("LIST 1\r\n")
        .server("+OK 1 120\r\n")
        .client("RETR 1\r\n")
        .server("+OK 120 octets\r\nMessage-ID: <r@x>\r\n\r\n..dotted\r\n.\r\n")
        .client("QUIT\r\n")
        .server("+OK bye\r\n")
        .close(false);
    auto events = import(c);
    CHECK(states(events) ==
          std::vector<std::string>{"CONNECTED -> AUTHORIZATION", "AUTHORIZATION -> TRANSACTION",
                                   "TRANSACTION -> UPDATE", "UPDATE -> CLOSED"});
    auto replies = of_kind(events, event_kind::reply);
    REQUIRE(replies.size() == 7);
    CHECK(replies[1].text == "+OK caps (+2 lines, then \".\")");
    CHECK(replies[1].fields["multiline"] == true);
    CHECK(replies[2].explain == "pop3.reply.CONTINUE");
    CHECK(replies[4].text == "+OK 1 120");  // LIST with an argument: one line
    CHECK(replies[5].fields["message_id"] == "<r@x>");
    CHECK(replies[5].raw == "+OK 120 octets\r\nMessage-ID: <r@x>\r\n\r\n..dotted\r\n.\r\n");
    const event* decoded = find_explain(events, "pop3.note.auth_decoded");
    REQUIRE(decoded);
    CHECK(decoded->fields["decoded"]["password"] == "pw");
    test::check_explanations(events);
    test::check_transitions(events);
}

TEST_CASE("capture: SMTP pipelining, DATA, AUTH LOGIN, and a lost segment") {
    tcp_conversation c(client, {"192.0.2.25", 587});
    c.handshake()
        .server("220 mx ESMTP\r\n")
        .client("EHLO pc\r\n")
        .server("250-mx\r\n250 PIPELINING\r\n")
        .client("AUTH LOGIN\r\n")
        .server("334 VXNlcm5hbWU6\r\n")
        .client("YWxpY2U=\r\n")
        .server("334 UGFzc3dvcmQ6\r\n")
        .client("c2VjcmV0\r\n")
        .server("235 2.7.0 ok\r\n")
        .client("MAIL FROM:<a@x>\r\nRCPT TO:<b@y>\r\nDATA\r\n")
        .server("250 ok\r\n250 ok\r\n354 go\r\n")
        .client("Subject: t\r\n\r\n..hidden dot\r\n.\r\n")
        .server("250 queued\r\n")
        .client("NOOP\r\n")
        .lose(true, 6)  // "RSET\r\n" is not in the capture
        .client("QUIT\r\n")
        .server("250 ok\r\n250 reset\r\n221 bye\r\n")
        .close(false);
    auto events = import(c);
    CHECK(texts(events, event_kind::command) ==
          std::vector<std::string>{"EHLO pc", "AUTH LOGIN", "YWxpY2U=", "c2VjcmV0",
                                   "MAIL FROM:<a@x>", "RCPT TO:<b@y>", "DATA", "NOOP", "QUIT"});
    auto data = of_kind(events, event_kind::data);
    REQUIRE(data.size() == 1);
    CHECK(data[0].fields["lines"] == 3);
    CHECK(data[0].fields["dot_stuffed"] == 1);
    CHECK(data[0].raw == "Subject: t\r\n\r\n..hidden dot\r\n.\r\n");
    const event* gap = find_explain(events, "capture.note.gap");
    REQUIRE(gap);
    CHECK(gap->fields["lost"] == 6);
    std::vector<std::string> users;
    for (const auto& e : events)
        if (e.explain == "smtp.note.auth_decoded")
            users.push_back(e.fields["decoded"].begin().value().get<std::string>());
    CHECK(users == std::vector<std::string>{"alice", "secret"});
    CHECK(states(events) ==
          std::vector<std::string>{"CONNECTED -> WAIT_HELO", "WAIT_HELO -> READY", "READY -> AUTH",
                                   "AUTH -> READY", "READY -> MAIL", "MAIL -> RCPT",
                                   "RCPT -> DATA", "DATA -> READY", "READY -> CLOSED"});
    // The trace is one story: numbered from 1, in time order, causes pointing back.
    for (std::size_t i = 0; i < events.size(); ++i) {
        CHECK(events[i].seq == i + 1);
        if (i) CHECK(events[i - 1].t_us <= events[i].t_us);
        if (events[i].cause) CHECK(*events[i].cause < events[i].seq);
        CHECK(events[i].conn == 1);
    }
    test::check_explanations(events);
    test::check_transitions(events);
}

TEST_CASE("line_resync: after a hole, reading starts again at the next line") {
    line_resync r;
    CHECK(r.take("NOOP\r\n") == "NOOP\r\n");
    r.gap();  // the hole came after a whole line: what follows starts a line
    CHECK(r.take("QUIT\r\n") == "QUIT\r\n");
    CHECK(r.take("MAIL FR") == "MAIL FR");
    r.gap();  // the hole cut a line: its rest is skipped, across segments
    CHECK(r.take("OM:<a") == "");
    CHECK(r.take("@x>\r\nRSET\r\n") == "RSET\r\n");
    CHECK(r.take("NOOP") == "NOOP");
}

TEST_CASE("capture: a hole in the middle of a line, in each protocol, loses that line only") {
    struct one_protocol {
        std::uint16_t port;
        std::string greeting, before, after, reply_before, reply_after;
        std::vector<std::string> commands;
    };
    // Each time the client's line "...X" is cut by a lost segment; its rest is not a command.
    std::vector<one_protocol> cases = {
        {25, "220 mx ESMTP\r\n", "NOOP\r\nMAIL FR", "a@x>\r\nQUIT\r\n",
         "250 ok\r\n25", "\r\n221 bye\r\n", {"NOOP", "QUIT"}},
        {110, "+OK ready\r\n", "NOOP\r\nUSER al", "ce\r\nQUIT\r\n", "+OK\r\n-ER",
         "\r\n+OK bye\r\n", {"NOOP", "QUIT"}},
        {143, "* OK ready\r\n", "a1 NOOP\r\na2 LOGIN al", "ce pw\r\na3 LOGOUT\r\n",
         "a1 OK done\r\na2 N", "\r\n* BYE\r\na3 OK bye\r\n", {"a1 NOOP", "a3 LOGOUT"}},
    };
    for (const auto& p : cases) {
        CAPTURE(p.port);
        tcp_conversation c(client, {"192.0.2.9", p.port});
        c.handshake()
            .server(p.greeting)
            .client(p.before)
            .lose(true, 4)
            .client(p.after)
            .server(p.reply_before)
            .lose(false, 3)
            .server(p.reply_after)
            .close(false);
        auto events = import(c);
        CHECK(texts(events, event_kind::command) == p.commands);
    }
}

TEST_CASE("capture: a capture begun mid-connection learns the state from what it sees") {
    tcp_conversation c(client, {"192.0.2.25", 2525});
    c.client("RCPT TO:<b@y>\r\n").server("250 ok\r\n").client("QUIT\r\n").server("221 bye\r\n");
    c.close(false);
    auto events = import(c);
    CHECK(find_explain(events, "capture.note.mid_stream"));
    CHECK(events.front().fields["handshake_seen"] == false);
    // The first reply proves RCPT; only moves from a known state are traced.
    CHECK(states(events) == std::vector<std::string>{"RCPT -> CLOSED"});
    CHECK(events.front().text == "connection 192.0.2.10:51000 -> 192.0.2.25:2525");
}

TEST_CASE("capture: HTTP requests and responses as the webmail traces them") {
    tcp_conversation c(client, {"192.0.2.80", 8080});
    c.handshake()
        .client("POST /login HTTP/1.1\r\nHost: w\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                "Content-Length: 26\r\n\r\nuser=alice&password=secret")
        .server("HTTP/1.1 303 See Other\r\nLocation: /inbox\r\nSet-Cookie: s=0123456789abcdef\r\n"
                "Content-Length: 0\r\n\r\n")
        .client("HEAD / HTTP/1.1\r\nHost: w\r\n\r\n")
        .server("HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n")
        .close(true);
    auto events = import(c);
    auto http = of_kind(events, event_kind::http);
    REQUIRE(http.size() == 4);
    CHECK(http[0].text == "POST /login HTTP/1.1");
    CHECK(http[0].fields["form"][1]["value"] == "********");
    CHECK(http[1].fields["status"] == 303);
    CHECK(http[1].fields["location"] == "/inbox");
    CHECK(http[1].cause == http[0].seq);
    CHECK(http[3].cause == http[2].seq);  // HEAD's answer has no body, whatever its length says
    CHECK(http[0].proto == "http");
    test::check_explanations(events);
}

TEST_CASE("capture: an unknown protocol shows the connection and its bytes") {
    tcp_conversation c(client, {"192.0.2.22", 22});
    c.handshake().server("SSH-2.0-OpenSSH_9.2\r\n").client("SSH-2.0-client\r\n").close(true);
    auto events = import(c);
    CHECK(find_explain(events, "capture.note.unknown_protocol"));
    CHECK(of_kind(events, event_kind::bytes).size() == 2);
    CHECK(of_kind(events, event_kind::command).empty());
    for (const auto& e : events) CHECK((e.proto == "tcp"));
    auto tcp = of_kind(events, event_kind::tcp);
    REQUIRE(tcp.size() == 2);
    CHECK(tcp[1].fields["action"] == "close");
    CHECK(tcp[1].from == "192.0.2.10:51000");
}

TEST_CASE("capture: random segments of protocol words never break the import") {
    // Pieces of every protocol, TLS and HTTP, sent in random order, with random flags,
    // sequence numbers that jump, repeat and go back: a damaged or hostile capture.
    const std::vector<std::string> words = {
        "220 hi\r\n", "+OK x\r\n", "* OK y\r\n", "a1 LOGIN a b\r\n", "AUTH PLAIN\r\n", "334 \r\n",
        "+ \r\n", "DATA\r\n", "354 go\r\n", ".\r\n", "STARTTLS\r\n", "a2 STARTTLS\r\n", "a2 OK\r\n",
        std::string("\x16\x03\x01\x00\x05hello", 10), std::string("\x15\x03\x03\x00\x02\x02\x28", 7),
        "GET / HTTP/1.1\r\nHost: x\r\n\r\n", "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc",
        "{5}\r\n", "* 1 FETCH (BODY[] {10}\r\n", "IDLE\r\n", "DONE\r\n", "STLS\r\n", "RETR 1\r\n",
        "+OK\r\nx\r\n.\r\n", std::string("\0\xff\xfe", 3), "250-a\r\n250 b\r\n", "a3 BAD\r\n"};
    const std::uint16_t ports[] = {25, 110, 143, 80, 993, 2525, 40000};
    std::uint32_t state = 12345;
    auto next = [&](std::uint32_t n) {
        state = state * 1664525u + 1013904223u;  // a fixed LCG: the same capture every run
        return (state >> 8) % n;
    };
    struct conn {
        tcp_endpoint client, server;
        std::uint32_t c_seq, s_seq;
    };
    std::vector<conn> conns;
    for (int i = 0; i < 6; ++i)
        conns.push_back({{"10.1.1.1", static_cast<std::uint16_t>(30000 + next(20000))},
                         {"10.1.1.2", ports[next(7)]},
                         next(0xFFFFFFFFu),
                         next(0xFFFFFFFFu)});
    capture_session s(nlohmann::json::object(), 4096);
    const bool flag_sets[][4] = {{false, true, false, false}, {true, false, false, false},
                                 {true, true, false, false},  {false, true, true, false},
                                 {false, false, false, true}, {false, true, false, true}};
    for (int n = 0; n < 3000; ++n) {
        conn& c = conns[next(static_cast<std::uint32_t>(conns.size()))];
        bool from_client = next(2) == 0;
        tcp_packet p;
        p.t_us = 1000 + n;
        p.src = from_client ? c.client : c.server;
        p.dst = from_client ? c.server : c.client;
        for (std::uint32_t k = next(4); k > 0; --k) p.payload += words[next(static_cast<std::uint32_t>(words.size()))];
        const bool* f = flag_sets[next(6)];
        p.syn = f[0];
        p.ack_flag = f[1];
        p.fin = f[2];
        p.rst = f[3];
        std::uint32_t& seq = from_client ? c.c_seq : c.s_seq;
        const std::int64_t jumps[] = {0, 0, 0, -5, 7, 100000, -2147483647};
        p.seq = seq + static_cast<std::uint32_t>(jumps[next(7)]);
        p.ack = (from_client ? c.s_seq : c.c_seq) + next(3) * 1000;
        p.payload_length = static_cast<std::uint32_t>(p.payload.size()) + (next(20) == 0 ? 10 : 0);
        if (next(10) != 0) seq += p.payload_length + (p.syn || p.fin ? 1 : 0);
        s.add(p);
    }
    auto events = s.finish();
    CHECK(events.size() > 1000);
    for (std::size_t i = 0; i < events.size(); ++i) {
        CHECK(events[i].seq == i + 1);
        if (i) CHECK(events[i - 1].t_us <= events[i].t_us);
        if (events[i].cause) CHECK(*events[i].cause < events[i].seq);
    }
}
