// `maillab lab LAB.json`: a lab in the terminal. The student reads each step's instructions,
// types protocol lines to the simulated server (replies, state changes and explanations are
// printed from the trace, as `maillab run` prints them), watches the checkpoints light up, gets
// hints after failed checks and answers the quiz. `--solution`, `--wrong NAME` and `--attempt
// FILE` run a scripted attempt through the same engine instead of the keyboard.
//
// `maillab lab grade ATTEMPT... | DIR` grades saved attempts (JSON and Markdown reports);
// `maillab lab check LAB...` proves a lab: its solution passes everything, and each wrong attempt
// fails exactly the checkpoints and questions it names.

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "cli/commands.hpp"
#include "cli/line_input.hpp"
#include "sim/lab/grading.hpp"
#include "sim/lab/lab_loader.hpp"
#include "sim/lab/lab_session.hpp"
#include "sim/lab/live_lab.hpp"
#include "sim/net/tls_context.hpp"
#include "sim/record/transcript.hpp"

namespace maillab::cli {
namespace {

namespace fs = std::filesystem;
using namespace maillab::lab;
using lab_file = maillab::lab::lab_spec;

struct lab_options {
    std::string lab_path;
    std::string lang = "en";
    bool solution = false;
    std::string wrong;
    std::string attempt_path;
    std::string save_path;
    std::string resume_path;
    std::string student;
    std::string report_path;
    bool no_explain = false;
    bool serve = false;
    int base_port = 0;
    // grade
    std::vector<std::string> grade_inputs;
    std::string out_dir;
    std::string grade_lab;
    // check
    std::vector<std::string> check_labs;
};

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

void write_text(const std::string& path, const std::string& text) {
    // Written whole to a temporary name, then renamed: a crash never leaves half a file.
    std::string tmp = path + ".tmp";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out) throw std::runtime_error(fmt::format("{}: cannot write", path));
        out << text;
        if (!out.flush()) throw std::runtime_error(fmt::format("{}: cannot write", path));
    }
    fs::rename(tmp, path);
}

const char* help_text(bool zh) {
    return zh ? "运行器命令：\n"
                "  :done     检查本步骤；全部通过后回答问题，进入下一步\n"
                "  :check    只检查，不前进（失败算一次尝试，之后可能出现提示）\n"
                "  :status   显示检查点当前状态（不算尝试）\n"
                "  :retry    从本步骤开始时的状态重来\n"
                "  :hint     再看一遍已出现的提示\n"
                "  :skip     放弃本步骤（未通过的检查点记为失败）\n"
                "  :save     保存进度（--save 文件）\n"
                "  :quit     保存并退出\n"
                "其他输入都作为协议命令行（加 CRLF）发送给服务器。\n"
              : "Runner commands:\n"
                "  :done     check this step; when everything holds, answer its questions and go on\n"
                "  :check    check without going on (a failure counts as an attempt and may bring hints)\n"
                "  :status   show where the checkpoints stand (not an attempt)\n"
                "  :retry    start this step again from the state it began in\n"
                "  :hint     show the hints given so far again\n"
                "  :skip     give up this step (its failing checkpoints are recorded as failed)\n"
                "  :save     save your progress (to the --save file)\n"
                "  :quit     save and leave\n"
                "Anything else is sent to the server as a protocol line (with CRLF).\n";
}

// The keyboard runner.
int run_interactive(const lab_file& l, const lab_options& o, console& c, lab_session& session,
                    const std::string& student) {
    line_input input;
    auto save = [&] {
        if (o.save_path.empty()) return;
        write_text(o.save_path, attempt_json(l, o.lab_path, student, session.records()).dump(2) + "\n");
        c.out() << (c.zh() ? "（进度已保存到 " : "(progress saved to ") << o.save_path << (c.zh() ? "）\n" : ")\n");
    };
    auto ask = [&](const question& q) -> bool {
        c.ask_question(q);
        while (true) {
            auto line = input.read(c.zh() ? "答案> " : "answer> ");
            if (!line) return false;
            if (*line == ":skip") return true;
            if (line->empty()) continue;
            auto r = session.answer(q, *line);
            c.answered(q, *line, r, false);
            if (r.correct) return true;
        }
    };
    while (!session.finished()) {
        const step& st = session.current_step();
        c.step_intro(l, st, session.current());
        auto started = std::chrono::steady_clock::now();
        auto elapsed = [&] {
            return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        };
        for (const auto& q : st.questions)
            if (q.before && !ask(q)) return save(), 0;
        session.begin_step();
        bool ended = false;
        while (st.role && !ended) {
            std::string prompt = fmt::format("{}> ", st.role->proto);
            auto line = input.read(prompt);
            if (!line) {
                save();
                return 0;
            }
            // An empty line is sent too: it ends a header in DATA and an HTTP request's headers.
            if (line->empty() || (*line)[0] != ':') {
                auto fresh = session.type_line(*line);
                c.passed(fresh);
                continue;
            }
            std::string cmd = *line;
            if (cmd == ":help") {
                c.out() << help_text(c.zh());
            } else if (cmd == ":status") {
                for (const auto& [cp, res] : session.evaluate_now())
                    c.out() << "  " << (res.passed ? "[x] " : "[ ] ") << c.pick(cp->title) << "\n";
            } else if (cmd == ":hint") {
                std::size_t shown = session.records()[session.current()].hints_shown;
                if (shown == 0) c.out() << (c.zh() ? "  还没有提示：先用 :check 检查一次。\n" : "  No hint yet: :check first.\n");
                for (std::size_t i = 0; i < shown; ++i) c.hints({&st.hints[i]});
            } else if (cmd == ":check" || cmd == ":done") {
                session.record_command(cmd);
                auto r = session.check();
                c.check_results(r);
                if (r.passed && cmd == ":done") ended = true;
            } else if (cmd == ":retry") {
                session.record_command(cmd);
                c.out() << (c.zh() ? "  重来：回到本步骤开始时的状态。\n" : "  Again: back to the state this step began in.\n");
                session.retry();
            } else if (cmd == ":skip") {
                session.record_command(cmd);
                ended = true;
            } else if (cmd == ":save") {
                save();
            } else if (cmd == ":quit") {
                save();
                return 0;
            } else {
                c.out() << (c.zh() ? "  未知命令 " : "  unknown command ") << cmd << " (:help)\n";
            }
        }
        for (const auto& q : st.questions)
            if (!q.before && !ask(q)) return save(), 0;
        // Tenths of a second: enough for a report, and a saved file does not show noise.
        session.end_step(std::round(elapsed() * 10) / 10);
        c.step_summary(session.records()[session.current() - 1]);
        save();
    }
    auto report = report_json(l, student, session.records());
    c.final_score(report);
    if (!o.report_path.empty()) write_text(o.report_path, report.dump(2) + "\n");
    return report["complete"].get<bool>() ? 0 : 1;
}

// The lab with real clients: the student works in telnet, nc or their own program against the
// lab's loopback ports; this terminal shows the trace and takes only runner commands.
int run_live(const lab_file& l, const lab_options& o, console& c, transcript_printer& printer) {
    world::live_world_config config;
    config.base_port = static_cast<unsigned short>(o.base_port);
    bool any_tls = false;
    for (const auto& h : l.scenario.hosts) any_tls |= h.tls;
    if (any_tls) config.certificate = make_self_signed_certificate("maillab." + l.id);
    live_lab session(l, config, {&printer});
    c.out() << (c.zh() ? "实验的服务器（本机回环地址）：\n" : "The lab's servers (loopback):\n");
    for (const auto& e : session.endpoints())
        c.out() << fmt::format("  {:<20} {:<11} 127.0.0.1:{}\n", e.host, e.service, e.port);
    c.out() << (c.zh() ? "用户：" : "users:");
    for (const auto& u : l.scenario.users) c.out() << " " << u.address << " (password " << u.password << ")";
    c.out() << "\n";
    line_input input;
    auto ask = [&](const question& q) -> bool {
        c.ask_question(q);
        while (true) {
            auto line = input.read(c.zh() ? "答案> " : "answer> ");
            if (!line) return false;
            if (*line == ":skip") return true;
            if (line->empty()) continue;
            auto r = session.answer(q, *line);
            c.answered(q, *line, r, false);
            if (r.correct) return true;
        }
    };
    auto finish = [&] {
        auto report = report_json(l, o.student, session.records());
        report["mode"] = "live";
        c.final_score(report);
        if (!o.report_path.empty()) write_text(o.report_path, report.dump(2) + "\n");
        return report["complete"].get<bool>() ? 0 : 1;
    };
    while (!session.finished()) {
        const step& st = session.current_step();
        c.step_intro(l, st, session.current());
        if (st.role)
            c.out() << fmt::format(fmt::runtime(c.zh() ? "（用你自己的客户端连接 127.0.0.1:{}，例如 nc -C 127.0.0.1 {}；这里只输入 :done、:check、:status、:skip、:quit）\n"
                                                       : "(Use your own client on 127.0.0.1:{}, e.g. nc -C 127.0.0.1 {}; type only :done, :check, :status, :skip, :quit here)\n"),
                                   session.role_port(), session.role_port());
        auto started = std::chrono::steady_clock::now();
        for (const auto& q : st.questions)
            if (q.before && !ask(q)) return finish();
        session.begin_step();
        bool ended = !st.role;
        while (!ended) {
            auto line = input.read(c.zh() ? "实验> " : "lab> ");
            if (!line) return finish();
            if (line->empty()) continue;
            const std::string& cmd = *line;
            if (cmd == ":check" || cmd == ":done") {
                session.record_command(cmd);
                auto r = session.check();
                c.check_results(r);
                if (r.passed && cmd == ":done") ended = true;
            } else if (cmd == ":status") {
                for (const auto& [cp, res] : session.evaluate_now())
                    c.out() << "  " << (res.passed ? "[x] " : "[ ] ") << c.pick(cp->title) << "\n";
            } else if (cmd == ":skip") {
                session.record_command(cmd);
                ended = true;
            } else if (cmd == ":quit") {
                return finish();
            } else {
                c.out() << (c.zh() ? "  这里只接受运行器命令；协议命令请在你的客户端里输入。\n"
                                   : "  Only runner commands here; type protocol commands in your client.\n");
            }
        }
        for (const auto& q : st.questions)
            if (!q.before && !ask(q)) return finish();
        double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        session.end_step(std::round(seconds * 10) / 10);
        c.step_summary(session.records()[session.current() - 1]);
    }
    return finish();
}

int run_lab(const lab_options& o) {
    lab_file l = load_lab_file(o.lab_path);
    auto lang = *language_from_string(o.lang);
    console c(std::cout, lang, stdout_wants_color());
    transcript_options topts;
    topts.lang = lang;
    topts.explanations = !o.no_explain;
    topts.color = stdout_wants_color();
    topts.http_bytes = l.has_http_role();
    transcript_printer printer(std::cout, topts);

    const attempt_script* script = nullptr;
    attempt_file loaded;
    if (o.solution) {
        if (!l.solution) throw std::runtime_error(fmt::format("{}: the lab has no \"solution\"", o.lab_path));
        script = &*l.solution;
    } else if (!o.wrong.empty()) {
        for (const auto& w : l.wrong_attempts)
            if (w.name == o.wrong) script = &w.script;
        if (!script) {
            std::string names;
            for (const auto& w : l.wrong_attempts) names += (names.empty() ? "" : ", ") + w.name;
            throw std::runtime_error(fmt::format("{}: no wrong attempt \"{}\"; the lab has: {}", o.lab_path, o.wrong,
                                                 names.empty() ? "none" : names));
        }
    } else if (!o.attempt_path.empty()) {
        loaded = load_attempt_file(o.attempt_path, l);
        script = &loaded.script;
    }

    c.lab_intro(l);
    if (o.serve) return run_live(l, o, c, printer);
    if (script) {
        // The setup (the scenario's script) is not the student's: only the steps are printed.
        lab_session session(l, {&printer});
        printing_observer observer(c, l);
        run_script(session, *script, &observer);
        std::string student = !o.student.empty() ? o.student : script->student;
        auto report = report_json(l, student, session.records());
        c.final_score(report);
        if (!o.report_path.empty()) write_text(o.report_path, report.dump(2) + "\n");
        if (!o.save_path.empty())
            write_text(o.save_path, attempt_json(l, o.lab_path, student, session.records()).dump(2) + "\n");
        return report["complete"].get<bool>() ? 0 : 1;
    }

    lab_session session(l, {&printer});
    std::string student = o.student;
    if (!o.resume_path.empty()) {
        attempt_file resumed = load_attempt_file(o.resume_path, l);
        if (student.empty()) student = resumed.script.student;
        // Replayed quietly: the student has seen it.
        std::ostringstream sink;
        console quiet(sink, lang, false);
        printing_observer observer(quiet, l);
        run_script(session, resumed.script, &observer);
        c.out() << fmt::format(fmt::runtime(c.zh() ? "\n（从 {} 继续：已完成 {} 个步骤）\n" : "\n(resumed from {}: {} step(s) done)\n"),
                               o.resume_path, session.current());
    }
    return run_interactive(l, o, c, session, student);
}

// The lab an attempt file belongs to: --lab, else its "lab" key (as given, else next to it).
std::string lab_for_attempt(const std::string& attempt, const std::string& override_lab) {
    if (!override_lab.empty()) return override_lab;
    std::string path = attempt_lab_path(attempt);
    if (path.empty())
        throw std::runtime_error(fmt::format("{}: the attempt does not say which lab it is (\"lab\"); give --lab", attempt));
    if (fs::exists(path)) return path;
    fs::path beside = fs::path(attempt).parent_path() / path;
    if (fs::exists(beside)) return beside.string();
    throw std::runtime_error(fmt::format("{}: cannot find its lab \"{}\"; give --lab", attempt, path));
}

bool is_attempt_file(const fs::path& p) {
    if (p.extension() != ".json") return false;
    std::ifstream in(p);
    std::string head(4096, '\0');
    in.read(head.data(), static_cast<std::streamsize>(head.size()));
    return head.find("\"maillab_lab_attempt\"") != std::string::npos;
}

int grade(const lab_options& o) {
    std::vector<std::string> files;
    for (const auto& in : o.grade_inputs) {
        if (fs::is_directory(in)) {
            std::vector<std::string> found;
            for (const auto& entry : fs::directory_iterator(in))
                if (entry.is_regular_file() && is_attempt_file(entry.path())) found.push_back(entry.path().string());
            std::sort(found.begin(), found.end());
            if (found.empty()) throw std::runtime_error(fmt::format("{}: no attempt files (*.json with \"maillab_lab_attempt\")", in));
            files.insert(files.end(), found.begin(), found.end());
        } else {
            files.push_back(in);
        }
    }
    auto lang = *language_from_string(o.lang);
    std::map<std::string, std::unique_ptr<lab_file>> labs;
    std::vector<std::pair<std::string, nlohmann::json>> reports;
    for (const auto& file : files) {
        std::string lab_path = lab_for_attempt(file, o.grade_lab);
        auto& l = labs[lab_path];
        if (!l) l = std::make_unique<lab_file>(load_lab_file(lab_path));
        attempt_file a = load_attempt_file(file, *l);
        nlohmann::json report = grade_attempt(*l, a.script);
        fs::path out_dir = o.out_dir.empty() ? fs::path(file).parent_path() : fs::path(o.out_dir);
        if (!o.out_dir.empty()) fs::create_directories(out_dir);
        std::string stem = fs::path(file).stem().string();
        write_text((out_dir / (stem + ".report.json")).string(), report.dump(2) + "\n");
        write_text((out_dir / (stem + ".report.md")).string(), report_markdown(report, lang));
        std::cout << fmt::format("{}: {} / {}{}\n", file, report["score"]["passed"].get<std::size_t>(),
                                 report["score"]["total"].get<std::size_t>(),
                                 report["complete"].get<bool>() ? " (complete)" : "");
        reports.emplace_back(fs::path(file).filename().string(), std::move(report));
    }
    if (!o.out_dir.empty() && reports.size() > 1) {
        write_text((fs::path(o.out_dir) / "summary.md").string(), summary_markdown(reports));
        nlohmann::json all = nlohmann::json::array();
        for (const auto& [file, r] : reports) all.push_back({{"attempt", file}, {"report", r}});
        write_text((fs::path(o.out_dir) / "summary.json").string(), all.dump(2) + "\n");
    }
    return 0;
}

int check_labs(const lab_options& o) {
    bool ok = true;
    for (const auto& path : o.check_labs) {
        lab_file l = load_lab_file(path);
        if (!l.solution) {
            std::cout << fmt::format("{}: [FAIL] no solution\n", path);
            ok = false;
            continue;
        }
        auto failed = failed_items(grade_attempt(l, *l.solution));
        if (failed.empty()) {
            std::cout << fmt::format("{}: [ok]   the solution passes every checkpoint and question\n", path);
        } else {
            ok = false;
            std::string list;
            for (const auto& f : failed) list += (list.empty() ? "" : ", ") + f;
            std::cout << fmt::format("{}: [FAIL] the solution fails {}\n", path, list);
        }
        for (const auto& w : l.wrong_attempts) {
            auto got = failed_items(grade_attempt(l, w.script));
            std::set<std::string> want(w.fails.begin(), w.fails.end()), have(got.begin(), got.end());
            if (want == have) {
                std::cout << fmt::format("{}: [ok]   wrong attempt \"{}\" fails exactly: {}\n", path, w.name,
                                         fmt::join(got, ", "));
            } else {
                ok = false;
                std::cout << fmt::format("{}: [FAIL] wrong attempt \"{}\" should fail [{}] but fails [{}]\n", path,
                                         w.name, fmt::join(w.fails, ", "), fmt::join(got, ", "));
            }
        }
    }
    return ok ? 0 : 1;
}

}  // namespace

std::function<int()> add_lab_command(CLI::App& app) {
    auto o = std::make_shared<lab_options>();
    CLI::App* cmd = app.add_subcommand(
        "lab", "Do a lab (labs/*.json) in the terminal: type protocol commands to a simulated server, "
               "watch the checkpoints, answer the quiz. `maillab lab grade` grades saved attempts; "
               "`maillab lab check` proves a lab's solution and wrong attempts");
    cmd->require_subcommand(0, 1);
    cmd->add_option("lab", o->lab_path, "Lab file (JSON)")->option_text("LAB.json");
    cmd->add_option("--lang", o->lang, "Language of the instructions and explanations")
        ->check(CLI::IsMember({"en", "zh"}))
        ->capture_default_str();
    cmd->add_flag("--solution", o->solution, "Run the lab's model solution instead of the keyboard");
    cmd->add_option("--wrong", o->wrong, "Run the lab's wrong attempt called NAME")->option_text("NAME");
    cmd->add_option("--attempt", o->attempt_path, "Run a scripted or saved attempt file")->option_text("FILE");
    cmd->add_option("--save", o->save_path, "Save progress to FILE after every step (and on :save, :quit)")
        ->option_text("FILE");
    cmd->add_option("--resume", o->resume_path, "Continue from a saved attempt file")->option_text("FILE");
    cmd->add_option("--student", o->student, "The student's name, for the report")->option_text("NAME");
    cmd->add_option("--report", o->report_path, "Write the grade report (JSON) at the end")->option_text("FILE");
    cmd->add_flag("--no-explain", o->no_explain, "Print the protocol lines without the explanations");
    cmd->add_flag("--serve", o->serve,
                  "Real clients: open the lab's servers on loopback ports; the student uses telnet, nc, "
                  "smtplib or their own program, and this terminal takes :done, :check, ... (the report "
                  "goes to --report; a set-up script runs in the simulation first and its mail is "
                  "copied to the live mailboxes)");
    cmd->add_option("--base-port", o->base_port, "With --serve: the first port (default: the system picks)")
        ->option_text("N");

    CLI::App* grade_cmd = cmd->add_subcommand(
        "grade", "Grade attempt files (or every attempt file in a folder): NAME.report.json and "
                 "NAME.report.md for each; with -o several, also summary.md and summary.json");
    grade_cmd->add_option("attempts", o->grade_inputs, "Attempt files or folders")->required()->option_text("ATTEMPT... | DIR");
    grade_cmd->add_option("-o,--output", o->out_dir, "Write the reports here (default: beside each attempt)")
        ->option_text("DIR");
    grade_cmd->add_option("--lab", o->grade_lab, "The lab file (default: the attempt's \"lab\")")->option_text("LAB.json");
    grade_cmd->add_option("--lang", o->lang, "Language of the Markdown reports")
        ->check(CLI::IsMember({"en", "zh"}))
        ->capture_default_str();

    CLI::App* check_cmd = cmd->add_subcommand(
        "check", "Prove labs: the solution passes every checkpoint and question, each wrong attempt "
                 "fails exactly what it names (exit code 1 otherwise)");
    check_cmd->add_option("labs", o->check_labs, "Lab files")->required()->option_text("LAB.json...");

    return [o, cmd, grade_cmd, check_cmd]() -> int {
        if (grade_cmd->parsed()) return grade(*o);
        if (check_cmd->parsed()) return check_labs(*o);
        if (o->lab_path.empty()) throw std::runtime_error("lab: give a lab file (maillab lab labs/NAME.json)");
        int scripted = o->solution + !o->wrong.empty() + !o->attempt_path.empty() + !o->resume_path.empty();
        if (scripted > 1) throw std::runtime_error("lab: give one of --solution, --wrong, --attempt and --resume");
        if (o->serve && scripted) throw std::runtime_error("lab: --serve is for real clients; it takes no script");
        if (o->serve && !o->save_path.empty())
            throw std::runtime_error("lab: --serve saves no attempt (real clients' lines cannot be replayed); use --report");
        return run_lab(*o);
    };
}

}  // namespace maillab::cli
