#include "sim/lab/lab_runner.hpp"

#include <cmath>

#include <fmt/format.h>

#include "sim/lab/grading.hpp"

namespace maillab::lab {

std::string_view to_string(lab_runner::phase p) {
    switch (p) {
        case lab_runner::phase::predicting: return "predicting";
        case lab_runner::phase::acting: return "acting";
        case lab_runner::phase::answering: return "answering";
        case lab_runner::phase::finished: return "finished";
    }
    return "?";
}

lab_runner::lab_runner(const lab_spec& l, std::string student) : lab_(l), student_(std::move(student)) {
    transcript_options en;
    en.lang = language::en;
    en.http_bytes = l.has_http_role();
    transcript_options zh = en;
    zh.lang = language::zh;
    printer_en_ = std::make_unique<transcript_printer>(transcript_en_, en);
    printer_zh_ = std::make_unique<transcript_printer>(transcript_zh_, zh);
    session_ = std::make_unique<lab_session>(lab_, std::vector<trace_listener*>{printer_en_.get(), printer_zh_.get()});
    start_step();
}

lab_runner::~lab_runner() { session_.reset(); }

std::size_t lab_runner::step_index() const {
    return session_->finished() ? lab_.steps.size() - 1 : session_->current();
}

void lab_runner::say(runner_line::kind what, std::string en, std::string zh) {
    lines_.push_back({what, {std::move(en), std::move(zh)}});
}

// What the trace printed since the last look becomes one terminal entry (both languages).
void lab_runner::take_transcript() {
    std::string en = transcript_en_.str(), zh = transcript_zh_.str();
    transcript_en_.str({});
    transcript_zh_.str({});
    while (!en.empty() && en.back() == '\n') en.pop_back();
    while (!zh.empty() && zh.back() == '\n') zh.pop_back();
    if (!en.empty() || !zh.empty()) say(runner_line::kind::transcript, std::move(en), std::move(zh));
}

void lab_runner::refresh_passing() {
    passing_.clear();
    if (phase_ == phase::finished) return;
    for (const auto& [cp, res] : session_->evaluate_now()) passing_.push_back(res.passed);
}

void lab_runner::start_step() {
    questions_.clear();
    to_ask_.clear();
    passing_.assign(session_->current_step().checkpoints.size(), false);
    step_started_ = std::chrono::steady_clock::now();
    const step& st = session_->current_step();
    say(runner_line::kind::heading,
        fmt::format("--- Step {} / {}: {} ---", session_->current() + 1, lab_.steps.size(), st.title.en),
        fmt::format("--- 步骤 {} / {}：{} ---", session_->current() + 1, lab_.steps.size(), st.title.zh));
    ask_questions(true);
}

// The step's questions of one kind (before: predictions; after: once the checks hold), asked
// one at a time; when none is left the step goes on (to the keyboard, or to its end).
void lab_runner::ask_questions(bool before) {
    to_ask_.clear();
    for (const auto& q : session_->current_step().questions)
        if (q.before == before) to_ask_.push_back(&q);
    phase_ = before ? phase::predicting : phase::answering;
    next_question();
}

void lab_runner::next_question() {
    if (!to_ask_.empty()) {
        const question* q = to_ask_.front();
        to_ask_.pop_front();
        questions_.push_back({q, {}, false, false});
        say(runner_line::kind::question, "Question: " + q->prompt.en, "问题：" + q->prompt.zh);
        return;
    }
    if (phase_ == phase::predicting) begin_acting();
    else end_step();
}

void lab_runner::begin_acting() {
    phase_ = phase::acting;
    session_->begin_step();
    const step& st = session_->current_step();
    if (st.role)
        say(runner_line::kind::info,
            fmt::format("(You are {}, connected to {} port {}. Type {} commands; :help lists the runner's commands.)",
                        st.role->host, st.role->server, st.role->port, st.role->proto),
            fmt::format("（你是 {}，连接到 {} 的 {} 端口。输入 {} 命令；:help 列出运行器命令。）", st.role->host,
                        st.role->server, st.role->port, st.role->proto));
    take_transcript();
    refresh_passing();
    if (!st.role) ask_questions(false);  // a step of questions only: nothing to type
}

const question* lab_runner::pending_question() const {
    if (phase_ != phase::predicting && phase_ != phase::answering) return nullptr;
    if (questions_.empty()) return nullptr;
    const auto& last = questions_.back();
    return last.right || last.given_up ? nullptr : last.q;
}

std::vector<const hint*> lab_runner::step_hints() const {
    std::vector<const hint*> out;
    if (session_->finished()) return out;
    std::size_t shown = session_->records()[session_->current()].hints_shown;
    const auto& list = session_->current_step().hints;
    for (std::size_t i = 0; i < shown && i < list.size(); ++i) out.push_back(&list[i]);
    return out;
}

std::string lab_runner::prompt() const {
    if (phase_ == phase::finished) return {};
    if (pending_question()) return "answer> ";
    const step& st = session_->current_step();
    return st.role ? st.role->proto + "> " : "> ";
}

void lab_runner::answer(const std::string& text) {
    const question* q = pending_question();
    if (!q) return;
    auto r = session_->answer(*q, text);
    runner_question& rq = questions_.back();
    rq.answers.push_back(text);
    say(runner_line::kind::typed, "answer> " + text, "答案> " + text);
    if (r.correct) {
        rq.right = true;
        say(runner_line::kind::right, "Right. " + q->explanation.en, "正确。" + q->explanation.zh);
    } else {
        say(runner_line::kind::wrong, "Not right.", "不对。");
        for (const auto* h : r.new_hints) say(runner_line::kind::hint, "Hint: " + h->text.en, "提示：" + h->text.zh);
        return;
    }
    next_question();
}

void lab_runner::give_up_question() {
    if (!pending_question()) return;
    questions_.back().given_up = true;
    say(runner_line::kind::info, "(question skipped)", "（跳过此题）");
    next_question();
}

void lab_runner::run_check(bool then_go_on) {
    auto r = session_->check();
    for (const auto& [cp, res] : r.results) {
        if (res.passed) say(runner_line::kind::passed, "[ok]   " + cp->title.en, "[通过] " + cp->title.zh);
        else say(runner_line::kind::failed, "[FAIL] " + cp->title.en + " -- " + res.found,
                 "[失败] " + cp->title.zh + " —— " + res.found_zh);
    }
    for (const auto* h : r.new_hints) say(runner_line::kind::hint, "Hint: " + h->text.en, "提示：" + h->text.zh);
    refresh_passing();
    if (!r.passed) return;
    if (!r.results.empty())
        say(runner_line::kind::passed, "Every checkpoint of this step holds.", "本步骤的检查点全部通过。");
    if (then_go_on) ask_questions(false);
}

void lab_runner::check() {
    if (phase_ != phase::acting) return;
    session_->record_command(":check");
    run_check(false);
}

void lab_runner::done() {
    if (phase_ != phase::acting) return;
    session_->record_command(":done");
    run_check(true);
}

void lab_runner::retry() {
    if (phase_ != phase::acting) return;
    session_->record_command(":retry");
    say(runner_line::kind::info, "Again: back to the state this step began in.", "重来：回到本步骤开始时的状态。");
    session_->retry();
    ++generation_;
    take_transcript();
    refresh_passing();
}

void lab_runner::skip() {
    if (phase_ != phase::acting) return;
    session_->record_command(":skip");
    ask_questions(false);
}

void lab_runner::end_step() {
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - step_started_).count();
    session_->end_step(std::round(seconds * 10) / 10);
    take_transcript();
    const step_record& rec = session_->records()[session_->current() - 1];
    std::size_t ok = 0, qok = 0;
    for (const auto& c : rec.checkpoints) ok += c.passed;
    for (const auto& q : rec.questions) qok += q.passed;
    say(runner_line::kind::heading,
        fmt::format("Step ended: checkpoints {}/{}, questions {}/{}", ok, rec.checkpoints.size(), qok,
                    rec.questions.size()),
        fmt::format("步骤结束：检查点 {}/{}，问题 {}/{}", ok, rec.checkpoints.size(), qok, rec.questions.size()));
    if (!session_->finished()) {
        start_step();
        return;
    }
    phase_ = phase::finished;
    questions_.clear();
    passing_.clear();
    const auto r = report();
    const auto& s = r["score"];
    say(runner_line::kind::heading,
        fmt::format("Score: {} / {} (checkpoints {}/{}, questions {}/{})", s["passed"].get<std::size_t>(),
                    s["total"].get<std::size_t>(), s["checkpoints_passed"].get<std::size_t>(),
                    s["checkpoints"].get<std::size_t>(), s["questions_passed"].get<std::size_t>(),
                    s["questions"].get<std::size_t>()),
        fmt::format("得分：{} / {}（检查点 {}/{}，问题 {}/{}）", s["passed"].get<std::size_t>(),
                    s["total"].get<std::size_t>(), s["checkpoints_passed"].get<std::size_t>(),
                    s["checkpoints"].get<std::size_t>(), s["questions_passed"].get<std::size_t>(),
                    s["questions"].get<std::size_t>()));
}

nlohmann::json lab_runner::report() const { return report_json(lab_, student_, session_->records()); }

void lab_runner::enter(const std::string& line) {
    if (phase_ == phase::finished) return;
    if (pending_question()) {
        if (line == ":skip") give_up_question();
        else if (!line.empty()) answer(line);
        return;
    }
    if (phase_ != phase::acting) return;
    const step& st = session_->current_step();
    if (!line.empty() && line[0] == ':') {
        say(runner_line::kind::typed, "> " + line, "> " + line);
        if (line == ":done") done();
        else if (line == ":check") check();
        else if (line == ":retry") retry();
        else if (line == ":skip") skip();
        else if (line == ":status") {
            for (const auto& [cp, res] : session_->evaluate_now())
                say(res.passed ? runner_line::kind::passed : runner_line::kind::info,
                    (res.passed ? "[x] " : "[ ] ") + cp->title.en, (res.passed ? "[x] " : "[ ] ") + cp->title.zh);
        } else if (line == ":hint") {
            auto shown = step_hints();
            if (shown.empty()) say(runner_line::kind::info, "No hint yet: :check first.", "还没有提示：先用 :check 检查一次。");
            for (const auto* h : shown) say(runner_line::kind::hint, "Hint: " + h->text.en, "提示：" + h->text.zh);
        } else if (line == ":help") {
            say(runner_line::kind::info,
                ":done check and go on · :check check only · :status where the checkpoints stand · "
                ":retry start the step again · :hint the hints so far · :skip give up the step",
                ":done 检查并继续 · :check 只检查 · :status 检查点现状 · :retry 重来本步骤 · :hint 已有提示 · "
                ":skip 放弃本步骤");
        } else {
            say(runner_line::kind::wrong, "unknown command " + line + " (:help)", "未知命令 " + line + "（:help）");
        }
        return;
    }
    // An empty line is a protocol line too: it ends a message's header in DATA and an HTTP
    // request's headers.
    if (!st.role) return;
    say(runner_line::kind::typed, st.role->proto + "> " + line, st.role->proto + "> " + line);
    auto fresh = session_->type_line(line);
    take_transcript();
    for (const auto* cp : fresh)
        say(runner_line::kind::passed, "✓ checkpoint: " + cp->title.en, "✓ 检查点通过：" + cp->title.zh);
    refresh_passing();
}

}  // namespace maillab::lab
