#include "sim/lab/grading.hpp"

#include <fmt/format.h>

namespace maillab::lab {
namespace {

nlohmann::json both(const bilingual& b) { return {{"en", b.en}, {"zh", b.zh}}; }

std::string text_of(const nlohmann::json& bi, language lang) {
    return bi.value(lang == language::zh ? "zh" : "en", std::string());
}

// Markdown table cells hold no line breaks or pipes.
std::string cell(std::string s) {
    for (auto& c : s)
        if (c == '\n' || c == '\r') c = ' ';
    std::string out;
    for (char c : s) {
        if (c == '|') out += '\\';
        out += c;
    }
    return out;
}

}  // namespace

nlohmann::json report_json(const lab_spec& l, const std::string& student,
                           const std::vector<step_record>& records) {
    std::size_t cp_total = 0, cp_passed = 0, q_total = 0, q_passed = 0;
    double seconds = 0;
    nlohmann::json steps = nlohmann::json::array();
    for (std::size_t i = 0; i < l.steps.size(); ++i) {
        const step& st = l.steps[i];
        const step_record& rec = records.at(i);
        nlohmann::json cps = nlohmann::json::array();
        for (const auto& cp : st.checkpoints) {
            bool passed = false;
            std::string found = "not attempted", found_zh = "未做";
            for (const auto& r : rec.checkpoints)
                if (r.id == cp.id) {
                    passed = r.passed;
                    found = r.found;
                    found_zh = r.found_zh;
                }
            cps.push_back({{"id", cp.id},
                           {"title", both(cp.title)},
                           {"passed", passed},
                           {"found", found},
                           {"found_zh", found_zh}});
            ++cp_total;
            cp_passed += passed;
        }
        nlohmann::json qs = nlohmann::json::array();
        for (std::size_t k = 0; k < st.questions.size(); ++k) {
            const question& q = st.questions[k];
            const question_record& qr = rec.questions.at(k);
            qs.push_back({{"id", q.id},
                          {"type", std::string(to_string(q.kind))},
                          {"prompt", both(q.prompt)},
                          {"passed", qr.passed},
                          {"attempts", qr.answers.size()},
                          {"answers", qr.answers},
                          {"hints_shown", qr.hints_shown}});
            ++q_total;
            q_passed += qr.passed;
        }
        seconds += rec.seconds;
        steps.push_back({{"id", st.id},
                         {"title", both(st.title)},
                         {"attempted", rec.ended},
                         {"tries", rec.ended ? rec.tries : 0},
                         {"failed_checks", rec.failed_checks},
                         {"hints_shown", rec.hints_shown},
                         {"seconds", rec.seconds},
                         {"checkpoints", cps},
                         {"questions", qs}});
    }
    return {{"report", "maillab-lab-grade"},
            {"version", 1},
            {"lab", l.id},
            {"lab_title", both(l.title)},
            {"student", student},
            {"steps", steps},
            {"seconds", seconds},
            {"score", {{"checkpoints", cp_total}, {"checkpoints_passed", cp_passed},
                       {"questions", q_total}, {"questions_passed", q_passed},
                       {"total", cp_total + q_total}, {"passed", cp_passed + q_passed}}},
            {"complete", cp_passed == cp_total && q_passed == q_total}};
}

std::string report_markdown(const nlohmann::json& r, language lang) {
    bool zh = lang == language::zh;
    std::string out;
    const auto& score = r["score"];
    out += fmt::format("# {}: {}\n\n", zh ? "实验" : "Lab", text_of(r["lab_title"], lang));
    out += fmt::format("- {}: {}\n", zh ? "学生" : "Student",
                       r["student"].get<std::string>().empty() ? "-" : r["student"].get<std::string>());
    out += fmt::format("- {}: `{}`\n", zh ? "实验编号" : "Lab id", r["lab"].get<std::string>());
    out += fmt::format("- {}: {} / {} ({} {} / {}, {} {} / {})\n", zh ? "得分" : "Score",
                       score["passed"].get<std::size_t>(), score["total"].get<std::size_t>(),
                       zh ? "检查点" : "checkpoints", score["checkpoints_passed"].get<std::size_t>(),
                       score["checkpoints"].get<std::size_t>(), zh ? "问题" : "questions",
                       score["questions_passed"].get<std::size_t>(), score["questions"].get<std::size_t>());
    out += fmt::format("- {}: {:.0f} s\n", zh ? "用时" : "Time", r["seconds"].get<double>());
    out += fmt::format("- {}: {}\n\n", zh ? "完成" : "Complete",
                       r["complete"].get<bool>() ? (zh ? "是" : "yes") : (zh ? "否" : "no"));
    for (const auto& st : r["steps"]) {
        out += fmt::format("## {}\n\n", text_of(st["title"], lang));
        if (!st["attempted"].get<bool>()) {
            out += zh ? "未做。\n\n" : "Not attempted.\n\n";
            continue;
        }
        out += fmt::format("{}: {}, {}: {}, {}: {}, {}: {:.0f} s\n\n", zh ? "尝试次数" : "Tries",
                           st["tries"].get<std::size_t>(), zh ? "未通过的检查" : "failed checks",
                           st["failed_checks"].get<std::size_t>(), zh ? "提示" : "hints shown",
                           st["hints_shown"].get<std::size_t>(), zh ? "用时" : "time",
                           st["seconds"].get<double>());
        if (!st["checkpoints"].empty()) {
            out += zh ? "| 检查点 | 结果 | 发现 |\n| --- | --- | --- |\n"
                      : "| checkpoint | result | found |\n| --- | --- | --- |\n";
            for (const auto& cp : st["checkpoints"])
                out += fmt::format("| {} | {} | {} |\n", cell(text_of(cp["title"], lang)),
                                   cp["passed"].get<bool>() ? (zh ? "通过" : "pass") : (zh ? "**未通过**" : "**FAIL**"),
                                   cell(zh ? cp.value("found_zh", cp["found"].get<std::string>())
                                           : cp["found"].get<std::string>()));
            out += "\n";
        }
        if (!st["questions"].empty()) {
            out += zh ? "| 问题 | 结果 | 回答次数 | 回答 |\n| --- | --- | --- | --- |\n"
                      : "| question | result | attempts | answers |\n| --- | --- | --- | --- |\n";
            for (const auto& q : st["questions"]) {
                std::string answers;
                for (const auto& a : q["answers"])
                    answers += (answers.empty() ? "" : ", ") + ("`" + a.get<std::string>() + "`");
                out += fmt::format("| {} | {} | {} | {} |\n", cell(text_of(q["prompt"], lang)),
                                   q["passed"].get<bool>() ? "pass" : "**FAIL**",
                                   q["attempts"].get<std::size_t>(), cell(answers));
            }
            out += "\n";
        }
    }
    return out;
}

nlohmann::json grade_attempt(const lab_spec& l, const attempt_script& script) {
    lab_session session(l);
    run_script(session, script);
    return report_json(l, script.student, session.records());
}

std::vector<std::string> failed_items(const nlohmann::json& report) {
    std::vector<std::string> out;
    for (const auto& st : report["steps"]) {
        std::string id = st["id"].get<std::string>();
        for (const auto& cp : st["checkpoints"])
            if (!cp["passed"].get<bool>()) out.push_back(id + "/" + cp["id"].get<std::string>());
        for (const auto& q : st["questions"])
            if (!q["passed"].get<bool>()) out.push_back(id + "/" + q["id"].get<std::string>());
    }
    return out;
}

nlohmann::json attempt_json(const lab_spec& l, const std::string& lab_path, const std::string& student,
                            const std::vector<step_record>& records) {
    nlohmann::json steps = nlohmann::json::array();
    for (const auto& rec : records) {
        if (!rec.ended) continue;
        nlohmann::json answers = nlohmann::json::object();
        for (const auto& q : rec.questions)
            if (!q.answers.empty()) answers[q.id] = q.answers;
        steps.push_back({{"step", rec.id}, {"input", rec.input}, {"answers", answers},
                         {"seconds", rec.seconds}});
    }
    return {{"maillab_lab_attempt", 1}, {"lab", lab_path}, {"lab_id", l.id},
            {"student", student}, {"steps", steps}};
}

std::string summary_markdown(const std::vector<std::pair<std::string, nlohmann::json>>& reports) {
    std::string out = "# Lab grades\n\n| attempt | student | lab | score | complete | time |\n"
                      "| --- | --- | --- | --- | --- | --- |\n";
    for (const auto& [file, r] : reports)
        out += fmt::format("| {} | {} | {} | {} / {} | {} | {:.0f} s |\n", cell(file),
                           cell(r["student"].get<std::string>()), r["lab"].get<std::string>(),
                           r["score"]["passed"].get<std::size_t>(), r["score"]["total"].get<std::size_t>(),
                           r["complete"].get<bool>() ? "yes" : "no", r["seconds"].get<double>());
    return out;
}

}  // namespace maillab::lab
