// `maillab whatif SCENARIO.json --at SEQ (--replace "TEXT" | --skip)`: one client command of a
// scenario changed or skipped, the scenario run again beside the original (sim/world/what_if.hpp),
// and the two printed one after the other from just before the edit: the edited connection's
// transcript in each run, its replies paired, then what came out differently (steps, mailboxes,
// expectations) and why the branch ended as it did. --record writes the branch's trace.

#include <iostream>
#include <memory>

#include <fmt/format.h>

#include "cli/commands.hpp"
#include "sim/record/recorder.hpp"
#include "sim/record/transcript.hpp"
#include "sim/world/scenario_loader.hpp"
#include "sim/world/what_if.hpp"

namespace maillab::cli {

namespace {

struct whatif_options {
    std::string scenario_path;
    std::uint64_t at = 0;
    std::string replacement;
    bool skip = false;
    std::string record_path;
    std::string lang = "en";
    bool no_explain = false;
    bool all = false;
    std::size_t context = 3;
};

// The first event to print: `context` events of the edited connection before the divergence.
std::size_t first_shown(const std::vector<event>& events, std::size_t divergence, std::uint64_t conn,
                        std::size_t context, bool all) {
    std::size_t start = divergence, seen = 0;
    while (start > 0 && seen < context) {
        --start;
        const event& e = events[start];
        if ((all || e.conn == conn) && e.kind != event_kind::bytes) ++seen;
    }
    return start;
}

void print_run(const std::vector<event>& events, std::size_t start, std::uint64_t conn, bool all,
               transcript_printer& printer) {
    for (std::size_t i = start; i < events.size(); ++i)
        if (all || events[i].conn == conn) printer.print(events[i]);
}

std::string line_of(const event& e) { return fmt::format("{} (seq {})", e.text, e.seq); }

}  // namespace

std::function<int()> add_whatif_command(CLI::App& app) {
    auto opts = std::make_shared<whatif_options>();
    CLI::App* cmd = app.add_subcommand(
        "whatif", "What if a client had sent another command? Change (--replace) or drop (--skip) "
                  "the client command at seq SEQ of a scenario's run, run the scenario again "
                  "from the start with that change, and print the original and the branch from "
                  "that point: the server's replies, steps, mailboxes and expectations that "
                  "differ. The seqs are those of `maillab run SCENARIO.json --record FILE` "
                  "(`maillab replay FILE` shows them)");
    cmd->add_option("scenario", opts->scenario_path, "Scenario file (JSON)")
        ->option_text("SCENARIO.json")
        ->required();
    cmd->add_option("--at", opts->at, "The seq of a client command (a `command` event) in the run")
        ->option_text("SEQ")
        ->required();
    auto* replace = cmd->add_option("--replace", opts->replacement,
                                    "Send this command line instead (the original's line ending "
                                    "is added)")
                        ->option_text("TEXT");
    auto* skip = cmd->add_flag("--skip", opts->skip, "Do not send the command at all");
    replace->excludes(skip);
    skip->excludes(replace);
    cmd->add_option("--record", opts->record_path,
                    "Also record the branch's trace to FILE (its header names the edit; open it "
                    "with maillab-gui or `maillab replay`)")
        ->option_text("FILE");
    cmd->add_option("--lang", opts->lang, "Language of the explanations")
        ->check(CLI::IsMember({"en", "zh"}))
        ->capture_default_str();
    cmd->add_flag("--no-explain", opts->no_explain, "Print the protocol lines only");
    cmd->add_flag("--all", opts->all,
                  "Print every connection's events after the edit, not only the edited one's");

    return [opts, replace]() -> int {
        if (replace->count() == 0 && !opts->skip) {
            std::cerr << "maillab whatif: say what the client sends instead (--replace \"TEXT\") "
                         "or that it sends nothing (--skip)\n";
            return 2;
        }
        const bool zh = opts->lang == "zh";
        auto say = [zh](const char* en, const char* chinese) { return zh ? chinese : en; };

        world::scenario s = world::load_scenario_file(opts->scenario_path);
        world::what_if_edit edit;
        edit.seq = opts->at;
        if (!opts->skip) edit.replacement = opts->replacement;
        std::unique_ptr<trace_recorder> recorder;
        std::vector<trace_listener*> listeners;
        if (!opts->record_path.empty()) {
            recorder = std::make_unique<trace_recorder>(opts->record_path);
            listeners.push_back(recorder.get());
        }
        world::what_if_result r;
        try {
            r = world::run_what_if(s, edit, listeners);
        } catch (const world::what_if_error& err) {
            std::cerr << "maillab whatif: " << opts->scenario_path << ": " << err.what() << '\n';
            return 2;
        }

        const auto& target = r.target;
        std::cout << say("What if", "如果") << " (" << s.id << "): seq " << target.seq << ", "
                  << target.client << " -> " << target.server << ", "
                  << say("connection", "连接") << " " << target.conn << " (" << target.proto
                  << "): " << target.text << "\n";
        if (edit.replacement)
            std::cout << "  " << say("replaced by", "改为") << ": " << *edit.replacement << "\n";
        else
            std::cout << "  " << say("skipped: the client does not send it",
                                     "跳过：客户端不发送这条命令")
                      << "\n";
        std::cout << fmt::format(
            "  {} {} {}\n\n", say("The first", "前"), r.divergence,
            say("events are identical in both runs (checked event by event); they part at the "
                "chunk of bytes that carried the command.",
                "个事件在两次运行中完全相同（已逐个比较）；两者从携带这条命令的那段字节处分开。"));

        transcript_options topts;
        topts.lang = *language_from_string(opts->lang);
        topts.explanations = !opts->no_explain;
        topts.color = stdout_wants_color();
        topts.show_seq = true;
        if (!r.original.events.empty()) topts.start_t_us = r.original.events.front().t_us;

        const std::string scope = opts->all ? say("every connection", "所有连接")
                                            : fmt::format("{} {}", say("connection", "连接"), target.conn);
        std::size_t start_a = first_shown(r.original.events, r.divergence, target.conn, opts->context, opts->all);
        std::cout << "── " << say("Original run", "原来的运行") << ", " << scope << " ──\n";
        {
            transcript_printer printer(std::cout, topts);
            print_run(r.original.events, start_a, target.conn, opts->all, printer);
        }
        std::cout << "\n── " << say("What if", "如果") << ", " << scope << " ──\n";
        {
            transcript_printer printer(std::cout, topts);
            print_run(r.branch.events, start_a, target.conn, opts->all, printer);
        }

        std::cout << "\n" << say("Replies on connection", "连接") << " " << target.conn
                  << say(" after the edit:", " 上编辑之后的应答：") << "\n";
        if (r.replies.empty()) std::cout << "  " << say("(none in either run)", "（两次运行中都没有）") << "\n";
        for (const auto& p : r.replies) {
            std::string a = p.original ? line_of(r.original.events[*p.original]) : say("(no reply)", "（没有应答）");
            std::string b = p.branch ? line_of(r.branch.events[*p.branch]) : say("(no reply)", "（没有应答）");
            if (!p.differs) {
                std::cout << "  = " << a << "\n";
                continue;
            }
            std::cout << "  ≠ " << say("original: ", "原来：") << a << "\n"
                      << "    " << say("what if:  ", "如果：") << b << "\n";
        }

        bool any_step = false;
        for (const auto& st : r.steps) {
            if (!st.differs()) continue;
            if (!any_step) std::cout << "\n" << say("Steps that ended differently:", "结果不同的步骤：") << "\n";
            any_step = true;
            auto outcome = [&](const world::step_outcome& o) -> std::string {
                if (!o.finished) return say("never finished", "没有完成");
                return fmt::format("{}: {}", o.succeeded ? say("done", "完成") : say("did not succeed", "未成功"),
                                   o.summary);
            };
            std::cout << "  " << say("step", "步骤") << " " << st.index + 1 << "\n"
                      << "    " << say("original: ", "原来：") << outcome(st.original) << "\n"
                      << "    " << say("what if:  ", "如果：") << outcome(st.branch) << "\n";
        }

        if (!r.mailboxes.empty()) std::cout << "\n" << say("Mailboxes at the end that differ:", "结束时不同的邮箱：") << "\n";
        for (const auto& m : r.mailboxes) {
            auto list = [&](const std::vector<std::string>& v) {
                if (v.empty()) return std::string(say("(empty)", "（空）"));
                std::string out;
                for (const auto& x : v) out += (out.empty() ? "" : "; ") + x;
                return out;
            };
            std::cout << fmt::format("  {} {} on {}\n", m.user, m.folder, m.host)
                      << "    " << say("original: ", "原来：") << m.original.size() << " - " << list(m.original) << "\n"
                      << "    " << say("what if:  ", "如果：") << m.branch.size() << " - " << list(m.branch) << "\n";
        }

        std::cout << "\n" << say("Expectations (original -> what if):", "预期结果（原来 -> 如果）：") << "\n";
        for (const auto& x : r.expectations) {
            auto mark = [](bool ok) { return ok ? "ok" : "FAIL"; };
            std::cout << fmt::format("  [{} -> {}]{} {}\n", mark(x.original_passed), mark(x.branch_passed),
                                     x.original_passed != x.branch_passed ? " *" : "  ", x.summary);
            if (x.original_found != x.branch_found)
                std::cout << "      " << say("what if found: ", "如果时找到：") << x.branch_found << "\n";
        }
        if (r.expectations.empty()) std::cout << "  " << say("(the scenario has none)", "（场景没有预期）") << "\n";

        if (!r.explanations.empty()) {
            std::cout << "\n" << say("How the branch ended:", "分支如何结束：") << "\n";
            for (const auto& t : r.explanations) std::cout << "  - " << t << "\n";
        }
        if (recorder)
            std::cout << "\n" << say("branch trace written to ", "分支的跟踪记录已写入 ") << recorder->path() << " ("
                      << recorder->events_written() << say(" events)", " 个事件)") << "\n";
        return 0;
    };
}

}  // namespace maillab::cli
