// A lab: an exercise built on a scenario. The student gets goals and steps; a step may make the
// student an SMTP, POP3 or IMAP client typing raw commands to a simulated server, and has
// checkpoints (predicates over the trace: what really happened, not what the student claims),
// quiz questions and hints. Loaded and checked by lab_loader.hpp, run by lab_session.hpp,
// graded by grading.hpp; documented for teachers in docs/lab-format.md.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/world/scenario.hpp"

namespace maillab::lab {

using world::bilingual;

// A predicate over the events of a step (checkpoints are made of these). Leaves match events
// with a pattern; the rest compose them.
struct predicate {
    enum class kind { event, all, any, negation, before };
    kind what = kind::event;
    // event: the events matching `pattern` (see pattern_matches()); passes when their number is
    // within [min, max].
    nlohmann::json pattern = nlohmann::json::object();
    std::size_t min = 1;
    std::optional<std::size_t> max;
    // all / any / not (one child) / before (two children: the first passes with an event that
    // comes before the first event that makes the second pass)
    std::vector<predicate> children;
    std::string where;  // "file:line:col"
};

struct checkpoint {
    std::string id;
    bilingual title;
    predicate check;
    std::string where;
};

struct hint {
    std::size_t after = 1;  // shown after this many failed attempts
    bilingual text;
};

enum class question_kind { multiple_choice, reply_code, choose_state, short_answer };
std::string_view to_string(question_kind kind);

struct question {
    std::string id;
    question_kind kind = question_kind::short_answer;
    bool before = false;  // asked when the step starts (a prediction), not after it
    bilingual prompt;
    // multiple_choice: (id, text); choose_state: the machine's states
    std::vector<std::pair<std::string, bilingual>> choices;
    std::string machine;  // choose_state
    // The accepted answers, normalised (choice id, code, state name, or short answers in lower
    // case with single spaces).
    std::vector<std::string> answers;
    bilingual explanation;
    std::vector<hint> hints;
    std::string where;
};

// The student as a client: the lines typed go from `host` to `server` on `port`.
struct interactive_role {
    std::string host;
    std::string server;
    std::string port;  // "smtp", "submission", "pop3", "imap"
    std::string proto;
};

struct step {
    std::string id;
    bilingual title;
    bilingual instructions;  // Markdown
    std::optional<interactive_role> role;
    std::vector<checkpoint> checkpoints;
    std::vector<question> questions;
    std::vector<hint> hints;
    std::string where;
};

// What a student does in one step: `input` is the lines typed, protocol lines and runner
// commands (":check", ":retry", ...); `answers` the answers to each question, in order.
struct step_script {
    std::string step;
    std::vector<std::string> input;
    std::vector<std::pair<std::string, std::vector<std::string>>> answers;
    double seconds = 0;  // time the student spent (wall clock; 0 in scripts)
    std::string where;
};

// A whole attempt at a lab: the solution, a wrong attempt, or what a student saved.
struct attempt_script {
    std::string student;
    std::vector<step_script> steps;
};

struct wrong_attempt {
    std::string name;
    bilingual description;
    attempt_script script;
    std::vector<std::string> fails;  // "step/checkpoint" and "step/question" ids that must fail
};

struct lab_spec {
    std::string path;
    std::string id;  // file name without .json
    bilingual title;
    std::vector<bilingual> goals;
    std::vector<std::string> seeds;
    world::scenario scenario;
    std::vector<step> steps;
    std::optional<attempt_script> solution;
    std::vector<wrong_attempt> wrong_attempts;

    const step* find_step(std::string_view id) const;
    // Whether the student is a browser in some step (their terminal then shows HTTP's bytes).
    bool has_http_role() const {
        for (const auto& s : steps)
            if (s.role && s.role->proto == "http") return true;
        return false;
    }
};

}  // namespace maillab::lab
