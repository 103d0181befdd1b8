// `maillab lab LAB.json`: a lab in the terminal. The student reads each step's instructions,
// types protocol lines to the simulated server (replies, state changes and explanations are
// printed from the trace, as `maillab run` prints them), watches the checkpoints light up, gets
// hints after failed checks and answers the quiz. `--solution`, `--wrong NAME` and `--attempt
// FILE` run a scripted attempt through the same engine instead of the keyboard.
//
// `maillab lab grade` and `maillab lab check` are in lab_teacher_commands.cpp; the console's
// words in lab_console.cpp.

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
#include "cli/lab_console.hpp"
#include "cli/lab_options.hpp"
#include "cli/line_input.hpp"
#include "sim/lab/grading.hpp"
#include "sim/lab/lab_loader.hpp"
#include "sim/lab/lab_session.hpp"
#include "sim/lab/live_lab.hpp"
#include "sim/net/tls_context.hpp"
#include "sim/record/transcript.hpp"

namespace maillab::cli {

namespace fs = std::filesystem;
using namespace maillab::lab;

namespace {

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
        if (grade_cmd->parsed()) return grade_attempts(*o);
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
