// Labs: the loader (every shipped lab loads; mistakes, and checkpoints naming what the lab's trace
// cannot contain, are errors at their line and column), the predicates over events, the session
// (checkpoints over the current try, hints after failed checks, a retry from the step's start),
// and grading (every lab's solution passes everything, every wrong attempt fails exactly what it
// names, and the same attempt gives the same report).
#include "sim/lab/lab_loader.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "sim/core/strict_json.hpp"
#include "sim/lab/grading.hpp"
#include "sim/lab/lab_session.hpp"
#include "sim/lab/predicate.hpp"

#ifndef MAILLAB_SOURCE_DIR
#error "MAILLAB_SOURCE_DIR must name the source tree (tests/CMakeLists.txt defines it)"
#endif

using namespace maillab;
using namespace maillab::lab;

namespace {

std::vector<std::filesystem::path> lab_files() {
    std::vector<std::filesystem::path> out;
    for (const auto& entry : std::filesystem::directory_iterator(std::filesystem::path(MAILLAB_SOURCE_DIR) / "labs"))
        if (entry.path().extension() == ".json") out.push_back(entry.path());
    std::sort(out.begin(), out.end());
    return out;
}

// A small lab around one SMTP server; `steps` and `extra` are spliced in.
std::string small_lab(const std::string& checkpoint_check, const std::string& extra = "") {
    return R"({
  "maillab_lab": 1,
  "title": "t",
  "scenario": {
    "maillab_scenario": 1, "title": "s",
    "hosts": [{"name": "pc.s", "roles": ["user_agent"]},
              {"name": "mx.b.example", "roles": ["mx"], "domains": ["b.example"]}],
    "users": [{"address": "bob@b.example", "password": "pw"}],
    "script": []
  },
  "steps": [
    {"id": "one", "title": "one", "instructions": "do it",
     "role": {"host": "pc.s", "server": "mx.b.example", "port": "smtp"},
     "checkpoints": [{"id": "c", "title": "c",
       "check": )" + checkpoint_check + R"(}]}
  ])" + extra + "\n}\n";
}

struct load_error {
    std::size_t line = 0;
    std::size_t column = 0;
    std::string message;
};

load_error error_of(const std::string& text) {
    try {
        load_lab_text("t.json", text);
    } catch (const file_format_error& err) {
        return {err.position().line, err.position().column, err.message()};
    }
    FAIL("the lab loaded without an error:\n" << text);
    return {};
}

bool contains(const std::string& haystack, const std::string& needle) {
    return haystack.find(needle) != std::string::npos;
}

}  // namespace

TEST_CASE("every shipped lab loads, its solution passes everything, each wrong attempt fails exactly what it names") {
    auto files = lab_files();
    REQUIRE(files.size() >= 3);
    for (const auto& path : files) {
        CAPTURE(path.string());
        lab_spec l = load_lab_file(path.string());
        REQUIRE(l.solution);
        auto report = grade_attempt(l, *l.solution);
        CHECK(failed_items(report).empty());
        CHECK(report["complete"].get<bool>());
        REQUIRE(!l.wrong_attempts.empty());
        for (const auto& w : l.wrong_attempts) {
            CAPTURE(w.name);
            auto failed = failed_items(grade_attempt(l, w.script));
            CHECK(std::set<std::string>(failed.begin(), failed.end()) ==
                  std::set<std::string>(w.fails.begin(), w.fails.end()));
        }
    }
}

TEST_CASE("grading is deterministic and an attempt file round-trips") {
    lab_spec l = load_lab_file(std::string(MAILLAB_SOURCE_DIR) + "/labs/03-pop3-states.json");
    const auto& wrong = l.wrong_attempts.at(0).script;
    auto a = grade_attempt(l, wrong);
    auto b = grade_attempt(l, wrong);
    CHECK(a.dump() == b.dump());
    CHECK(report_markdown(a) == report_markdown(b));
    CHECK(contains(report_markdown(a), "**FAIL**"));
    CHECK(contains(report_markdown(a, language::zh), "检查点"));
    // What the trace had, in both languages: "0 matching event(s)" / "0 个匹配的事件".
    CHECK(contains(report_markdown(a), "matching event(s)"));
    CHECK(contains(report_markdown(a, language::zh), "个匹配的事件"));
    CHECK(contains(report_markdown(a, language::zh), "**未通过**"));
    CHECK(!contains(report_markdown(a, language::zh), "matching event(s)"));

    lab_session session(l);
    run_script(session, wrong);
    auto saved = attempt_json(l, "labs/03-pop3-states.json", "ann", session.records());
    attempt_file again = load_attempt_text("saved.json", saved.dump(2), l);
    CHECK(again.script.student == "ann");
    auto c = grade_attempt(l, again.script);
    CHECK(c["steps"] == a["steps"]);
    CHECK(c["student"] == "ann");
}

TEST_CASE("checkpoints look at the current try; hints come after failed checks; a retry starts the step again") {
    lab_spec l = load_lab_file(std::string(MAILLAB_SOURCE_DIR) + "/labs/03-pop3-states.json");
    lab_session s(l);
    s.begin_step();
    CHECK(s.type_line("USER bob").empty());
    auto fresh = s.type_line("PASS bob-pw");
    REQUIRE(fresh.size() == 1);
    CHECK(fresh[0]->id == "login");
    auto r = s.check();
    CHECK_FALSE(r.passed);
    REQUIRE(r.new_hints.size() == 1);  // "after": 1
    CHECK(s.check().new_hints.empty());  // each hint once
    for (auto line : {"LIST", "RETR 1", "QUIT"}) s.type_line(line);
    CHECK(s.check().passed);
    s.end_step();
    s.begin_step();
    s.end_step();  // "regret" left undone
    CHECK(s.current() == 2);

    // delete: DELE 2 and QUIT remove message 2; a retry begins again with message 2 there.
    s.begin_step();
    for (auto line : {"USER bob", "PASS bob-pw", "DELE 2", "QUIT"}) s.type_line(line);
    CHECK(s.check().passed);
    s.retry();
    CHECK(s.records()[2].tries == 2);
    for (const auto& [cp, res] : s.evaluate_now()) CHECK_FALSE(res.passed);
    for (auto line : {"USER bob", "PASS bob-pw", "DELE 2", "QUIT"}) s.type_line(line);
    CHECK(s.check().passed);  // message 2 was back: the retry replayed the earlier steps only
    s.end_step();
    CHECK(s.finished());
    CHECK(s.records()[0].failed_checks == 2);
}

TEST_CASE("answers are checked after normalising; hints after wrong answers") {
    lab_spec l = load_lab_file(std::string(MAILLAB_SOURCE_DIR) + "/labs/01-smtp-by-hand.json");
    const question& greeting = l.steps[0].questions[0];
    CHECK(lab_session::answer_is_right(greeting, " 220 "));
    CHECK_FALSE(lab_session::answer_is_right(greeting, "250"));
    const question& dot = l.steps[1].questions[1];
    CHECK(lab_session::answer_is_right(dot, "B"));
    CHECK(lab_session::answer_is_right(dot, "b)"));
    const question& state = l.steps[1].questions[2];
    CHECK(lab_session::answer_is_right(state, "ready"));
    lab_session s(l);
    auto wrong = s.answer(greeting, "250");
    CHECK_FALSE(wrong.correct);
    CHECK(wrong.new_hints.size() == 1);
    CHECK(s.answer(greeting, "220").correct);
    CHECK(s.records()[0].questions[0].answers.size() == 2);
}

TEST_CASE("predicates compose: all, any, not, before, counts, causes and operators") {
    std::vector<event> events;
    auto add = [&](event_kind kind, nlohmann::json fields, std::optional<std::uint64_t> cause = {}) {
        event e;
        e.seq = events.size() + 1;
        e.kind = kind;
        e.proto = "smtp";
        e.fields = std::move(fields);
        e.cause = cause;
        e.text = "line " + std::to_string(e.seq);
        events.push_back(e);
    };
    add(event_kind::command, {{"verb", "MAIL"}, {"args", "FROM:<a@a.example>"}});
    add(event_kind::reply, {{"code", 250}}, 1);
    add(event_kind::command, {{"verb", "RCPT"}, {"args", "TO:<Bob@B.example>"}});
    add(event_kind::reply, {{"code", 550}}, 3);
    event_window w{events, 1};
    auto leaf = [](nlohmann::json pattern, std::size_t min = 1, std::optional<std::size_t> max = {}) {
        predicate p;
        p.pattern = std::move(pattern);
        p.min = min;
        p.max = max;
        return p;
    };
    auto comp = [](predicate::kind k, std::vector<predicate> children) {
        predicate p;
        p.what = k;
        p.children = std::move(children);
        return p;
    };
    auto mail_ok = leaf({{"kind", "reply"}, {"code", 250}, {"cause", {{"verb", "MAIL"}}}});
    auto rcpt_bob = leaf({{"kind", "reply"}, {"code", {{"min", 500}}}, {"cause", {{"args", {{"contains", "bob@b.example"}}}}}});
    CHECK(evaluate(mail_ok, w).passed);
    CHECK(evaluate(mail_ok, w).witness == 2);
    CHECK(evaluate(rcpt_bob, w).passed);
    CHECK(evaluate(comp(predicate::kind::before, {mail_ok, rcpt_bob}), w).passed);
    CHECK_FALSE(evaluate(comp(predicate::kind::before, {rcpt_bob, mail_ok}), w).passed);
    CHECK(evaluate(comp(predicate::kind::all, {mail_ok, rcpt_bob}), w).passed);
    CHECK_FALSE(evaluate(comp(predicate::kind::negation, {mail_ok}), w).passed);
    CHECK(evaluate(comp(predicate::kind::any, {comp(predicate::kind::negation, {mail_ok}), rcpt_bob}), w).passed);
    CHECK(evaluate(leaf({{"kind", "reply"}}, 2, 2), w).passed);
    CHECK_FALSE(evaluate(leaf({{"kind", "reply"}}, 3), w).passed);
    CHECK(evaluate(leaf({{"verb", {{"one_of", {"HELO", "RCPT"}}}}}), w).passed);
    CHECK(evaluate(leaf({{"code", {{"not", 250}}}}), w).witness == 4);
    CHECK(evaluate(leaf({{"text", "line 3"}}), w).passed);
    // Only the current try counts.
    event_window later{events, 3};
    CHECK_FALSE(evaluate(mail_ok, later).passed);
}

TEST_CASE("lab loader: mistakes and impossible checkpoints are errors at their place") {
    // A good one loads.
    CHECK_NOTHROW(load_lab_text("t.json", small_lab(R"({"reply": {"code": 250}})")));

    auto e = error_of(small_lab(R"({"reply": {"code": 250, "cause": {"verb": "HELLO"}}})"));
    CHECK(e.line == 15);
    CHECK(contains(e.message, "verb \"HELLO\""));

    e = error_of(small_lab(R"({"state": {"machine": "pop3.server", "to_state": "UPDATE"}})"));
    CHECK(contains(e.message, "no host of this lab's scenario runs pop3.server"));

    e = error_of(small_lab(R"({"state": {"machine": "smtp.server", "to_state": "UPDATE"}})"));
    CHECK(contains(e.message, "smtp.server has no state \"UPDATE\""));

    e = error_of(small_lab(R"({"reply": {"proto": "imap", "status": "OK"}})"));
    CHECK(contains(e.message, "no host of this lab's scenario speaks \"imap\""));

    e = error_of(small_lab(R"({"reply": {"colour": "red"}})"));
    CHECK(contains(e.message, "a reply event has no field \"colour\""));

    e = error_of(small_lab(R"({"note": {"explain": "smtp.note.no_such_thing"}})"));
    CHECK(contains(e.message, "no explanation \"smtp.note.no_such_thing\""));

    e = error_of(small_lab(R"({"reply": {"code": 250}, "command": {"verb": "MAIL"}})"));
    CHECK(contains(e.message, "combine them with \"all\""));

    e = error_of(small_lab(R"({"before": [{"reply": {"code": 250}}]})"));
    CHECK(contains(e.message, "\"before\" takes two"));

    e = error_of(small_lab(R"({"store": {"action": "delete"}})"));
    CHECK(contains(e.message, "deliver, expunge, flags or append"));

    e = error_of(small_lab(R"({"reply": {"code": {"about": 250}}})"));
    CHECK(contains(e.message, "unknown operator \"about\""));

    e = error_of(small_lab(R"({"reply": {"code": 250}})",
                           R"(, "solution": {"steps": [{"step": "two", "input": ["QUIT"]}]})"));
    CHECK(contains(e.message, "no step \"two\""));

    e = error_of(small_lab(R"({"reply": {"code": 250}})",
                           R"(, "solution": {"steps": [{"step": "one", "answers": {"q": "1"}}]})"));
    CHECK(contains(e.message, "no question \"q\""));

    e = error_of(small_lab(R"({"reply": {"code": 250}})",
                           R"(, "wrong_attempts": [{"name": "w", "steps": [], "fails": ["one/zz"]}])"));
    CHECK(contains(e.message, "\"one/zz\" names no checkpoint"));

    std::string bad_role = small_lab(R"({"reply": {"code": 250}})");
    bad_role.replace(bad_role.find(R"("host": "pc.s", "server")"), 14, R"("host": "mx.b.example")");
    e = error_of(bad_role);
    CHECK(contains(e.message, "is not a user_agent"));

    std::string misspelt = small_lab(R"({"reply": {"code": 250}})");
    misspelt.replace(misspelt.find("\"instructions\""), 14, "\"instructoins\"");
    e = error_of(misspelt);
    CHECK(contains(e.message, "unknown key \"instructoins\""));

    // The scenario inside: its errors name the lab file's lines and the path from the lab's root.
    std::string bad_scenario = small_lab(R"({"reply": {"code": 250}})");
    bad_scenario.replace(bad_scenario.find("\"mx\"]"), 4, "\"mxx\"");
    try {
        load_lab_text("t.json", bad_scenario);
        FAIL("loaded");
    } catch (const file_format_error& err) {
        CHECK(err.position().line == 7);
        CHECK(contains(err.what(), "t.json:7:"));
        CHECK(contains(err.what(), "scenario.hosts[1].roles[0]"));
    }
    CHECK_THROWS_AS(load_lab_text("t.json", "{\"maillab_lab\": 1,"), file_format_error);
}

TEST_CASE("a browser may type HTTP to a webmail, and only there") {
    const std::string world = R"({
  "maillab_lab": 1, "title": "t",
  "scenario": {"maillab_scenario": 1, "title": "s",
    "hosts": [{"name": "pc.b", "roles": ["browser"]},
              {"name": "web.a.example", "roles": ["webmail"], "imap_server": "mail.a.example", "submission_server": "mail.a.example"},
              {"name": "mail.a.example", "roles": ["submission", "mx", "imap"], "domains": ["a.example"]}],
    "users": [{"address": "al@a.example", "password": "pw"}], "script": []},
  "steps": [{"id": "one", "title": "one", "instructions": "do it", "role": ROLE,
             "checkpoints": [{"id": "c", "title": "c", "check": {"http": {"method": "POST", "path": "/login"}}}]}]
})";
    auto with_role = [&](const std::string& role) {
        std::string text = world;
        text.replace(text.find("ROLE"), 4, role);
        return text;
    };
    lab_spec l = load_lab_text("t.json", with_role(R"({"host": "pc.b", "server": "web.a.example", "port": "http"})"));
    REQUIRE(l.steps[0].role);
    CHECK(l.steps[0].role->proto == "http");
    CHECK(l.has_http_role());
    auto e = error_of(with_role(R"({"host": "pc.b", "server": "mail.a.example", "port": "smtp"})"));
    CHECK(contains(e.message, "\"pc.b\" is not a user_agent"));
    e = error_of(with_role(R"({"host": "pc.b", "server": "mail.a.example", "port": "http"})"));
    CHECK(contains(e.message, "has no \"webmail\" role for port http"));
    // Typed as a browser: the empty line ends the request and the webmail answers it.
    lab_session s(l);
    s.begin_step();
    for (const char* line : {"GET /login HTTP/1.1", "Host: web.a.example", ""}) s.type_line(line);
    bool answered = false;
    for (const auto& ev : s.events())
        answered |= ev.kind == event_kind::http && ev.fields.value("status", 0) == 200;
    CHECK(answered);
}
