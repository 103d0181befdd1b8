// Running a lab: the engine behind the terminal runner, a scripted attempt and the grader, so all
// three see the same thing. The lab's scenario is built on the virtual clock and its script run
// (the setup: mail delivered, a server ready); then, step by step, the student's lines go to the
// simulated server over the same in-memory link a scenario's `session` step uses, and the
// checkpoints are evaluated over the trace events of the step's current try.
//
// Everything the student does is recorded (step_record), and the state of the lab is a function
// of that record alone: a retry rebuilds the world and replays the earlier steps' final tries, so
// an attempt file run again gives the same trace and the same grade.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "sim/core/scheduler.hpp"
#include "sim/core/trace.hpp"
#include "sim/lab/lab.hpp"
#include "sim/lab/predicate.hpp"

namespace maillab::world {
class world;
}

namespace maillab::lab {

class keyboard_client;

struct checkpoint_record {
    std::string id;
    bool passed = false;
    std::string found;
    std::string found_zh;
};

struct question_record {
    std::string id;
    std::vector<std::string> answers;  // as given, in order
    bool passed = false;               // one of them was right
    std::size_t hints_shown = 0;
};

struct step_record {
    std::string id;
    std::vector<std::string> input;       // every line typed, runner commands included
    std::vector<std::string> final_try;   // the protocol lines of the last try
    std::size_t tries = 1;
    std::size_t failed_checks = 0;
    std::size_t hints_shown = 0;
    std::vector<checkpoint_record> checkpoints;  // as evaluated when the step ended
    std::vector<question_record> questions;
    double seconds = 0;
    bool ended = false;
};

class lab_session {
public:
    // Builds the world and runs the scenario's script. `listeners` see every event of the
    // student's steps (not the silent replay of a retry).
    explicit lab_session(const lab_spec& l, std::vector<trace_listener*> listeners = {});
    ~lab_session();
    lab_session(const lab_session&) = delete;
    lab_session& operator=(const lab_session&) = delete;

    const lab_spec& spec() const { return lab_; }
    std::size_t current() const { return current_; }
    bool finished() const { return current_ >= lab_.steps.size(); }
    const step& current_step() const { return lab_.steps.at(current_); }

    // Starts the current step: with a role, connects the student's client to the server (the
    // greeting arrives before this returns).
    void begin_step();
    bool connected() const { return connected_; }

    // A protocol line the student typed: sent with CRLF (after connecting again if the server
    // had closed), then the world runs until it is idle. Returns the checkpoints that pass now
    // and did not before.
    std::vector<const checkpoint*> type_line(const std::string& line);
    // A runner command (":check", ":retry", ...) kept in the record as typed.
    void record_command(const std::string& line);

    struct check_result {
        bool passed = false;  // every checkpoint of the step holds
        std::vector<std::pair<const checkpoint*, predicate_result>> results;
        std::vector<const hint*> new_hints;  // hints due after this failed attempt
    };
    // Evaluates the checkpoints; a failure is a failed attempt (and may bring hints).
    check_result check();
    // The checkpoints as they stand, without counting an attempt.
    std::vector<std::pair<const checkpoint*, predicate_result>> evaluate_now() const;

    // Starts the step again from the state the earlier steps left.
    void retry();

    struct answer_result {
        bool correct = false;
        std::vector<const hint*> new_hints;
    };
    answer_result answer(const question& q, const std::string& text);
    static bool answer_is_right(const question& q, const std::string& text);

    // Ends the step: hangs up the student's connection, lets the world settle, evaluates the
    // checkpoints for the record, and moves to the next step.
    void end_step(double seconds = 0);

    const std::vector<step_record>& records() const { return records_; }
    const std::vector<event>& events() const;
    // The trace's header (the scenario, the lab): what a viewer loads the events under.
    const nlohmann::json& header() const;

private:
    void build();
    void connect();
    void settle();
    event_window window() const;
    std::vector<bool> passing() const;

    const lab_spec& lab_;
    std::vector<trace_listener*> listeners_;
    std::unique_ptr<virtual_clock> clock_;
    std::unique_ptr<scheduler> sched_;
    std::unique_ptr<trace> trace_;
    std::unique_ptr<world::world> world_;
    keyboard_client* client_ = nullptr;  // owned by the world's connection
    bool connected_ = false;
    std::size_t current_ = 0;
    std::uint64_t try_first_seq_ = 1;
    std::vector<bool> passing_;
    std::vector<step_record> records_;
};

// The hints of `list` due after `failures` failed attempts, past the `shown` already shown
// (advanced past the ones returned).
std::vector<const hint*> due_hints(const std::vector<hint>& list, std::size_t failures, std::size_t& shown);

// A scripted attempt run through a session, step by step, with what happens reported to an
// observer (the terminal runner prints it; the grader listens to nothing).
class attempt_observer {
public:
    virtual ~attempt_observer() = default;
    virtual void step_begins(const step&) {}
    virtual void line_typed(const std::string&) {}
    virtual void checkpoints_passed(const std::vector<const checkpoint*>&) {}
    virtual void checked(const lab_session::check_result&) {}
    virtual void question_asked(const question&) {}
    virtual void answered(const question&, const std::string&, const lab_session::answer_result&) {}
    virtual void step_ends(const step_record&) {}
};

// Runs `script` from the session's current step; steps the script does not mention are left
// undone (a saved attempt that stopped early). Stops after the script's last step.
void run_script(lab_session& session, const attempt_script& script, attempt_observer* observer = nullptr);

}  // namespace maillab::lab
