// `maillab serve [SCENARIO.json]`: the protocol servers on real sockets, for real clients
// (telnet, curl, Thunderbird, Python's smtplib, the seed's SMTPDemo). Without a scenario: one
// mail server for the --user/--domain given. With one: every server host of the scenario, each
// on its own ports, relaying to each other over real TCP. Prints what it listens on, shows each
// session's transcript live, and stops cleanly on Ctrl-C or SIGTERM.

#include <csignal>
#include <iostream>
#include <memory>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "cli/commands.hpp"
#include "cli/serve_options.hpp"
#include "cli/trace_publishing.hpp"
#include "sim/core/clock.hpp"
#include "sim/record/recorder.hpp"
#include "sim/record/transcript.hpp"
#include "sim/world/serve_setup.hpp"

namespace maillab::cli {

namespace {

// The live trace of a session of serve: streamed to the printer and (with --record) to a file,
// flushed per event so a crash loses at most the event being written.
struct live_trace {
    real_clock clock;
    trace t;
    transcript_printer printer;
    std::unique_ptr<trace_recorder> recorder;

    template <typename Options>
    live_trace(const Options& opts, nlohmann::json header)
        : t(clock, std::move(header)), printer(std::cout, printer_options(opts)) {
        t.set_retain(false);  // a long class session streams to the printer and the file
        if (!opts.quiet) t.subscribe(printer);
        if (!opts.serve.record_path.empty()) {
            recorder = std::make_unique<trace_recorder>(opts.serve.record_path);
            t.subscribe(*recorder);
        }
    }

    // Where the recording goes, said at start and at the end (with the number of events).
    void say_recording() const {
        if (recorder) std::cout << "recording every event to " << recorder->path() << '\n';
    }
    void say_recorded() const {
        if (recorder)
            std::cout << fmt::format("{} events recorded to {}; replay: maillab replay {}\n",
                                     recorder->events_written(), recorder->path(),
                                     recorder->path());
    }

    template <typename Options>
    static transcript_options printer_options(const Options& opts) {
        transcript_options topts;
        topts.lang = *language_from_string(opts.lang);
        topts.explanations = !opts.no_explain;
        topts.color = stdout_wants_color();
        return topts;
    }
};

// Runs the io_context until Ctrl-C or SIGTERM, then `stop`.
void run_until_signal(boost::asio::io_context& io, const std::function<void()>& stop) {
    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code& ec, int signal_number) {
        if (ec) return;
        std::cout << fmt::format("\nstopping on signal {}\n", signal_number) << std::flush;
        stop();
        io.stop();
    });
    std::signal(SIGPIPE, SIG_IGN);
    io.run();
    std::cout << "stopped\n";
}

// The name a published trace goes by: the host this machine runs, else the scenario.
std::string publishing_name(const world::serve_options& opts, const nlohmann::json& header) {
    if (!opts.as_host.empty()) return opts.as_host;
    return header.value("scenario", std::string("serve"));
}

// One session of serve, with or without a scenario: prepare, bind, say where to connect, run.
template <typename Options>
int serve(const Options& opts, const CLI::App& cmd) {
    check_serve_options(cmd, opts.serve);
    world::live_servers servers(opts.serve);
    for (const auto& note : servers.notes()) std::cout << note << '\n';
    live_trace lt(opts, servers.trace_header());
    boost::asio::io_context io;
    // Before the servers open, so a subscriber gets the whole session from its first event.
    std::unique_ptr<trace_publisher> publisher = start_trace_publishing(
        opts.publishing, io, lt.t, opts.serve.bind, publishing_name(opts.serve, lt.t.header()),
        std::cout);
    // The sockets go before the io_context they were opened on.
    struct closer {
        world::live_servers& servers;
        std::unique_ptr<trace_publisher>& publisher;
        ~closer() {
            publisher.reset();
            servers.close();
        }
    } close_before_io{servers, publisher};
    servers.open(io, lt.t);
    for (const auto& line : servers.describe()) std::cout << line << '\n';
    lt.say_recording();
    std::cout << "ready; Ctrl-C stops\n" << std::flush;
    servers.start();
    run_until_signal(io, [&] {
        servers.stop();
        if (publisher) publisher->stop();
    });
    lt.say_recorded();
    return 0;
}

}  // namespace

std::function<int()> add_serve_command(CLI::App& app) {
    struct options {
        world::serve_options serve;
        std::string lang = "en";
        bool no_explain = false;
        bool quiet = false;
        trace_publishing_options publishing;
    };
    auto opts = std::make_shared<options>();
    CLI::App* cmd = app.add_subcommand(
        "serve", "Run the mail servers on real sockets for real clients, with a live transcript. "
                 "With SCENARIO.json: every server host of the scenario, each on its own ports");
    cmd->add_option("scenario", opts->serve.scenario_path,
                    "Scenario whose servers to run (then --user, --domain and the --*-port "
                    "options do not apply)")
        ->option_text("SCENARIO.json");
    add_serve_options(*cmd, opts->serve);
    cmd->add_option("--lang", opts->lang, "Language of the explanations")
        ->check(CLI::IsMember({"en", "zh"}))
        ->capture_default_str();
    cmd->add_flag("--no-explain", opts->no_explain, "Print the protocol lines only");
    cmd->add_flag("--quiet", opts->quiet, "Do not print the live transcript");
    add_trace_publishing_options(*cmd, opts->publishing);

    return [opts, cmd]() -> int { return serve(*opts, *cmd); };
}

}  // namespace maillab::cli
