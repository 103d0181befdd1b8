// A lab with real clients: the lab's scenario on loopback sockets (world::live_world, as
// `maillab serve SCENARIO.json` runs it), so the student does the steps with telnet, nc,
// openssl s_client, curl, Python's smtplib or their own program, and the checkpoints read the
// same kind of trace, stamped with real time. Steps, checks, hints, questions and records work as
// in lab_session; what differs is where the lines come from. The sockets run on their own
// thread; every look at the trace is done on that thread.
//
// A lab whose scenario has a script (a set-up that delivers mail first) runs the script in the
// simulation and copies the mailboxes it filled into the live stores before the sockets open.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "sim/lab/lab.hpp"
#include "sim/lab/lab_session.hpp"
#include "sim/world/live_world.hpp"

namespace maillab::lab {

class live_lab {
public:
    // Binds every listener (throws naming the port that cannot be bound) and starts serving.
    live_lab(const lab_spec& l, world::live_world_config config,
             std::vector<trace_listener*> listeners = {});
    ~live_lab();
    live_lab(const live_lab&) = delete;
    live_lab& operator=(const live_lab&) = delete;

    std::vector<world::live_endpoint> endpoints() const;
    // Where the current step's role connects: ("127.0.0.1", port), or port 0 without a role.
    unsigned short role_port() const;

    const lab_spec& spec() const { return lab_; }
    std::size_t current() const { return current_; }
    bool finished() const { return current_ >= lab_.steps.size(); }
    const step& current_step() const { return lab_.steps.at(current_); }

    // The checkpoints look at what happens from here on.
    void begin_step();
    lab_session::check_result check();
    std::vector<std::pair<const checkpoint*, predicate_result>> evaluate_now();
    lab_session::answer_result answer(const question& q, const std::string& text);
    void record_command(const std::string& line) { records_[current_].input.push_back(line); }
    void end_step(double seconds = 0);
    const std::vector<step_record>& records() const { return records_; }

private:
    struct io_side;

    const lab_spec& lab_;
    std::unique_ptr<io_side> io_;
    std::size_t current_ = 0;
    std::uint64_t first_seq_ = 1;
    std::vector<step_record> records_;
};

}  // namespace maillab::lab
