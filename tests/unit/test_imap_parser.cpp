#include "sim/imap/command_parser.hpp"

#include <doctest/doctest.h>

#include <vector>

using namespace maillab::imap;
using status = parse_result::status;

namespace {
// Feeds `input` split at `cut` (or byte by byte when cut == 0), answering every continuation,
// and returns the commands and errors in order.
struct outcome {
    std::vector<command> commands;
    std::vector<std::string> errors;
    int continuations = 0;
};
outcome run(const std::string& input, std::size_t cut) {
    command_parser p;
    outcome o;
    auto drain = [&] {
        for (;;) {
            parse_result r = p.next();
            if (r.state == status::need_more) return;
            if (r.state == status::ready) o.commands.push_back(r.cmd);
            if (r.state == status::error) o.errors.push_back(r.error);
            if (r.state == status::continuation) ++o.continuations;
        }
    };
    if (cut == 0) {
        for (char c : input) {
            p.feed(std::string(1, c));
            drain();
        }
    } else {
        p.feed(input.substr(0, cut));
        drain();
        p.feed(input.substr(cut));
        drain();
    }
    return o;
}

const std::string session =
    "a1 CAPABILITY\r\n"
    "a2 login alice \"pass \\\"word\\\\\"\r\n"
    "a3 SELECT INBOX\r\n"
    "a4 UID FETCH 1:* (FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT FROM)]<0.100> RFC822.SIZE)\r\n"
    "a5 APPEND Drafts (\\Seen \\Draft) \"06-Jan-2025 09:00:00 +0800\" {12}\r\n"
    "Subject: x\r\n\r\n"
    "a6 APPEND Drafts {5+}\r\nhello\r\n"
    "a7 SEARCH CHARSET UTF-8 OR (FROM alice UNSEEN) NOT DELETED SUBJECT {6}\r\n"
    "\xe4\xbd\xa0\xe5\xa5\xbd\r\n"
    "a8 STORE 2 +FLAGS.SILENT (\\Deleted)\r\n"
    "a9 LIST \"\" *\r\n"
    "a10 STATUS INBOX (MESSAGES UIDNEXT)\r\n"
    "a11 LOGOUT\r\n";
}  // namespace

TEST_CASE("IMAP parser: a whole session, its tokens and literals") {
    outcome o = run(session, session.size());
    REQUIRE(o.errors.empty());
    REQUIRE(o.commands.size() == 11);
    // Everything arrived at once: no literal needs a "+ " (a client waits for it, so this only
    // happens when a test feeds the whole session).
    CHECK(o.continuations == 0);
    CHECK(o.commands[1].name == "LOGIN");
    CHECK(o.commands[1].name_as_sent == "login");
    CHECK(o.commands[1].args[1].text == "pass \"word\\");
    const command& fetch = o.commands[3];
    CHECK(fetch.name == "UID");
    REQUIRE(fetch.args.size() == 3);
    CHECK(fetch.args[0].text == "FETCH");
    CHECK(fetch.args[1].text == "1:*");
    REQUIRE(fetch.args[2].is_list());
    CHECK(fetch.args[2].items[1].text == "BODY.PEEK[HEADER.FIELDS (SUBJECT FROM)]<0.100>");
    const command& append = o.commands[4];
    REQUIRE(append.args.size() == 4);
    CHECK(append.args[1].items[0].text == "\\Seen");
    CHECK(append.args[2].is_string());
    CHECK(append.args[3].literal);
    CHECK(append.args[3].text == "Subject: x\r\n");
    CHECK(o.commands[5].args[1].text == "hello");
    CHECK(o.commands[6].args.back().text == "\xe4\xbd\xa0\xe5\xa5\xbd");
    CHECK(o.commands[8].args[0].text == "");
    CHECK(o.commands[10].raw == "a11 LOGOUT\r\n");
}

TEST_CASE("IMAP parser: every split and byte by byte give the same commands") {
    outcome whole = run(session, session.size());
    for (std::size_t cut = 1; cut < session.size(); ++cut) {
        outcome o = run(session, cut);
        INFO("split at ", cut);
        REQUIRE(o.errors.empty());
        REQUIRE(o.commands.size() == whole.commands.size());
        CHECK(o.continuations <= 2);
        for (std::size_t i = 0; i < o.commands.size(); ++i) CHECK(o.commands[i].raw == whole.commands[i].raw);
    }
    outcome bytewise = run(session, 0);
    CHECK(bytewise.commands.size() == whole.commands.size());
    CHECK(bytewise.continuations == 2);  // {12} and {6}, each asked once; {5+} is LITERAL+
}

TEST_CASE("IMAP parser: malformed commands are errors with a reason; the next line is read") {
    auto errors_of = [](const std::string& in) { return run(in + "z1 NOOP\r\n", in.size()).errors; };
    auto check_one = [&](const std::string& in, std::string_view words) {
        outcome o = run(in + "z1 NOOP\r\n", in.size() + 9);
        INFO(in);
        REQUIRE(o.errors.size() == 1);
        CHECK(o.errors[0].find(words) != std::string::npos);
        REQUIRE(o.commands.size() == 1);
        CHECK(o.commands[0].tag == "z1");
    };
    check_one("\r\n", "tag");
    check_one("* NOOP\r\n", "cannot be a tag");
    check_one("a1\r\n", "space");
    check_one("a1 LOGIN \"bad \\x escape\"\r\n", "escape");
    check_one("a1 LOGIN {5 x}\r\n", "literal");
    check_one("a1 FETCH 1 (FLAGS\r\n", "");
    check_one("a1 APPEND x {999999999999}\r\n", "literal");
    (void)errors_of;
    command_parser small(command_parser::limits{100, 10});
    small.feed("a1 APPEND x {11}\r\n");
    parse_result r = small.next();
    CHECK(r.state == status::error);
    small.feed(std::string(200, 'x'));
    r = small.next();
    CHECK(r.state == status::error);
    CHECK(r.error.find("longer than 100") != std::string::npos);
}

TEST_CASE("IMAP parser: literals over the limit, the rest of a long line, NIL and nested lists") {
    command_parser p(command_parser::limits{100, 1000});
    p.feed("a1 APPEND big {100000}\r\n");
    parse_result r = p.next();
    REQUIRE(r.state == status::error);  // refused before any "+ " is asked for
    CHECK_FALSE(r.fatal);
    p.feed("a2 APPEND big {100000+}\r\n");
    r = p.next();
    REQUIRE(r.state == status::error);
    CHECK(r.fatal);  // its bytes are coming anyway: the connection must end
    p.feed(std::string(150, 'x'));
    r = p.next();
    REQUIRE(r.state == status::error);  // a line over 100 octets
    p.feed(std::string(50, 'y') + "\r\na3 NOOP\r\n");
    r = p.next();
    REQUIRE(r.state == status::ready);  // the tail of the long line was not a command
    CHECK(r.cmd.tag == "a3");
    p.feed("a3 X (a (b (c NIL)) \"\")\r\n");
    r = p.next();
    REQUIRE(r.state == status::ready);
    CHECK(r.cmd.args[0].items[1].items[1].items[1].type == token::kind::nil);
    CHECK(r.cmd.args[0].items[2].is_string());
    p.feed("DONE\r\n");
    CHECK(p.take_line() == "DONE");
}
