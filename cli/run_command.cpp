// `maillab run [SCENARIO.json]`: a scenario (or the built-in demo) as an annotated transcript,
// with the scenario's expectation results at the end; optionally recorded (--record FILE, one
// line per event as it happens, like `maillab serve --record`).

#include <fstream>
#include <iostream>
#include <memory>

#include "cli/commands.hpp"
#include "sim/record/recorder.hpp"
#include "sim/record/transcript.hpp"
#include "sim/world/builtin_demo.hpp"
#include "sim/world/scenario_loader.hpp"
#include "sim/world/scenario_run.hpp"

namespace maillab::cli {

namespace {

template <typename Options>
int run_scenario_file(const Options& opts, const std::vector<trace_listener*>& listeners,
                      const trace_recorder* recorder) {
    world::scenario s = world::load_scenario_file(opts.scenario_path);
    world::scenario_result result = world::run_scenario(s, listeners);
    if (!opts.quiet) {
        bool zh = opts.lang == "zh";
        std::cout << "\n" << (zh ? "预期结果" : "Expectations") << " (" << s.id << "):\n";
        std::size_t met = 0;
        for (const auto& r : result.expectations) {
            met += r.passed;
            std::string description = zh ? r.spec->description.zh : r.spec->description.en;
            std::cout << "  " << (r.passed ? "[ok]   " : "[FAIL] ") << r.summary << " -- " << r.found
                      << "\n";
            if (!description.empty()) std::cout << "         " << description << "\n";
        }
        for (const auto& step : result.steps)
            if (!step.finished)
                std::cout << "  [FAIL] step " << step.index + 1 << " never finished ("
                          << s.script[step.index].where << ")\n";
        std::cout << met << " of " << result.expectations.size() << " expectation(s) met";
        if (recorder)
            std::cout << "; trace written to " << recorder->path() << " ("
                      << recorder->events_written() << " events)";
        std::cout << "\n";
    }
    return result.passed ? 0 : 1;
}

}  // namespace

std::function<int()> add_run_command(CLI::App& app) {
    struct options {
        std::string scenario_path;
        std::string trace_path;
        std::string lang = "en";
        bool no_explain = false;
        bool show_bytes = false;
        bool quiet = false;
    };
    auto opts = std::make_shared<options>();
    CLI::App* cmd = app.add_subcommand(
        "run", "Run a scenario (scenarios/*.json) on the virtual clock, print the annotated "
               "transcript and check its expectations (exit code 1 if one fails). Without a "
               "file: the built-in demo (alice sends bob a mail over SMTP, bob fetches it with "
               "POP3 and reads it on his phone with IMAP)");
    cmd->add_option("scenario", opts->scenario_path, "Scenario file (JSON)")
        ->option_text("SCENARIO.json");
    cmd->add_option("--record", opts->trace_path,
                    "Also record the trace to FILE (JSON Lines, one event per line as it "
                    "happens; replay it with `maillab replay FILE`)")
        ->option_text("FILE");
    // The first name of --record; kept so older lesson notes and scripts still work.
    cmd->add_option("--trace", opts->trace_path)->group("");
    cmd->add_option("--lang", opts->lang, "Language of the explanations")
        ->check(CLI::IsMember({"en", "zh"}))
        ->capture_default_str();
    cmd->add_flag("--no-explain", opts->no_explain, "Print the protocol lines only");
    cmd->add_flag("--bytes", opts->show_bytes, "Also print every chunk of bytes the tap saw");
    cmd->add_flag("--quiet", opts->quiet, "Print nothing (with --record: just write the file)");

    return [opts]() -> int {
        transcript_options topts;
        topts.lang = *language_from_string(opts->lang);
        topts.explanations = !opts->no_explain;
        topts.show_bytes = opts->show_bytes;
        topts.color = stdout_wants_color();
        transcript_printer printer(std::cout, topts);
        std::vector<trace_listener*> listeners;
        if (!opts->quiet) listeners.push_back(&printer);
        // Opened before the run, so a path that cannot be written fails before anything runs.
        std::unique_ptr<trace_recorder> recorder;
        if (!opts->trace_path.empty()) {
            recorder = std::make_unique<trace_recorder>(opts->trace_path);
            listeners.push_back(recorder.get());
        }
        if (!opts->scenario_path.empty())
            return run_scenario_file(*opts, listeners, recorder.get());
        demo_result result = run_builtin_demo(listeners);
        if (recorder && !opts->quiet)
            std::cout << "\ntrace written to " << recorder->path() << " ("
                      << recorder->events_written() << " events)\n";
        return result.delivered ? 0 : 1;
    };
}

}  // namespace maillab::cli
