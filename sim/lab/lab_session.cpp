#include "sim/lab/lab_session.hpp"

#include <utility>

#include <fmt/format.h>

#include "sim/core/bytes.hpp"
#include "sim/core/clock.hpp"
#include "sim/lab/lab_loader.hpp"
#include "sim/world/scenario_run.hpp"
#include "sim/world/world.hpp"

namespace maillab::lab {

// The student's side of the connection: sends what is typed, and otherwise reads nothing itself
// (the server traces its replies, and the transcript shows them from the trace). One exception:
// after a STARTTLS (SMTP, IMAP) or STLS (POP3) line that the server accepts, it asks the link for
// the TLS handshake, as a real client would at that point (RFC 3207, RFC 2595, RFC 3501 6.2.1).
class keyboard_client final : public protocol_session {
public:
    void start() override {}
    void receive(std::string_view bytes) override {
        if (!awaiting_tls_answer_) return;
        buffer_.append(bytes);
        std::size_t eol;
        while (awaiting_tls_answer_ && (eol = buffer_.find('\n')) != std::string::npos) {
            std::string line = buffer_.substr(0, eol);
            buffer_.erase(0, eol + 1);
            if (line.starts_with("* ")) continue;  // IMAP untagged data before the tagged answer
            awaiting_tls_answer_ = false;
            std::string upper = to_upper(line);
            auto space = upper.find(' ');
            bool accepted = upper.starts_with("220") || upper.starts_with("+OK") ||
                            (space != std::string::npos && upper.compare(space, 3, " OK") == 0);
            want_tls_ = accepted;
        }
    }
    void tls_established(const tls_info&) override { want_tls_ = false; }
    void connection_lost() override {}
    void set_wake(std::function<void()> wake) override { wake_ = std::move(wake); }
    std::string take_output() override { return std::exchange(out_, {}); }
    bool wants_tls() const override { return want_tls_; }
    bool wants_close() const override { return close_; }

    void send_line(const std::string& line) {
        out_ += line + "\r\n";
        std::string upper = to_upper(line);
        auto space = upper.find(' ');
        std::string second = space == std::string::npos ? std::string() : upper.substr(space + 1);
        awaiting_tls_answer_ = upper == "STARTTLS" || upper == "STLS" || second == "STARTTLS";
        buffer_.clear();
        if (wake_) wake_();
    }
    void hang_up() {
        close_ = true;
        if (wake_) wake_();
    }

private:
    std::function<void()> wake_;
    std::string out_;
    std::string buffer_;
    bool awaiting_tls_answer_ = false;
    bool want_tls_ = false;
    bool close_ = false;
};

lab_session::lab_session(const lab_spec& l, std::vector<trace_listener*> listeners)
    : lab_(l), listeners_(std::move(listeners)) {
    records_.resize(lab_.steps.size());
    for (std::size_t i = 0; i < lab_.steps.size(); ++i) {
        records_[i].id = lab_.steps[i].id;
        for (const auto& q : lab_.steps[i].questions) records_[i].questions.push_back({q.id, {}, false, 0});
    }
    build();
    for (auto* listener : listeners_) trace_->subscribe(*listener);
}

lab_session::~lab_session() {
    if (trace_)
        for (auto* listener : listeners_) trace_->unsubscribe(*listener);
    world_.reset();
}

// A fresh world on a fresh clock, with the scenario's script run: the state before step 1.
void lab_session::build() {
    if (trace_)
        for (auto* listener : listeners_) trace_->unsubscribe(*listener);
    world_.reset();
    client_ = nullptr;
    connected_ = false;
    clock_ = std::make_unique<virtual_clock>();
    sched_ = std::make_unique<scheduler>(*clock_);
    nlohmann::json header = world::scenario_header(lab_.scenario);
    header["lab"] = lab_.id;
    header["lab_title"] = lab_.title.en;
    trace_ = std::make_unique<trace>(*clock_, header);
    world_ = std::make_unique<world::world>(lab_.scenario, *trace_, *sched_);
    world_->run();
}

const std::vector<event>& lab_session::events() const { return trace_->events(); }
const nlohmann::json& lab_session::header() const { return trace_->header(); }

void lab_session::settle() { sched_->run(5'000'000); }

void lab_session::connect() {
    const step& st = current_step();
    if (!st.role) return;
    client_ = nullptr;
    auto* slot = &client_;
    world_->open_connection(
        st.role->host, st.role->server, st.role->port,
        [slot](connection_tracer&) {
            auto c = std::make_unique<keyboard_client>();
            *slot = c.get();
            return c;
        },
        [this](bool, protocol_session*) { connected_ = false; });
    connected_ = true;
    settle();
}

void lab_session::begin_step() {
    try_first_seq_ = trace_->events().size() + 1;
    passing_.assign(current_step().checkpoints.size(), false);
    connect();
    passing_ = passing();
}

event_window lab_session::window() const { return {trace_->events(), try_first_seq_}; }

std::vector<bool> lab_session::passing() const {
    std::vector<bool> out;
    for (const auto& cp : current_step().checkpoints) out.push_back(evaluate(cp.check, window()).passed);
    return out;
}

std::vector<std::pair<const checkpoint*, predicate_result>> lab_session::evaluate_now() const {
    std::vector<std::pair<const checkpoint*, predicate_result>> out;
    for (const auto& cp : current_step().checkpoints) out.emplace_back(&cp, evaluate(cp.check, window()));
    return out;
}

std::vector<const checkpoint*> lab_session::type_line(const std::string& line) {
    step_record& rec = records_[current_];
    rec.input.push_back(line);
    rec.final_try.push_back(line);
    if (!current_step().role) return {};
    if (!connected_ || !client_) connect();
    if (client_) client_->send_line(line);
    settle();
    std::vector<const checkpoint*> fresh;
    auto now = passing();
    for (std::size_t i = 0; i < now.size(); ++i)
        if (now[i] && !passing_[i]) fresh.push_back(&current_step().checkpoints[i]);
    passing_ = now;
    return fresh;
}

void lab_session::record_command(const std::string& line) { records_[current_].input.push_back(line); }

std::vector<const hint*> due_hints(const std::vector<hint>& list, std::size_t failures,
                                          std::size_t& shown) {
    std::vector<const hint*> out;
    while (shown < list.size() && list[shown].after <= failures) out.push_back(&list[shown++]);
    return out;
}

lab_session::check_result lab_session::check() {
    step_record& rec = records_[current_];
    check_result r;
    r.results = evaluate_now();
    r.passed = true;
    for (const auto& [cp, res] : r.results) r.passed &= res.passed;
    if (!r.passed) {
        ++rec.failed_checks;
        r.new_hints = due_hints(current_step().hints, rec.failed_checks, rec.hints_shown);
    }
    return r;
}

void lab_session::retry() {
    // Rebuild silently, replay the earlier steps' final tries, and listen again from here.
    for (auto* listener : listeners_) trace_->unsubscribe(*listener);
    std::size_t here = current_;
    std::vector<step_record> saved = records_;
    build();
    for (std::size_t i = 0; i < here; ++i) {
        current_ = i;
        begin_step();
        for (const auto& line : saved[i].final_try) {
            if (!connected_ || !client_) connect();
            if (client_) client_->send_line(line);
            settle();
        }
        if (client_ && connected_) client_->hang_up();
        settle();
    }
    current_ = here;
    records_ = std::move(saved);
    for (auto* listener : listeners_) trace_->subscribe(*listener);
    step_record& rec = records_[current_];
    ++rec.tries;
    rec.final_try.clear();
    begin_step();
}

bool lab_session::answer_is_right(const question& q, const std::string& text) {
    std::string given = normalise_answer(text);
    if (q.kind == question_kind::multiple_choice && given.size() > 1 && given.back() == ')')
        given.pop_back();  // "b)" as one writes it on paper
    for (const auto& a : q.answers)
        if (a == given) return true;
    return false;
}

lab_session::answer_result lab_session::answer(const question& q, const std::string& text) {
    step_record& rec = records_[current_];
    answer_result r;
    for (auto& qr : rec.questions) {
        if (qr.id != q.id) continue;
        qr.answers.push_back(text);
        r.correct = answer_is_right(q, text);
        if (r.correct) {
            qr.passed = true;
        } else {
            std::size_t wrong = 0;
            for (const auto& a : qr.answers) wrong += !answer_is_right(q, a);
            r.new_hints = due_hints(q.hints, wrong, qr.hints_shown);
        }
    }
    return r;
}

void lab_session::end_step(double seconds) {
    if (client_ && connected_) client_->hang_up();
    settle();
    step_record& rec = records_[current_];
    rec.checkpoints.clear();
    for (const auto& [cp, res] : evaluate_now())
        rec.checkpoints.push_back({cp->id, res.passed, res.found, res.found_zh});
    rec.seconds += seconds;
    rec.ended = true;
    client_ = nullptr;
    connected_ = false;
    ++current_;
}

void run_script(lab_session& session, const attempt_script& script, attempt_observer* observer) {
    const lab_spec& l = session.spec();
    for (const auto& ss : script.steps) {
        // Steps the script jumps over are ended untouched: nothing done, nothing passes.
        while (!session.finished() && session.current_step().id != ss.step) {
            session.begin_step();
            session.end_step();
        }
        if (session.finished()) return;
        const step& st = session.current_step();
        if (observer) observer->step_begins(st);
        session.begin_step();
        auto answer_all = [&](bool before) {
            for (const auto& q : st.questions) {
                if (q.before != before) continue;
                if (observer) observer->question_asked(q);
                for (const auto& [qid, given] : ss.answers) {
                    if (qid != q.id) continue;
                    for (const auto& a : given) {
                        auto r = session.answer(q, a);
                        if (observer) observer->answered(q, a, r);
                        if (r.correct) break;
                    }
                }
            }
        };
        answer_all(true);
        for (const auto& line : ss.input) {
            if (observer) observer->line_typed(line);
            if (!line.empty() && line[0] == ':') {
                session.record_command(line);
                if (line == ":check" || line == ":done") {
                    auto r = session.check();
                    if (observer) observer->checked(r);
                } else if (line == ":retry") {
                    session.retry();
                }
                continue;
            }
            auto fresh = session.type_line(line);
            if (observer && !fresh.empty()) observer->checkpoints_passed(fresh);
        }
        answer_all(false);
        session.end_step(ss.seconds);
        if (observer) observer->step_ends(session.records()[session.current() - 1]);
    }
    (void)l;
}

}  // namespace maillab::lab
