// The scenario loader: every kind of mistake a teacher can make in a scenario file is an error
// naming the exact line and column and saying what is wrong there; every shipped scenario loads;
// durations, JSON positions and readable paths.
#include "sim/world/scenario_loader.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "sim/core/json_locations.hpp"
#include "sim/core/strict_json.hpp"

#ifndef MAILLAB_SOURCE_DIR
#error "MAILLAB_SOURCE_DIR must name the source tree (tests/CMakeLists.txt defines it)"
#endif

using namespace maillab;
using maillab::world::load_scenario_text;

namespace {

struct load_error {
    std::size_t line = 0;
    std::size_t column = 0;
    std::string message;  // without "file:line:col: "
    std::string what;
};

// Loads `text` and returns the error it must cause.
load_error error_of(const std::string& text) {
    try {
        load_scenario_text("t.json", text);
    } catch (const file_format_error& err) {
        return {err.position().line, err.position().column, err.message(), err.what()};
    }
    FAIL("the scenario loaded without an error:\n" << text);
    return {};
}

bool contains(const std::string& haystack, const std::string& needle) {
    return haystack.find(needle) != std::string::npos;
}

#define CHECK_ERROR(err, l, c, words)                                   \
    do {                                                                \
        CHECK_MESSAGE((err).line == (l), (err).what);                   \
        CHECK_MESSAGE((err).column == (c), (err).what);                 \
        CHECK_MESSAGE(contains((err).message, words), (err).what);      \
    } while (0)

std::vector<std::filesystem::path> scenario_files() {
    std::vector<std::filesystem::path> out;
    for (const auto& entry :
         std::filesystem::directory_iterator(std::filesystem::path(MAILLAB_SOURCE_DIR) / "scenarios"))
        if (entry.path().extension() == ".json") out.push_back(entry.path());
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace

// ---- mistakes -------------------------------------------------------------------------------

TEST_CASE("invalid JSON: the error is at the offending character") {
    // A trailing comma: the "]" on line 6 is where a value was expected.
    auto err = error_of(R"({
  "maillab_scenario": 1,
  "title": "t",
  "hosts": [
    {"name": "pc", "roles": ["user_agent"]},
  ],
  "script": []
})");
    CHECK_ERROR(err, 6, 3, "not valid JSON");
    CHECK(contains(err.message, "unexpected ']'"));
    CHECK(err.what.rfind("t.json:6:3: not valid JSON", 0) == 0);

    // A single quote instead of a double one.
    err = error_of("{\n  \"maillab_scenario\": 1,\n  \"title\": 't'\n}");
    CHECK_ERROR(err, 3, 12, "not valid JSON");

    // The file ends in the middle of an object: the position just after the last character.
    err = error_of("{\n  \"maillab_scenario\": 1,\n");
    CHECK_ERROR(err, 3, 1, "unexpected end of input");

    // A missing comma: reported on the line of the unexpected key.
    err = error_of("{\n  \"maillab_scenario\": 1\n  \"title\": \"t\"\n}");
    CHECK(err.line == 3);
    CHECK(contains(err.message, "unexpected string literal"));

    // A number too large for a double (found by fuzz_scenario_loader): a clear error at the
    // number, not an exception of the JSON library's own.
    err = error_of("{\n  \"maillab_scenario\": 1,\n  \"title\": 5e99999\n}");
    CHECK_ERROR(err, 3, 12, "not valid JSON");
    CHECK(contains(err.message, "number overflow"));
}

TEST_CASE("an unknown top-level key is an error at the key, listing the keys allowed") {
    auto err = error_of(R"({
  "maillab_scenario": 1,
  "title": "t",
  "hsts": [],
  "hosts": [{"name": "pc", "roles": ["user_agent"]}],
  "script": []
})");
    CHECK_ERROR(err, 4, 3, "hsts: unknown key \"hsts\"");
    CHECK(contains(err.message, "expected one of: "));
    CHECK(contains(err.message, "hosts"));
    CHECK(contains(err.message, "script"));
}

TEST_CASE("an unknown key inside a host") {
    auto err = error_of(R"({
  "maillab_scenario": 1,
  "title": "t",
  "hosts": [
    {"name": "pc", "roles": ["user_agent"]},
    {"name": "mail.a.example", "roles": ["mx"], "domain": ["a.example"]}
  ],
  "script": []
})");
    CHECK_ERROR(err, 6, 49, "hosts[1].domain: unknown key \"domain\"");
    CHECK(contains(err.message, "domains"));
}

TEST_CASE("a misspelt key inside a script step is not ignored") {
    auto err = error_of(R"({
  "maillab_scenario": 1,
  "title": "t",
  "hosts": [
    {"name": "pc", "roles": ["user_agent"]},
    {"name": "mail.a.example", "roles": ["submission"], "domains": ["a.example"]}
  ],
  "users": [{"address": "alice@a.example", "password": "pw"}],
  "script": [
    {"do": "send", "host": "pc", "server": "mail.a.example", "port": "submission",
     "user": "alice@a.example", "recipents": ["bob@b.example"],
     "message": {"subject": "s", "text": "t"}}
  ]
})");
    CHECK_ERROR(err, 11, 33, "script[0].recipents: unknown key \"recipents\"");
    CHECK(contains(err.message, "message"));
    CHECK(contains(err.message, ", to"));
}

TEST_CASE("a string where an array is expected") {
    auto err = error_of(R"({
  "maillab_scenario": 1,
  "title": "t",
  "hosts": [
    {"name": "pc", "roles": ["user_agent"]},
    {"name": "mail.a.example", "roles": "mx", "domains": ["a.example"]}
  ],
  "script": []
})");
    CHECK_ERROR(err, 6, 41, "hosts[1].roles: expected an array, found a string");
}

TEST_CASE("an unknown role names the roles there are") {
    auto err = error_of(R"({
  "maillab_scenario": 1,
  "title": "t",
  "hosts": [
    {"name": "pc", "roles": ["user_agent"]},
    {"name": "mail.a.example", "roles": ["mx", "smtp"], "domains": ["a.example"]}
  ],
  "script": []
})");
    CHECK_ERROR(err, 6, 48, "hosts[1].roles[1]: \"smtp\" is not one of: ");
    CHECK(contains(err.message, "user_agent, submission, mx, pop3, imap, dns"));
}

TEST_CASE("two hosts with the same name (names are case-insensitive)") {
    auto err = error_of(R"({
  "maillab_scenario": 1,
  "title": "t",
  "hosts": [
    {"name": "pc", "roles": ["user_agent"]},
    {"name": "PC", "roles": ["user_agent"]}
  ],
  "script": []
})");
    CHECK_ERROR(err, 6, 14, "hosts[1].name: a second host named \"pc\"");
}

TEST_CASE("a user whose domain no host serves") {
    auto err = error_of(R"({
  "maillab_scenario": 1,
  "title": "t",
  "hosts": [
    {"name": "pc", "roles": ["user_agent"]},
    {"name": "mail.a.example", "roles": ["mx"], "domains": ["a.example"]}
  ],
  "users": [{"address": "carol@c.example", "password": "pw"}],
  "script": []
})");
    CHECK_ERROR(err, 8, 25, "users[0].address: no host serves the domain \"c.example\"");
}

TEST_CASE("an MX record naming a host without the mx role") {
    auto err = error_of(R"({
  "maillab_scenario": 1,
  "title": "t",
  "hosts": [
    {"name": "pc", "roles": ["user_agent"]},
    {"name": "mail.a.example", "roles": ["submission", "pop3"], "domains": ["a.example"]}
  ],
  "dns": {"mx": {
    "a.example": [{"preference": 10, "host": "mail.a.example"}]
  }},
  "script": []
})");
    CHECK_ERROR(err, 9, 46,
                "dns.mx.a.example[0].host: host \"mail.a.example\" has no \"mx\" role");

    // ... and one naming no host at all lists the hosts.
    err = error_of(R"({
  "maillab_scenario": 1,
  "title": "t",
  "hosts": [{"name": "pc", "roles": ["user_agent"]}],
  "dns": {"mx": {"a.example": [{"preference": 10, "host": "mx.a.example"}]}},
  "script": []
})");
    CHECK_ERROR(err, 5, 59, "no host named \"mx.a.example\"; the hosts are: pc");
}

TEST_CASE("a step whose host is not a user agent") {
    auto err = error_of(R"({
  "maillab_scenario": 1,
  "title": "t",
  "hosts": [
    {"name": "pc", "roles": ["user_agent"]},
    {"name": "mail.a.example", "roles": ["mx", "pop3"], "domains": ["a.example"]}
  ],
  "users": [{"address": "alice@a.example", "password": "pw"}],
  "script": [
    {"do": "pop3", "host": "mail.a.example", "server": "mail.a.example", "port": "pop3", "user": "alice@a.example"}
  ]
})");
    CHECK_ERROR(err, 10, 28, "script[0].host: \"mail.a.example\" is not a user_agent");
}

TEST_CASE("a server without the role the port needs") {
    auto err = error_of(R"({
  "maillab_scenario": 1,
  "title": "t",
  "hosts": [
    {"name": "pc", "roles": ["user_agent"]},
    {"name": "mail.a.example", "roles": ["mx", "pop3"], "domains": ["a.example"]},
    {"name": "mail.b.example", "roles": ["mx"], "domains": ["b.example"]}
  ],
  "users": [{"address": "alice@a.example", "password": "pw"}],
  "script": [
    {"do": "pop3", "host": "pc", "server": "mail.b.example", "port": "pop3", "user": "alice@a.example"}
  ]
})");
    CHECK_ERROR(err, 11, 44,
                "script[0].server: \"mail.b.example\" has no \"pop3\" role for port pop3");

    // Submission is its own role: an MX does not take port 587.
    err = error_of(R"({
  "maillab_scenario": 1,
  "title": "t",
  "hosts": [
    {"name": "pc", "roles": ["user_agent"]},
    {"name": "mail.a.example", "roles": ["mx"], "domains": ["a.example"]}
  ],
  "users": [{"address": "alice@a.example", "password": "pw"}],
  "script": [
    {"do": "send", "host": "pc", "server": "mail.a.example", "port": "submission",
     "user": "alice@a.example", "to": "bob@b.example", "message": {"text": "t"}}
  ]
})");
    CHECK_ERROR(err, 10, 44, "has no \"submission\" role for port submission");
}

TEST_CASE("port smtps on a host without tls") {
    auto err = error_of(R"({
  "maillab_scenario": 1,
  "title": "t",
  "hosts": [
    {"name": "pc", "roles": ["user_agent"]},
    {"name": "mail.a.example", "roles": ["submission"], "domains": ["a.example"]}
  ],
  "users": [{"address": "alice@a.example", "password": "pw"}],
  "script": [
    {"do": "send", "host": "pc", "server": "mail.a.example", "port": "smtps",
     "user": "alice@a.example", "to": ["bob@b.example"], "message": {"text": "t"}}
  ]
})");
    CHECK_ERROR(err, 10, 44,
                "script[0].server: \"mail.a.example\" does not offer TLS (set \"tls\": true");
}

TEST_CASE("an unknown user in a pop3 step") {
    auto err = error_of(R"({
  "maillab_scenario": 1,
  "title": "t",
  "hosts": [
    {"name": "pc", "roles": ["user_agent"]},
    {"name": "mail.a.example", "roles": ["mx", "pop3"], "domains": ["a.example"]}
  ],
  "users": [{"address": "alice@a.example", "password": "pw"}],
  "script": [
    {"do": "pop3", "host": "pc", "server": "mail.a.example", "port": "pop3", "user": "zed@a.example"}
  ]
})");
    CHECK_ERROR(err, 10, 86, "script[0].user: no user \"zed@a.example\" in \"users\"");
}

TEST_CASE("a duration in words is not a duration") {
    auto err = error_of(R"({
  "maillab_scenario": 1,
  "title": "t",
  "hosts": [{"name": "pc", "roles": ["user_agent"]}],
  "script": [
    {"do": "wait", "for": "10 minutes"}
  ]
})");
    CHECK_ERROR(err, 6, 27, "script[0].for: expected a duration such as \"500ms\"");
    CHECK(contains(err.message, "found \"10 minutes\""));

    // A negative number of seconds neither.
    err = error_of(R"({
  "maillab_scenario": 1,
  "title": "t",
  "latency": -1,
  "hosts": [{"name": "pc", "roles": ["user_agent"]}],
  "script": []
})");
    CHECK_ERROR(err, 4, 14, "latency: expected a duration");
}

TEST_CASE("a reply fault without the command it answers") {
    auto err = error_of(R"({
  "maillab_scenario": 1,
  "title": "t",
  "hosts": [
    {"name": "pc", "roles": ["user_agent"]},
    {"name": "mail.a.example", "roles": ["mx"], "domains": ["a.example"]}
  ],
  "faults": [
    {"host": "mail.a.example", "action": "reply", "reply": "451 4.3.0 busy"}
  ],
  "script": []
})");
    CHECK_ERROR(err, 9, 5, "faults[0]: a \"reply\" fault needs the \"command\" it answers");
}

TEST_CASE("a fault reply that is not an SMTP reply") {
    auto err = error_of(R"({
  "maillab_scenario": 1,
  "title": "t",
  "hosts": [
    {"name": "pc", "roles": ["user_agent"]},
    {"name": "mail.a.example", "roles": ["mx"], "domains": ["a.example"]}
  ],
  "faults": [
    {"host": "mail.a.example", "command": "RCPT", "action": "reply", "reply": "OK, thanks"},
    {"host": "mail.a.example", "command": "RCPT", "action": "reply", "reply": "250 fine"}
  ],
  "script": []
})");
    CHECK_ERROR(err, 9, 79,
                "faults[0].reply: \"OK, thanks\" does not start with an SMTP reply code (2xx-5xx)");

    // 6xx is no SMTP code either; the first faulty rule is the one reported.
    err = error_of(R"({
  "maillab_scenario": 1,
  "title": "t",
  "hosts": [
    {"name": "pc", "roles": ["user_agent"]},
    {"name": "mail.a.example", "roles": ["mx"], "domains": ["a.example"]}
  ],
  "faults": [
    {"host": "mail.a.example", "command": "RCPT", "action": "reply", "reply": "452 4.5.3 Too many"},
    {"host": "mail.a.example", "command": "MAIL", "action": "reply", "reply": "650 no"}
  ],
  "script": []
})");
    CHECK_ERROR(err, 10, 79, "faults[1].reply: \"650 no\" does not start with an SMTP reply code");
}

TEST_CASE("a fault key that does nothing for its action, and a TLS fault on a host without TLS") {
    auto err = error_of(R"({
  "maillab_scenario": 1,
  "title": "t",
  "hosts": [
    {"name": "pc", "roles": ["user_agent"]},
    {"name": "mail.a.example", "roles": ["mx"], "domains": ["a.example"]}
  ],
  "faults": [
    {"host": "mail.a.example", "action": "unreachable", "command": "RCPT"}
  ],
  "script": []
})");
    CHECK_ERROR(err, 9, 57, "faults[0].command: unknown key \"command\"");
    CHECK(contains(err.message, "expected one of: action, from, host, name, until"));

    err = error_of(R"({
  "maillab_scenario": 1,
  "title": "t",
  "hosts": [
    {"name": "pc", "roles": ["user_agent"]},
    {"name": "mail.a.example", "roles": ["mx"], "domains": ["a.example"]}
  ],
  "faults": [
    {"host": "mail.a.example", "action": "fail_tls"}
  ],
  "script": []
})");
    CHECK_ERROR(err, 9, 14, "faults[0].host: \"mail.a.example\" offers no TLS");
}

TEST_CASE("\"at\" and \"after\" together") {
    auto err = error_of(R"({
  "maillab_scenario": 1,
  "title": "t",
  "hosts": [{"name": "pc", "roles": ["user_agent"]}],
  "script": [
    {"do": "wait", "for": "1m"},
    {"do": "wait", "at": "5m", "after": "2m", "for": "1m"}
  ]
})");
    CHECK_ERROR(err, 7, 5, "script[1]: give \"at\" or \"after\", not both");
}

TEST_CASE("a newer format version") {
    auto err = error_of(R"({
  "maillab_scenario": 2,
  "title": "t",
  "hosts": [{"name": "pc", "roles": ["user_agent"]}],
  "script": []
})");
    CHECK_ERROR(err, 2, 23,
                "maillab_scenario: this file is scenario format 2; this maillab reads format 1 "
                "and older");
}

TEST_CASE("an expectation of an unknown kind") {
    auto err = error_of(R"({
  "maillab_scenario": 1,
  "title": "t",
  "hosts": [
    {"name": "pc", "roles": ["user_agent"]},
    {"name": "mail.a.example", "roles": ["mx"], "domains": ["a.example"]}
  ],
  "users": [{"address": "alice@a.example", "password": "pw"}],
  "script": [],
  "expect": [{"expect": "mailboxes", "user": "alice@a.example"}]
})");
    CHECK_ERROR(err, 10, 25, "expect[0].expect: \"mailboxes\" is not one of: ");
    CHECK(contains(err.message, "bounce, download, event, mailbox, no_mail, queue_empty, reply, state"));
}

TEST_CASE("the error carries the file name it was given") {
    try {
        load_scenario_text("scenarios/x.json", "{\"maillab_scenario\": \"1\", \"title\": \"t\"}");
        FAIL("no error");
    } catch (const file_format_error& err) {
        CHECK(err.file() == "scenarios/x.json");
        CHECK(err.position().line == 1);
        CHECK(err.position().column == 22);
        CHECK(std::string(err.what()) ==
              "scenarios/x.json:1:22: maillab_scenario: expected a whole number, found a string");
    }
}

// ---- what loads -----------------------------------------------------------------------------

TEST_CASE("every scenario in scenarios/ loads") {
    auto files = scenario_files();
    REQUIRE(files.size() >= 7);
    std::vector<std::string> ids;
    for (const auto& path : files) {
        CAPTURE(path.string());
        world::scenario s;
        CHECK_NOTHROW(s = world::load_scenario_file(path.string()));
        CHECK(s.id == path.stem().string());
        CHECK(s.path == path.string());
        CHECK_FALSE(s.title.en.empty());
        CHECK_FALSE(s.title.zh.empty());
        CHECK_FALSE(s.hosts.empty());
        CHECK_FALSE(s.script.empty());
        ids.push_back(s.id);
    }
    for (auto id : {"classic", "failures", "secure", "auth-and-relay"})
        CHECK_MESSAGE(std::find(ids.begin(), ids.end(), id) != ids.end(), id);
}

TEST_CASE("failures.json loads into the values written") {
    std::string path = std::string(MAILLAB_SOURCE_DIR) + "/scenarios/failures.json";
    world::scenario s = world::load_scenario_file(path);
    CHECK(s.hosts.size() == 6);
    CHECK(s.hosts[3].name == "mx1.b.example");
    CHECK(s.hosts[3].where == path + ":16:5");
    // MX records stay as written; the DNS sorts them when asked.
    REQUIRE(s.mx.at("b.example").size() == 2);
    CHECK(s.mx.at("b.example")[0].host == "mx2.b.example");
    CHECK(s.mx.at("b.example")[0].preference == 20);
    CHECK(s.mx.at("b.example")[1].preference == 10);
    CHECK(s.relay.retry_us == std::vector<std::int64_t>{60'000'000, 300'000'000, 900'000'000});
    CHECK(s.relay.give_up_after_us == 7'200'000'000LL);
    CHECK(s.relay.connect_timeout_us == 30'000'000);
    REQUIRE(s.faults.size() == 2);
    CHECK(s.faults[0].action == world::fault_action::unreachable);
    CHECK_FALSE(s.faults[0].until_us.has_value());
    CHECK(s.faults[1].until_us == 600'000'000);
    CHECK(s.faults[1].where == path + ":35:5");
    REQUIRE(s.script.size() == 4);
    CHECK(s.script[1].after_us == 10'000'000);
    CHECK(s.script[1].message.message_id == "<typo-1@a.example>");
    CHECK(s.script[2].kind == world::action_kind::wait);
    CHECK(s.script[2].wait_us == 1'800'000'000LL);
    CHECK(s.script[3].fetch == std::vector<std::pair<std::string, std::string>>{{"1", "2"}});
    REQUIRE(s.expectations.size() == 8);
    CHECK(s.expectations[3].count == 3u);
    CHECK(s.expectations[6].kind == world::expectation_kind::bounce);
    CHECK(s.expectations[6].status == "5.1.1");
}

TEST_CASE("durations: units, plain seconds and fractions") {
    CHECK(parse_duration_us("500ms") == 500'000);
    CHECK(parse_duration_us("30s") == 30'000'000);
    CHECK(parse_duration_us("10m") == 600'000'000);
    CHECK(parse_duration_us("2min") == 120'000'000);
    CHECK(parse_duration_us("2h") == 7'200'000'000LL);
    CHECK(parse_duration_us("1d") == 86'400'000'000LL);
    CHECK(parse_duration_us("250us") == 250);
    CHECK(parse_duration_us("1.5") == 1'500'000);
    CHECK(parse_duration_us("1.5s") == 1'500'000);
    CHECK(parse_duration_us("90") == 90'000'000);
    CHECK(parse_duration_us("0") == 0);
    for (auto bad : {"10 minutes", "", "ms", "-5s", "5x", "1e3s", "1.2.3s", "10M", " 5s"})
        CHECK_MESSAGE(!parse_duration_us(bad).has_value(), bad);

    // In a file: a JSON number is seconds, a string has a unit.
    world::scenario s = load_scenario_text("t.json", R"({
  "maillab_scenario": 1,
  "title": "t",
  "latency": 1.5,
  "hosts": [
    {"name": "pc", "roles": ["user_agent"]},
    {"name": "mail.a.example", "roles": ["mx"], "domains": ["a.example"]}
  ],
  "links": [{"between": ["pc", "mail.a.example"], "latency": "500ms"}],
  "relay": {"retry": ["30s", "10m", "2h"], "give_up_after": "1d", "connect_timeout": 5},
  "script": [{"do": "wait", "at": "2h", "for": 0.25}]
})");
    CHECK(s.default_latency_us == 1'500'000);
    REQUIRE(s.links.size() == 1);
    CHECK(s.links[0].latency_us == 500'000);
    CHECK(s.relay.retry_us == std::vector<std::int64_t>{30'000'000, 600'000'000, 7'200'000'000LL});
    CHECK(s.relay.give_up_after_us == 86'400'000'000LL);
    CHECK(s.relay.connect_timeout_us == 5'000'000);
    CHECK(s.script[0].at_us == 7'200'000'000LL);
    CHECK(s.script[0].wait_us == 250'000);
}

TEST_CASE("json_locations: where nested values and keys begin") {
    std::string text =
        "{\n"
        "  \"a\": {\"b\": [10, {\"c\": \"x\"}]},\n"
        "  \"d/e\": true,\n"
        "  \"t~\": null\n"
        "}\n";
    json_locations at(text);
    auto is = [](text_position p, std::size_t line, std::size_t column) {
        return p.line == line && p.column == column;
    };
    CHECK(is(at.value(""), 1, 1));
    CHECK(is(at.value("/a"), 2, 8));
    CHECK(is(at.key("/a"), 2, 3));
    CHECK(is(at.value("/a/b"), 2, 14));
    CHECK(is(at.key("/a/b"), 2, 9));
    CHECK(is(at.value("/a/b/0"), 2, 15));
    CHECK(is(at.value("/a/b/1"), 2, 19));
    CHECK(is(at.value("/a/b/1/c"), 2, 25));
    CHECK(is(at.key("/a/b/1/c"), 2, 20));
    // Escaped pointer tokens: "/" is "~1", "~" is "~0".
    CHECK(is(at.value("/" + json_pointer_escape("d/e")), 3, 10));
    CHECK(is(at.key("/d~1e"), 3, 3));
    CHECK(is(at.value("/t~0"), 4, 9));
    // An array element has no key: its value. A missing member: the nearest enclosing value.
    CHECK(is(at.key("/a/b/0"), 2, 15));
    CHECK(is(at.value("/a/b/7"), 2, 14));
    CHECK(is(at.value("/a/zz/1"), 2, 8));
    CHECK(is(at.value("/nothing"), 1, 1));

    // Strings holding quotes, brackets and backslashes do not confuse the walk.
    std::string tricky = "{\"k\\\"q\": \"} ] \\\\\", \"n\": [\"[\", {\"m\": 1}]}";
    json_locations t(tricky);
    CHECK(is(t.key("/k\"q"), 1, 2));
    CHECK(is(t.value("/k\"q"), 1, 10));
    CHECK(is(t.key("/n"), 1, 20));
    CHECK(is(t.value("/n/1/m"), 1, 37));

    // CRLF line ends count as one line end.
    json_locations crlf("{\r\n  \"a\": 1,\r\n  \"b\": 2\r\n}");
    CHECK(is(crlf.value("/b"), 3, 8));

    CHECK(is(json_locations::position_of("ab\ncd", 4), 2, 2));
    CHECK(is(json_locations::position_of("ab\ncd", 0), 1, 1));
    CHECK(is(json_locations::position_of("ab\ncd", 3), 2, 1));
}

TEST_CASE("readable_path turns a JSON pointer into what a reader would write") {
    CHECK(readable_path("/hosts/2/roles/0") == "hosts[2].roles[0]");
    CHECK(readable_path("") == "");
    CHECK(readable_path("/title") == "title");
    CHECK(readable_path("/0") == "[0]");
    CHECK(readable_path("/dns/mx/b.example/0/host") == "dns.mx.b.example[0].host");
    CHECK(readable_path("/a~1b/c~0d") == "a/b.c~d");
    CHECK(readable_path("/x/~01") == "x.~1");
}
