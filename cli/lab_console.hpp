// How `maillab lab` speaks to the student in the terminal: the lab's and step's introductions,
// checkpoints passing, check results, hints, questions and the score, in the student's language,
// coloured on a terminal; and an observer that prints a scripted attempt the same way.
#pragma once

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "sim/explain/catalog.hpp"
#include "sim/lab/grading.hpp"
#include "sim/lab/lab.hpp"
#include "sim/lab/lab_session.hpp"

namespace maillab::cli {

using lab_file = lab::lab_spec;
using lab::attempt_observer;
using lab::checkpoint;
using lab::failed_items;
using lab::hint;
using lab::lab_session;
using lab::question;
using lab::question_kind;
using lab::step;
using lab::step_record;
using world::bilingual;

class console {
public:
    console(std::ostream& out, language lang, bool color) : out_(out), zh_(lang == language::zh), color_(color) {}

    const std::string& pick(const bilingual& b) const { return zh_ ? b.zh : b.en; }
    bool zh() const { return zh_; }
    std::string paint(std::string_view text, const char* ansi) const {
        return color_ ? fmt::format("\x1b[{}m{}\x1b[0m", ansi, text) : std::string(text);
    }

    void lab_intro(const lab_file& l) {
        out_ << "\n" << paint(fmt::format("=== {}: {} ===", zh_ ? "实验" : "Lab", pick(l.title)), "1") << "\n";
        if (!l.goals.empty()) {
            out_ << (zh_ ? "目标：" : "Goals:") << "\n";
            for (const auto& g : l.goals) out_ << "  - " << pick(g) << "\n";
        }
    }

    void step_intro(const lab_file& l, const step& st, std::size_t index) {
        out_ << "\n" << paint(fmt::format("--- {} {} / {}: {} ---", zh_ ? "步骤" : "Step", index + 1,
                                          l.steps.size(), pick(st.title)), "1;36")
             << "\n" << pick(st.instructions) << "\n";
        if (st.role)
            out_ << paint(fmt::format(fmt::runtime(zh_ ? "（你是 {}，连接到 {} 的 {} 端口。输入 {} 命令；:help 列出运行器命令。）"
                                          : "(You are {}, connected to {} port {}. Type {} commands; :help lists the runner's commands.)"),
                                      st.role->host, st.role->server, st.role->port, to_upper_ascii(st.role->proto)),
                          "2")
                 << "\n";
        if (!st.checkpoints.empty()) {
            out_ << (zh_ ? "检查点：" : "Checkpoints:") << "\n";
            for (const auto& cp : st.checkpoints) out_ << "  [ ] " << pick(cp.title) << "\n";
        }
    }

    void passed(const std::vector<const checkpoint*>& fresh) {
        for (const auto* cp : fresh)
            out_ << paint(fmt::format("  ✓ {}: {}", zh_ ? "检查点通过" : "checkpoint", pick(cp->title)), "32") << "\n";
    }

    void check_results(const lab_session::check_result& r) {
        for (const auto& [cp, res] : r.results)
            out_ << "  " << (res.passed ? paint("[ok]  ", "32") : paint("[FAIL]", "31")) << " " << pick(cp->title)
                 << (res.passed ? "" : " -- " + (zh_ ? res.found_zh : res.found)) << "\n";
        if (r.passed) out_ << (zh_ ? "  本步骤的检查点全部通过。" : "  Every checkpoint of this step holds.") << "\n";
        hints(r.new_hints);
    }

    void hints(const std::vector<const hint*>& list) {
        for (const auto* h : list) out_ << paint(fmt::format("  {} {}", zh_ ? "提示：" : "Hint:", pick(h->text)), "33") << "\n";
    }

    void ask_question(const question& q) {
        out_ << "\n" << paint(zh_ ? "问题：" : "Question:", "1") << " " << pick(q.prompt) << "\n";
        if (q.kind == question_kind::multiple_choice)
            for (const auto& [id, text] : q.choices) out_ << "  " << id << ") " << pick(text) << "\n";
        if (q.kind == question_kind::choose_state) {
            std::string list;
            for (const auto& [id, text] : q.choices) list += (list.empty() ? "" : ", ") + text.en;
            out_ << "  " << (zh_ ? "状态：" : "states: ") << list << "\n";
        }
        if (q.kind == question_kind::reply_code) out_ << (zh_ ? "  （回答一个应答码，如 250）" : "  (answer with a reply code, e.g. 250)") << "\n";
    }

    void answered(const question& q, const std::string& given, const lab_session::answer_result& r, bool echo) {
        if (echo) out_ << "  > " << given << "\n";
        if (r.correct) {
            out_ << paint(zh_ ? "  正确。" : "  Right.", "32") << " " << pick(q.explanation) << "\n";
        } else {
            out_ << paint(zh_ ? "  不对。" : "  Not right.", "31") << "\n";
            hints(r.new_hints);
        }
    }

    void step_summary(const step_record& rec) {
        std::size_t ok = 0;
        for (const auto& c : rec.checkpoints) ok += c.passed;
        std::size_t qok = 0;
        for (const auto& q : rec.questions) qok += q.passed;
        out_ << paint(fmt::format(fmt::runtime(zh_ ? "  步骤结束：检查点 {}/{}，问题 {}/{}" : "  Step ended: checkpoints {}/{}, questions {}/{}"),
                                  ok, rec.checkpoints.size(), qok, rec.questions.size()),
                      "1")
             << "\n";
        for (const auto& c : rec.checkpoints)
            if (!c.passed) out_ << "  " << paint("[FAIL]", "31") << " " << c.id << " -- " << (zh_ ? c.found_zh : c.found) << "\n";
    }

    void final_score(const nlohmann::json& report) {
        const auto& s = report["score"];
        out_ << "\n" << paint(fmt::format(fmt::runtime(zh_ ? "得分：{} / {}（检查点 {}/{}，问题 {}/{}）"
                                              : "Score: {} / {} (checkpoints {}/{}, questions {}/{})"),
                                          s["passed"].get<std::size_t>(), s["total"].get<std::size_t>(),
                                          s["checkpoints_passed"].get<std::size_t>(), s["checkpoints"].get<std::size_t>(),
                                          s["questions_passed"].get<std::size_t>(), s["questions"].get<std::size_t>()),
                                  "1")
             << "\n";
        for (const auto& id : failed_items(report)) out_ << "  " << paint("[FAIL]", "31") << " " << id << "\n";
    }

    std::ostream& out() { return out_; }

    static std::string to_upper_ascii(std::string s) {
        for (auto& c : s)
            if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
        return s;
    }

private:
    std::ostream& out_;
    bool zh_;
    bool color_;
};

// Prints a scripted attempt as it runs, the way the keyboard runner would show it.
class printing_observer final : public attempt_observer {
public:
    printing_observer(console& c, const lab_file& l) : c_(c), l_(l) {}
    void step_begins(const step& st) override {
        std::size_t index = 0;
        for (std::size_t i = 0; i < l_.steps.size(); ++i)
            if (&l_.steps[i] == &st) index = i;
        c_.step_intro(l_, st, index);
    }
    void line_typed(const std::string& line) override {
        c_.out() << c_.paint(fmt::format("> {}", line), "1;34") << "\n";
    }
    void checkpoints_passed(const std::vector<const checkpoint*>& fresh) override { c_.passed(fresh); }
    void checked(const lab_session::check_result& r) override { c_.check_results(r); }
    void question_asked(const question& q) override { c_.ask_question(q); }
    void answered(const question& q, const std::string& a, const lab_session::answer_result& r) override {
        c_.answered(q, a, r, true);
    }
    void step_ends(const step_record& rec) override { c_.step_summary(rec); }

private:
    console& c_;
    const lab_file& l_;
};

}  // namespace maillab::cli
