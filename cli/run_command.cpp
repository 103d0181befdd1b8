// `maillab run`: the built-in demo as an annotated transcript, optionally written as a trace.

#include <fstream>
#include <iostream>
#include <memory>

#include "cli/commands.hpp"
#include "sim/record/trace_io.hpp"
#include "sim/record/transcript.hpp"
#include "sim/world/builtin_demo.hpp"

namespace maillab::cli {

std::function<int()> add_run_command(CLI::App& app) {
    struct options {
        std::string trace_path;
        std::string lang = "en";
        bool no_explain = false;
        bool show_bytes = false;
        bool quiet = false;
    };
    auto opts = std::make_shared<options>();
    CLI::App* cmd = app.add_subcommand(
        "run", "Run the built-in demo (alice sends bob a mail over SMTP, bob fetches it with POP3 "
               "and reads it on his phone with IMAP) and print the annotated transcript");
    cmd->add_option("--trace", opts->trace_path, "Also write the trace (JSON Lines) to FILE")
        ->option_text("FILE");
    cmd->add_option("--lang", opts->lang, "Language of the explanations")
        ->check(CLI::IsMember({"en", "zh"}))
        ->capture_default_str();
    cmd->add_flag("--no-explain", opts->no_explain, "Print the protocol lines only");
    cmd->add_flag("--bytes", opts->show_bytes, "Also print every chunk of bytes the tap saw");
    cmd->add_flag("--quiet", opts->quiet, "Print nothing (with --trace: just write the file)");

    return [opts]() -> int {
        transcript_options topts;
        topts.lang = *language_from_string(opts->lang);
        topts.explanations = !opts->no_explain;
        topts.show_bytes = opts->show_bytes;
        topts.color = stdout_wants_color();
        transcript_printer printer(std::cout, topts);
        std::vector<trace_listener*> listeners;
        if (!opts->quiet) listeners.push_back(&printer);
        demo_result result = run_builtin_demo(listeners);
        if (!opts->trace_path.empty()) {
            write_trace_file(opts->trace_path, result.header, result.events);
            if (!opts->quiet)
                std::cout << "\ntrace written to " << opts->trace_path << " ("
                          << result.events.size() << " events)\n";
        }
        return result.delivered ? 0 : 1;
    };
}

}  // namespace maillab::cli
