// The keyboard runner of a lab as plain data, for a window (maillab-gui's Lab panel): one input
// line whose meaning follows the phase (an answer to the pending question, a protocol line, a
// runner command such as ":done"), buttons that do the same, and a terminal of lines in both
// languages, so the panel shows the GUI's language and can switch. It drives a lab_session, the
// engine the terminal runner and the grader use, so a lab done in the window is graded the same.
// No ImGui here: the rules are unit-tested (tests/unit/test_lab_runner.cpp).
#pragma once

#include <chrono>
#include <deque>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/lab/lab.hpp"
#include "sim/lab/lab_session.hpp"
#include "sim/record/transcript.hpp"

namespace maillab::lab {

struct runner_line {
    enum class kind { heading, typed, transcript, info, passed, failed, hint, question, right, wrong };
    kind what = kind::info;
    bilingual text;
};

// A question of the current step as the panel shows it: asked, answered, explained.
struct runner_question {
    const question* q = nullptr;
    std::vector<std::string> answers;  // as given
    bool right = false;
    bool given_up = false;
};

class lab_runner {
public:
    enum class phase {
        predicting,  // the step's "before" questions, before the student acts
        acting,      // the terminal: protocol lines and runner commands
        answering,   // the step's "after" questions, once its checkpoints hold
        finished,
    };

    // `l` must outlive the runner. Builds the world (the set-up runs) and starts step 1.
    explicit lab_runner(const lab_spec& l, std::string student = {});
    ~lab_runner();

    const lab_spec& spec() const { return lab_; }
    phase current_phase() const { return phase_; }
    const lab_session& session() const { return *session_; }
    // Grows each time a retry rebuilds the world (its trace starts again: a viewer reloads).
    std::size_t generation() const { return generation_; }

    // The step shown: the current one, or the last one when finished.
    std::size_t step_index() const;
    const step& shown_step() const { return lab_.steps.at(step_index()); }
    // Whether each checkpoint of the current step holds now.
    const std::vector<bool>& passing() const { return passing_; }
    // Questions of the current step asked so far, in order, and the one awaiting an answer.
    const std::vector<runner_question>& questions() const { return questions_; }
    const question* pending_question() const;
    // Hints of the current step shown so far (after failed checks).
    std::vector<const hint*> step_hints() const;
    // The prompt in front of the input line: "smtp> ", "answer> ", "" when finished.
    std::string prompt() const;

    // A line from the input box, as the terminal runner takes it: an answer while a question is
    // pending; else ":done", ":check", ":status", ":retry", ":skip", ":hint", ":help", or a
    // protocol line (an empty one too: it ends a header in DATA or an HTTP request's headers).
    void enter(const std::string& line);
    // The buttons.
    void check();
    void done();
    void retry();
    void skip();
    void answer(const std::string& text);
    void give_up_question();

    // The terminal: everything said so far, oldest first (it only grows).
    const std::vector<runner_line>& lines() const { return lines_; }

    // The report of what was done (report_json), final once finished.
    nlohmann::json report() const;

private:
    void start_step();
    void begin_acting();
    void end_step();
    void ask_questions(bool before);
    void next_question();
    void say(runner_line::kind what, std::string en, std::string zh);
    void take_transcript();
    void refresh_passing();
    void run_check(bool then_go_on);

    const lab_spec& lab_;
    std::string student_;
    std::ostringstream transcript_en_;
    std::ostringstream transcript_zh_;
    std::unique_ptr<transcript_printer> printer_en_;
    std::unique_ptr<transcript_printer> printer_zh_;
    std::unique_ptr<lab_session> session_;
    phase phase_ = phase::predicting;
    std::size_t generation_ = 0;
    std::vector<bool> passing_;
    std::vector<runner_question> questions_;
    std::deque<const question*> to_ask_;
    std::vector<runner_line> lines_;
    std::chrono::steady_clock::time_point step_started_;
};

std::string_view to_string(lab_runner::phase p);

}  // namespace maillab::lab
