// The window's lab runner (sim/lab/lab_runner): the phases of a step (predictions, the keyboard,
// the questions after), runner commands typed or pressed, hints after failed checks, a retry
// that rebuilds the trace, both languages in the terminal, and the same grade as the terminal
// runner's for the same lines.
#include "sim/lab/lab_runner.hpp"

#include <doctest/doctest.h>

#include <string>

#include "sim/lab/grading.hpp"
#include "sim/lab/lab_loader.hpp"

#ifndef MAILLAB_SOURCE_DIR
#error "MAILLAB_SOURCE_DIR must name the source tree (tests/CMakeLists.txt defines it)"
#endif

using namespace maillab;
using namespace maillab::lab;

namespace {

lab_spec lab_01() { return load_lab_file(std::string(MAILLAB_SOURCE_DIR) + "/labs/01-smtp-by-hand.json"); }

bool said(const lab_runner& r, runner_line::kind what, const std::string& part) {
    for (const auto& l : r.lines())
        if (l.what == what && (l.text.en.find(part) != std::string::npos || l.text.zh.find(part) != std::string::npos))
            return true;
    return false;
}

// Types a scripted attempt into the runner's input line the way a student would: the
// predictions first, then the lines, then the answers asked after the checks.
void type_attempt(lab_runner& r, const attempt_script& script) {
    for (const auto& ss : script.steps) {
        REQUIRE(r.shown_step().id == ss.step);
        auto answer_pending = [&] {
            // Only this step's questions: after its last line the next step may already be asking.
            while (const question* q = r.shown_step().id == ss.step ? r.pending_question() : nullptr) {
                bool given = false;
                for (const auto& [qid, answers] : ss.answers)
                    if (qid == q->id)
                        for (const auto& a : answers)
                            if (r.pending_question() == q) r.enter(a), given = true;
                if (!given || r.pending_question() == q) r.enter(":skip");
            }
        };
        answer_pending();
        for (const auto& line : ss.input) r.enter(line);
        answer_pending();
    }
}

}  // namespace

TEST_CASE("lab runner: lab 01's solution typed line by line passes everything, like the grader") {
    lab_spec l = lab_01();
    lab_runner r(l, "Dee");
    CHECK(r.current_phase() == lab_runner::phase::predicting);
    CHECK(r.prompt() == "answer> ");
    REQUIRE(r.pending_question() != nullptr);
    CHECK(r.pending_question()->id == "greeting-code");
    type_attempt(r, *l.solution);
    CHECK(r.current_phase() == lab_runner::phase::finished);
    CHECK(r.prompt().empty());
    auto report = r.report();
    CHECK(report["complete"] == true);
    for (const auto& f : failed_items(report)) FAIL_CHECK("failed: " << f);
    CHECK(report["student"] == "Dee");
    // The terminal has the server's replies (from the trace) and the score, in both languages.
    CHECK(said(r, runner_line::kind::transcript, "250"));
    CHECK(said(r, runner_line::kind::passed, "✓ checkpoint"));
    CHECK(said(r, runner_line::kind::passed, "✓ 检查点通过"));
    CHECK(said(r, runner_line::kind::heading, "Score: "));
    CHECK(said(r, runner_line::kind::heading, "得分："));
    CHECK(said(r, runner_line::kind::right, "正确。"));
}

TEST_CASE("lab runner: a failed check brings the hint, a retry rebuilds the trace, buttons work") {
    lab_spec l = lab_01();
    lab_runner r(l);
    r.enter("250");  // the greeting is 220
    CHECK(said(r, runner_line::kind::wrong, "Not right."));
    CHECK(r.pending_question() != nullptr);
    r.answer("220");
    CHECK(r.current_phase() == lab_runner::phase::acting);
    CHECK(r.prompt() == "smtp> ");
    REQUIRE(r.passing().size() == l.steps[0].checkpoints.size());
    r.enter("HELO pc.student");
    std::size_t before = r.session().events().size();
    CHECK(before > 0);
    r.check();  // QUIT not yet sent: fails, a failed attempt
    CHECK(said(r, runner_line::kind::failed, "[FAIL]"));
    CHECK(r.current_phase() == lab_runner::phase::acting);
    CHECK(r.session().records()[0].failed_checks == 1);
    CHECK(!r.step_hints().empty());
    std::size_t gen = r.generation();
    r.enter(":retry");
    CHECK(r.generation() == gen + 1);
    // The new trace holds the set-up and the greeting of the new try, not the earlier HELO.
    CHECK(r.session().events().size() < before);
    r.enter("HELO pc.student");
    r.enter("QUIT");
    for (bool p : r.passing()) CHECK(p);
    r.done();
    CHECK(r.shown_step().id == "send");
    CHECK(r.current_phase() == lab_runner::phase::predicting);
    r.enter(":skip");  // gives up the prediction
    CHECK(r.current_phase() == lab_runner::phase::acting);
    r.enter(":status");
    r.enter(":nonsense");
    CHECK(said(r, runner_line::kind::wrong, "unknown command :nonsense"));
    r.skip();  // gives up the step: its questions are still asked
    CHECK(r.current_phase() == lab_runner::phase::answering);
    while (r.pending_question()) r.give_up_question();
    CHECK(r.current_phase() == lab_runner::phase::finished);
    auto report = r.report();
    CHECK(report["complete"] == false);
    CHECK(report["steps"][0]["tries"] == 2);
}
