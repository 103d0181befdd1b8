#include "sim/imap/response_parser.hpp"

#include <doctest/doctest.h>

#include <random>
#include <string>
#include <vector>

using namespace maillab::imap;

namespace {
// 88 octets, with parentheses in it that must not count as IMAP lists.
const std::string header88 =
    "From: Alice <alice@example.org>\r\n"
    "Subject: Exam (final)\r\n"
    "Date: 6 Jan 2025 09:00 +0000\r\n"
    "\r\n";

const std::string fetch_with_literal =
    "* 3 FETCH (UID 7 FLAGS (\\Seen) RFC822.SIZE 1234 "
    "BODY[HEADER.FIELDS (FROM SUBJECT DATE)] {88}\r\n" +
    header88 + ")\r\n";

// What a server says during a session: greeting, SELECT data, FETCH with several literals, a
// LIST, continuations, tagged replies.
const std::string session_stream =
    "* OK [CAPABILITY IMAP4rev1 LITERAL+ IDLE] mail.example.org ready\r\n"
    "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n"
    "* 3 EXISTS\r\n"
    "* OK [UIDVALIDITY 3] UIDs valid\r\n"
    "* OK [PERMANENTFLAGS (\\Deleted \\Seen \\*)] Limited\r\n"
    "a2 OK [READ-WRITE] SELECT completed\r\n" +
    fetch_with_literal +
    "* 4 FETCH (BODY[1] {5}\r\nhello BODY[]<0> {0}\r\n BODY[2] {5}\r\n{1}\r\n)\r\n"
    "* LIST (\\HasNoChildren) \".\" \"INBOX\"\r\n"
    "* LIST () \".\" {7}\r\nA \"b\" c\r\n"
    "+ Ready for 5 octets\r\n"
    "+\r\n"
    "a3 NO [TRYCREATE] can't open (that\r\n"
    "* BYE logging out\r\n"
    "a4 OK LOGOUT completed\r\n";

std::vector<std::string> split_all(const std::string& stream, std::vector<std::size_t> cuts) {
    response_splitter s;
    std::vector<std::string> out;
    std::size_t from = 0;
    cuts.push_back(stream.size());
    for (std::size_t cut : cuts) {
        s.feed(std::string_view(stream).substr(from, cut - from));
        from = cut;
        while (auto r = s.next()) out.push_back(*r);
    }
    CHECK_FALSE(s.failed());
    CHECK(s.buffered() == 0);
    return out;
}

response parsed(const std::string& raw) {
    response r = parse_response(raw);
    INFO("raw: ", raw);
    CHECK(r.error == "");
    return r;
}
}  // namespace

TEST_CASE("IMAP responses: FETCH with a literal keeps the section in the item name") {
    response r = parsed(fetch_with_literal);
    CHECK(r.tag == "*");
    CHECK(r.is_untagged());
    CHECK(r.raw == fetch_with_literal);
    CHECK(r.status() == "");
    REQUIRE(r.words.size() == 3);
    CHECK(r.words[0].as_number() == 3u);
    CHECK(r.words[1].is_atom("fetch"));
    REQUIRE(r.words[2].is_list());
    const auto& items = r.words[2].items;
    REQUIRE(items.size() == 8);
    CHECK(items[0].is_atom("UID"));
    CHECK(items[1].as_number() == 7u);
    CHECK(items[2].is_atom("FLAGS"));
    REQUIRE(items[3].is_list());
    REQUIRE(items[3].items.size() == 1);
    CHECK(items[3].items[0].is_atom("\\Seen"));
    CHECK(items[4].is_atom("RFC822.SIZE"));
    CHECK(items[5].as_number() == 1234u);
    CHECK(items[6].is_atom("BODY[HEADER.FIELDS (FROM SUBJECT DATE)]"));
    CHECK(items[7].is_string());
    CHECK(items[7].literal);
    CHECK(items[7].text == header88);

    auto m = fetch_items(r);
    REQUIRE(m);
    CHECK(m->number == 3);
    CHECK(m->items.size() == 4);
    REQUIRE(m->find("uid"));
    CHECK(m->find("uid")->as_number() == 7u);
    REQUIRE(m->find("body[header.fields (from subject date)]"));
    CHECK(m->items.count("BODY[HEADER.FIELDS (FROM SUBJECT DATE)]") == 1);
    CHECK(m->find("BODY[HEADER.FIELDS (FROM SUBJECT DATE)]")->text == header88);
    CHECK(m->find("ENVELOPE") == nullptr);
}

TEST_CASE("IMAP responses: several literals, an empty one, partial and nested sections") {
    response r = parsed("* 4 FETCH (BODY[1] {5}\r\nhello BODY[]<0> {0}\r\n BODY[2] {5}\r\n{1}\r\n "
                        "BODY[1.2.HEADER.FIELDS.NOT (\"X-A\" X-B)]<10> NIL)\r\n");
    auto m = fetch_items(r);
    REQUIRE(m);
    CHECK(m->number == 4);
    CHECK(m->find("BODY[1]")->text == "hello");
    CHECK(m->find("BODY[]<0>")->text == "");
    CHECK(m->find("BODY[]<0>")->literal);
    CHECK(m->find("BODY[2]")->text == "{1}\r\n");  // literal octets are never parsed
    CHECK(m->find("BODY[1.2.HEADER.FIELDS.NOT (\"X-A\" X-B)]<10>")->is_nil());
    // Not a FETCH, or a FETCH that is not name/value pairs.
    CHECK_FALSE(fetch_items(parsed("* 3 EXISTS\r\n")));
    CHECK_FALSE(fetch_items(parsed("* 3 FETCH (UID)\r\n")));
    CHECK_FALSE(fetch_items(parsed("* 3 FETCH (7 UID)\r\n")));
    CHECK_FALSE(fetch_items(parsed("a1 FETCH (UID 7)\r\n")));
    CHECK_FALSE(fetch_items(parsed("* 99999999999 FETCH (UID 7)\r\n")));
}

TEST_CASE("IMAP responses: nested BODYSTRUCTURE (RFC 3501 7.4.2, parts not separated by spaces)") {
    response r = parsed(
        "* 12 FETCH (BODYSTRUCTURE ((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL "
        "\"7BIT\" 1152 23)(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\" \"NAME\" \"cc.diff\") "
        "\"<960723163407.20117h@cac.washington.edu>\" \"Compiler diff\" \"BASE64\" 4554 73) "
        "\"MIXED\"))\r\n");
    auto m = fetch_items(r);
    REQUIRE(m);
    const value* bs = m->find("BODYSTRUCTURE");
    REQUIRE(bs);
    REQUIRE(bs->items.size() == 3);
    const value& first = bs->items[0];
    REQUIRE(first.is_list());
    REQUIRE(first.items.size() == 8);
    CHECK(first.items[0].text == "TEXT");
    CHECK(first.items[2].items[1].text == "US-ASCII");
    CHECK(first.items[3].is_nil());
    CHECK(first.items[6].as_number() == 1152u);
    const value& second = bs->items[1];
    CHECK(second.items[2].items.size() == 4);
    CHECK(second.items[2].items[3].text == "cc.diff");
    CHECK(second.items[3].text == "<960723163407.20117h@cac.washington.edu>");
    CHECK(second.items[4].text == "Compiler diff");
    CHECK(bs->items[2].is_string());
    CHECK(bs->items[2].text == "MIXED");
    CHECK(to_imap(*bs) ==
          "((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 1152 23) "
          "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\" \"NAME\" \"cc.diff\") "
          "\"<960723163407.20117h@cac.washington.edu>\" "
          "\"Compiler diff\" \"BASE64\" 4554 73) \"MIXED\")");
}

TEST_CASE("IMAP responses: ENVELOPE with NIL, quoted strings and escapes") {
    response r = parsed(
        "* 12 FETCH (FLAGS (\\Seen) INTERNALDATE \"17-Jul-1996 02:44:25 -0700\" RFC822.SIZE 4286 "
        "ENVELOPE (\"Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\" \"say \\\"hi\\\" \\\\ bye\" "
        "((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) "
        "((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) "
        "((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) "
        "((NIL NIL \"imap\" \"cac.washington.edu\")) "
        "((NIL NIL \"minutes\" \"CNRI.Reston.VA.US\")"
        "(\"John Klensin\" NIL \"KLENSIN\" \"MIT.EDU\")) "
        "NIL nil \"<B27397-0100000@cac.washington.edu>\") UID 9)\r\n");
    auto m = fetch_items(r);
    REQUIRE(m);
    CHECK(m->find("INTERNALDATE")->text == "17-Jul-1996 02:44:25 -0700");
    const value* env = m->find("ENVELOPE");
    REQUIRE(env);
    REQUIRE(env->items.size() == 10);
    CHECK(env->items[0].text == "Wed, 17 Jul 1996 02:23:25 -0700 (PDT)");
    CHECK(env->items[1].text == "say \"hi\" \\ bye");
    CHECK(to_imap(env->items[1]) == "\"say \\\"hi\\\" \\\\ bye\"");
    const value& from = env->items[2].items[0];
    CHECK(from.items[0].as_string() == "Terry Gray");
    CHECK(from.items[1].is_nil());
    CHECK_FALSE(from.items[1].as_string());
    CHECK(env->items[5].items[0].items[0].is_nil());
    CHECK(env->items[6].items.size() == 2);  // two addresses, no space between them
    CHECK(env->items[6].items[1].items[2].text == "KLENSIN");
    CHECK(env->items[7].is_nil());
    CHECK(env->items[8].is_nil());  // NIL in any case
    CHECK(env->items[9].text == "<B27397-0100000@cac.washington.edu>");
    CHECK(m->find("UID")->as_number() == 9u);
}

TEST_CASE("IMAP responses: LIST with a quoted delimiter, NIL delimiter, a literal name") {
    response r = parsed("* LIST (\\HasNoChildren) \".\" \"INBOX\"\r\n");
    REQUIRE(r.words.size() == 4);
    CHECK(r.words[0].is_atom("LIST"));
    CHECK(r.words[1].items[0].is_atom("\\HasNoChildren"));
    CHECK(r.words[2].is_string());
    CHECK(r.words[2].text == ".");
    CHECK(r.words[3].text == "INBOX");
    r = parsed("* LIST (\\Noselect \\HasChildren) NIL Archive\r\n");
    CHECK(r.words[2].is_nil());
    CHECK(r.words[3].is_atom("Archive"));
    CHECK(r.words[3].as_string() == "Archive");
    r = parsed("* LIST () \"/\" {7}\r\nA \"b\" c\r\n");
    CHECK(r.words[1].is_list());
    CHECK(r.words[1].items.empty());
    CHECK(r.words[2].text == "/");
    CHECK(r.words[3].text == "A \"b\" c");
    r = parsed("* LIST (\\HasNoChildren) \"\\\\\" \"a\\\\b\"\r\n");  // "\" delimiter, escaped
    CHECK(r.words[2].text == "\\");
    CHECK(r.words[3].text == "a\\b");
    r = parsed("* SEARCH 2 3 10\r\n");
    REQUIRE(r.words.size() == 4);
    CHECK(r.words[3].as_number() == 10u);
    r = parsed("* STATUS \"Sent Items\" (MESSAGES 2 UIDNEXT 5)\r\n");
    CHECK(r.words[1].text == "Sent Items");
    CHECK(r.words[2].items[3].as_number() == 5u);
}

TEST_CASE("IMAP responses: status responses with response codes, continuations") {
    response r = parsed("* OK [UIDVALIDITY 3] UIDs valid\r\n");
    CHECK(r.status() == "OK");
    REQUIRE(r.code());
    CHECK(r.code()->is_code());
    CHECK(r.code()->text == "UIDVALIDITY 3");
    REQUIRE(r.code()->items.size() == 2);
    CHECK(r.code()->items[0].is_atom("UIDVALIDITY"));
    CHECK(r.code()->items[1].as_number() == 3u);
    CHECK(r.text == "UIDs valid");

    r = parsed("* OK [PERMANENTFLAGS (\\Deleted \\Seen \\*)] Limited\r\n");
    REQUIRE(r.code());
    REQUIRE(r.code()->items.size() == 2);
    const value& flags = r.code()->items[1];
    REQUIRE(flags.is_list());
    REQUIRE(flags.items.size() == 3);
    CHECK(flags.items[2].is_atom("\\*"));
    CHECK(to_imap(*r.code()) == "[PERMANENTFLAGS (\\Deleted \\Seen \\*)]");
    CHECK(r.text == "Limited");

    r = parsed("a2 ok [READ-WRITE] SELECT completed\r\n");
    CHECK(r.tag == "a2");
    CHECK(r.status() == "OK");
    CHECK(r.code()->items[0].is_atom("READ-WRITE"));
    r = parsed("a5 OK [APPENDUID 38505 3955] APPEND completed\r\n");
    CHECK(r.code()->items[2].as_number() == 3955u);
    r = parsed("c1 OK [COPYUID 2 2,3 1:2] done\r\n");
    CHECK(r.code()->items[2].is_atom("2,3"));
    r = parsed("* OK [CAPABILITY IMAP4rev1 LITERAL+ AUTH=PLAIN] ready\r\n");
    CHECK(r.code()->items.size() == 4);
    CHECK(r.code()->items[3].is_atom("AUTH=PLAIN"));
    // The text is for people and may hold anything; it is not parsed.
    r = parsed("a3 NO [TRYCREATE] can't open (that \"mailbox\r\n");
    CHECK(r.status() == "NO");
    CHECK(r.text == "can't open (that \"mailbox");
    r = parsed("a3 BAD\r\n");
    CHECK(r.status() == "BAD");
    CHECK(r.code() == nullptr);
    CHECK(r.text == "");
    r = parsed("* BYE [ALERT] server shutting down\r\n");
    CHECK(r.status() == "BYE");
    CHECK(r.code()->text == "ALERT");
    r = parsed("* PREAUTH IMAP4rev1 server logged in as Smith\r\n");
    CHECK(r.status() == "PREAUTH");
    CHECK(r.words.size() == 1);
    // An unknown code with text the grammar cannot read is kept whole.
    r = parsed("* NO [X-ODD some \"text] more\r\n");
    REQUIRE(r.code());
    CHECK(r.code()->text == "X-ODD some \"text");
    CHECK(r.code()->items[0].is_atom("X-ODD"));
    CHECK(r.text == "more");

    r = parsed("+ Ready for 5 octets\r\n");
    CHECK(r.is_continuation());
    CHECK(r.words.empty());
    CHECK(r.text == "Ready for 5 octets");
    r = parsed("+\r\n");
    CHECK(r.is_continuation());
    CHECK(r.text == "");
    r = parsed("+ dGVzdA==\n");  // a SASL challenge; a bare LF ends it too
    CHECK(r.text == "dGVzdA==");
    r = parsed("+go on\r\n");  // no space: still a continuation
    CHECK(r.is_continuation());
    CHECK(r.text == "go on");
}

TEST_CASE("IMAP responses: value helpers and rendering") {
    value v;
    v.text = "Fetch";
    CHECK(v.is_atom("FETCH"));
    CHECK_FALSE(v.is_atom("FETCHX"));
    CHECK_FALSE(v.as_number());
    CHECK(v.at(0) == nullptr);
    response r = parsed("* 1 FETCH (RFC822.SIZE 18446744073709551615 X 18446744073709551616)\r\n");
    CHECK(r.words[2].at(1)->as_number() == 18446744073709551615u);
    CHECK(r.words[2].at(3)->is_number());
    CHECK_FALSE(r.words[2].at(3)->as_number());  // too big for 64 bits
    CHECK(r.words[2].at(3)->as_string() == "18446744073709551616");
    CHECK(to_string(value::kind::code) == "code");
    value s;
    s.k = value::kind::string;
    s.text = "caf\xc3\xa9\r\n";
    CHECK(to_imap(s) == "{7}\r\ncaf\xc3\xa9\r\n");
    // Parse, render, parse again: the same tree.
    for (const std::string& raw : split_all(session_stream, {})) {
        response a = parse_response(raw);
        std::string rendered;
        for (const auto& w : a.words) rendered += " " + to_imap(w);
        if (a.status().empty() && !a.is_continuation()) {
            response b = parse_response(a.tag + rendered + "\r\n");
            CHECK(b.error == "");
            REQUIRE(b.words.size() == a.words.size());
            for (std::size_t i = 0; i < a.words.size(); ++i)
                CHECK(to_imap(b.words[i]) == to_imap(a.words[i]));
        }
    }
}

TEST_CASE("IMAP responses: malformed input is an error with a reason, never a crash") {
    struct bad_case {
        std::string raw;
        std::string error_part;
    };
    std::vector<bad_case> cases = {
        {"", "tag"},
        {"*\r\n", "nothing follows"},
        {"* LIST (\\Noselect \"/\" x\r\n", "not closed"},
        {"* SEARCH \"open\r\n", "line break"},
        {"* 1 FETCH (BODY[] {10}\r\nshort)\r\n", "announces 10 octets"},
        {"* 1 FETCH (BODY[HEADER.FIELDS (FROM)\r\n", "not closed"},
        {"* 1 FETCH (X {1a}\r\n)\r\n", "malformed literal"},
        {"* 1 FETCH (X ))\r\n", "unexpected ')'"},
        {"* 1 FETCH (X a\x01z)\r\n", "control character 0x01"},
        {"* X " + std::string(100, '(') + std::string(100, ')') + "\r\n", "64 deep"},
        {"* OK [UIDVALIDITY 3\r\n", "not closed"},
    };
    for (const auto& c : cases) {
        INFO("raw: ", c.raw);
        response r = parse_response(c.raw);
        CHECK(r.error.find(c.error_part) != std::string::npos);
        CHECK(r.raw == c.raw);
    }
    // What came before the fault is kept: the tag and the words before it.
    response r = parse_response("a7 FOO 1 (2\r\n");
    CHECK(r.tag == "a7");
    CHECK(r.words.size() == 2);
}

TEST_CASE("IMAP responses: the splitter gives the same responses at every split") {
    std::vector<std::string> whole = split_all(session_stream, {});
    REQUIRE(whole.size() == 15);
    CHECK(whole[6] == fetch_with_literal);
    CHECK(whole[8] == "* LIST (\\HasNoChildren) \".\" \"INBOX\"\r\n");
    CHECK(whole[9] == "* LIST () \".\" {7}\r\nA \"b\" c\r\n");
    std::string joined;
    for (const auto& r : whole) joined += r;
    CHECK(joined == session_stream);
    for (std::size_t cut = 1; cut < session_stream.size(); ++cut) {
        CAPTURE(cut);
        CHECK(split_all(session_stream, {cut}) == whole);
    }
    // Byte by byte, and in three pieces.
    std::vector<std::size_t> every;
    for (std::size_t i = 1; i < session_stream.size(); ++i) every.push_back(i);
    CHECK(split_all(session_stream, every) == whole);
    for (std::size_t a = 1; a < session_stream.size(); a += 7)
        for (std::size_t b = a + 1; b < session_stream.size(); b += 13)
            CHECK(split_all(session_stream, {a, b}) == whole);
    // Nothing is given out before the response is complete.
    response_splitter s;
    s.feed("* 1 FETCH (BODY[] {5}\r\nab");
    CHECK_FALSE(s.next());
    s.feed("cde)");
    CHECK_FALSE(s.next());
    CHECK(s.buffered() == 29);
    s.feed("\r\n* 2 EXISTS");
    CHECK(s.next() == "* 1 FETCH (BODY[] {5}\r\nabcde)\r\n");
    CHECK_FALSE(s.next());
    s.discard();
    CHECK(s.buffered() == 0);
    s.feed("* 3 EXISTS\n");
    CHECK(s.next() == "* 3 EXISTS\n");
}

TEST_CASE("IMAP responses: an oversized literal or line stops the splitter with a message") {
    response_splitter::limits small;
    small.max_literal = 100;
    small.max_text = 64;
    small.max_response = 150;
    {
        response_splitter s(small);
        s.feed("* 1 FETCH (BODY[] {100}\r\n" + std::string(100, 'x') + ")\r\n");
        CHECK(s.next());  // exactly at the limit is fine
        s.feed("* 2 FETCH (BODY[] {101}\r\n");
        CHECK_FALSE(s.next());  // refused when "{101}" is read, before any of the octets
        CHECK(s.failed());
        CHECK(s.error() == "a literal of 101 octets is over the limit of 100");
        s.feed(std::string(101, 'x') + ")\r\n* 3 EXISTS\r\n");
        CHECK_FALSE(s.next());
        CHECK(s.buffered() == 0);  // nothing kept once failed
    }
    {
        response_splitter s(small);
        s.feed("* 1 FETCH (BODY[1] {90}\r\n" + std::string(90, 'x') + " BODY[2] {90}\r\n");
        CHECK_FALSE(s.next());
        CHECK(s.error() == "a response is over the limit of 150 octets");
    }
    {
        response_splitter s(small);
        s.feed("* SEARCH" + std::string(60, ' '));
        CHECK_FALSE(s.next());
        CHECK(s.error().find("64 octets outside literals") != std::string::npos);
    }
    {
        response_splitter s;  // the defaults: 64 MiB literals; the size alone is refused
        s.feed("* 1 FETCH (BODY[] {67108865}\r\n");
        CHECK_FALSE(s.next());
        CHECK(s.error() == "a literal of 67108865 octets is over the limit of 67108864");
        response_splitter t;
        t.feed("* 1 FETCH (BODY[] {99999999999999999999999999}\r\n");
        CHECK_FALSE(t.next());
        CHECK(t.failed());
    }
}

TEST_CASE("IMAP responses: random damage never crashes the splitter or the parser") {
    std::mt19937 rng(3501);
    for (int round = 0; round < 3000; ++round) {
        std::string s = session_stream;
        int edits = 1 + static_cast<int>(rng() % 4);
        for (int e = 0; e < edits; ++e) {
            std::size_t at = rng() % s.size();
            const char pool[] = "{}()[]\"\\ \r\n0123456789+*x";
            switch (rng() % 3) {
                case 0: s[at] = pool[rng() % (sizeof pool - 1)]; break;
                case 1: s.erase(at, 1 + rng() % 5); break;
                default: s.insert(at, 1, pool[rng() % (sizeof pool - 1)]); break;
            }
            if (s.empty()) s = "x";
        }
        response_splitter::limits l;
        l.max_literal = 1000;
        response_splitter sp(l);
        std::size_t cut = rng() % s.size();
        sp.feed(s.substr(0, cut));
        while (auto r = sp.next()) (void)fetch_items(parse_response(*r));
        sp.feed(s.substr(cut));
        while (auto r = sp.next()) (void)fetch_items(parse_response(*r));
        (void)parse_response(s);
    }
}
