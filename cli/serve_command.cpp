// `maillab serve [SCENARIO.json]`: the protocol servers on real sockets, for real clients
// (telnet, curl, Thunderbird, Python's smtplib, the seed's SMTPDemo). Without a scenario: one
// mail server for the --user/--domain given. With one: every server host of the scenario, each
// on its own ports, relaying to each other over real TCP. Prints what it listens on, shows each
// session's transcript live, and stops cleanly on Ctrl-C or SIGTERM.

#include <csignal>
#include <fstream>
#include <iostream>
#include <memory>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "cli/commands.hpp"
#include "sim/core/clock.hpp"
#include "sim/record/recorder.hpp"
#include "sim/record/transcript.hpp"
#include "sim/world/live_server.hpp"
#include "sim/world/live_world.hpp"
#include "sim/world/scenario_loader.hpp"
#include "sim/world/scenario_run.hpp"

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
        if (!opts.trace_path.empty()) {
            recorder = std::make_unique<trace_recorder>(opts.trace_path);
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

template <typename Options, typename CertificateFor>
int serve_scenario(const Options& opts, CertificateFor certificate_for) {
    world::scenario s = world::load_scenario_file(opts.scenario_path);
    nlohmann::json header = world::scenario_header(s);
    header["mode"] = "live";
    live_trace lt(opts, header);
    world::live_world_config config;
    config.bind_address = opts.bind;
    config.base_port = static_cast<unsigned short>(opts.base_port);
    bool any_tls = false;
    for (const auto& h : s.hosts) any_tls |= h.tls;
    if (any_tls) config.certificate = certificate_for("maillab." + s.id);
    boost::asio::io_context io;
    world::live_world w(io, lt.t, s, config);
    std::cout << fmt::format("scenario {}: {}\n", s.id, s.title.en);
    for (const auto& e : w.endpoints())
        std::cout << fmt::format("{:<20} {:<11} {}:{}{}\n", e.host, e.service, opts.bind, e.port,
                                 e.service == "http" ? fmt::format(" (webmail: open http://{}:{}/ in a browser)", opts.bind, e.port)
                                 : e.implicit_tls ? " (implicit TLS)"
                                 : e.starttls   ? (e.service == "pop3" ? " (STLS offered)"
                                                                       : " (STARTTLS offered)")
                                                : "");
    std::cout << "users:";
    for (const auto& u : s.users) std::cout << " " << u.address << " (password " << u.password << ")";
    std::cout << "\n";
    lt.say_recording();
    std::cout << "ready; Ctrl-C stops\n" << std::flush;
    w.start();
    run_until_signal(io, [&] { w.stop(); });
    lt.say_recorded();
    return 0;
}

}  // namespace

std::function<int()> add_serve_command(CLI::App& app) {
    struct options {
        std::string scenario_path;
        int base_port = 0;
        std::vector<std::string> domains;
        std::vector<std::string> users;
        int smtp_port = 2525;
        int smtps_port = 4465;
        int pop3_port = 1110;
        int pop3s_port = 9950;
        int imap_port = 1143;
        int imaps_port = 9930;
        int http_port = 8080;
        std::string store_dir;
        std::string bind = "127.0.0.1";
        std::string hostname;
        std::string trace_path;
        std::string tls_cert;
        std::string tls_key;
        std::string tls_dir;
        std::size_t max_size = 32 * 1024 * 1024;
        std::string lang = "en";
        bool no_explain = false;
        bool quiet = false;
    };
    auto opts = std::make_shared<options>();
    CLI::App* cmd = app.add_subcommand(
        "serve", "Run the mail servers on real sockets for real clients, with a live transcript. "
                 "With SCENARIO.json: every server host of the scenario, each on its own ports");
    cmd->add_option("scenario", opts->scenario_path,
                    "Scenario whose servers to run (then --user, --domain and the --*-port "
                    "options do not apply)")
        ->option_text("SCENARIO.json");
    cmd->add_option("--base-port", opts->base_port,
                    "With a scenario: number the listeners from PORT up, in host order (default "
                    "0: the OS picks free ports; they are printed at start)")
        ->check(CLI::Range(0, 65000))
        ->option_text("PORT");
    cmd->add_option("--domain", opts->domains,
                    "A mail domain that is local here (repeatable; default: the users' domains)")
        ->option_text("NAME");
    cmd->add_option("--user", opts->users,
                    "A user NAME@DOMAIN:PASSWORD (repeatable). With neither --user nor --domain, "
                    "alice@example.org and bob@example.org (passwords alice, bob). Log in with "
                    "the full address, or the local part when unique")
        ->option_text("NAME@DOMAIN:PASSWORD");
    cmd->add_option("--smtp-port", opts->smtp_port, "SMTP port (STARTTLS offered); 0 turns it off")
        ->check(CLI::Range(0, 65535))
        ->capture_default_str();
    cmd->add_option("--smtps-port", opts->smtps_port, "SMTPS port (implicit TLS); 0 turns it off")
        ->check(CLI::Range(0, 65535))
        ->capture_default_str();
    cmd->add_option("--pop3-port", opts->pop3_port, "POP3 port (STLS offered); 0 turns it off")
        ->check(CLI::Range(0, 65535))
        ->capture_default_str();
    cmd->add_option("--pop3s-port", opts->pop3s_port, "POP3S port (implicit TLS); 0 turns it off")
        ->check(CLI::Range(0, 65535))
        ->capture_default_str();
    cmd->add_option("--imap-port", opts->imap_port, "IMAP port (STARTTLS offered); 0 turns it off")
        ->check(CLI::Range(0, 65535))
        ->capture_default_str();
    cmd->add_option("--imaps-port", opts->imaps_port, "IMAPS port (implicit TLS); 0 turns it off")
        ->check(CLI::Range(0, 65535))
        ->capture_default_str();
    cmd->add_option("--http-port", opts->http_port,
                    "Webmail port (HTTP, for a browser); 0 turns it off")
        ->check(CLI::Range(0, 65535))
        ->capture_default_str();
    cmd->add_option("--store", opts->store_dir,
                    "Keep mail in Maildirs under DIR so a restart finds it (default: in memory)")
        ->option_text("DIR");
    cmd->add_option("--bind", opts->bind, "Address to listen on")->capture_default_str();
    cmd->add_option("--hostname", opts->hostname,
                    "Server name in greetings and Received: (default mail.<first domain>)");
    cmd->add_option("--record", opts->trace_path,
                    "Record every event to FILE as it happens (JSON Lines, flushed per event: a "
                    "crash loses at most the last line); replay it with `maillab replay FILE`")
        ->option_text("FILE");
    // The first name of --record; kept so older lesson notes and scripts still work.
    cmd->add_option("--trace", opts->trace_path)->group("");
    cmd->add_option("--tls-cert", opts->tls_cert, "PEM certificate (default: self-signed, made "
                                                   "at first start in --tls-dir)")
        ->option_text("FILE");
    cmd->add_option("--tls-key", opts->tls_key, "PEM private key for --tls-cert")
        ->option_text("FILE");
    cmd->add_option("--tls-dir", opts->tls_dir,
                    "Where the self-signed certificate is kept (default $MAILLAB_HOME/tls or "
                    "~/.maillab/tls)")
        ->option_text("DIR");
    cmd->add_option("--max-message-size", opts->max_size, "SIZE limit in octets")
        ->capture_default_str();
    cmd->add_option("--lang", opts->lang, "Language of the explanations")
        ->check(CLI::IsMember({"en", "zh"}))
        ->capture_default_str();
    cmd->add_flag("--no-explain", opts->no_explain, "Print the protocol lines only");
    cmd->add_flag("--quiet", opts->quiet, "Do not print the live transcript");

    return [opts, cmd]() -> int {
        auto certificate_for = [&](std::string name) {
            if (!opts->tls_cert.empty() || !opts->tls_key.empty()) {
                if (opts->tls_cert.empty() || opts->tls_key.empty())
                    throw std::invalid_argument("--tls-cert and --tls-key go together");
                auto slurp = [](const std::string& path) {
                    std::ifstream in(path, std::ios::binary);
                    if (!in) throw std::invalid_argument(path + ": cannot read");
                    return std::string(std::istreambuf_iterator<char>(in), {});
                };
                return certificate_pair{slurp(opts->tls_cert), slurp(opts->tls_key)};
            }
            std::string dir = opts->tls_dir.empty() ? default_tls_dir() : opts->tls_dir;
            bool created = false;
            if (name.empty()) name = "maillab";
            certificate_pair pair = load_or_create_certificate(dir, name, created);
            std::cout << (created ? "created a self-signed TLS certificate in "
                                  : "using the TLS certificate in ")
                      << dir << '\n';
            return pair;
        };
        if (!opts->scenario_path.empty()) {
            for (const char* single : {"--user", "--domain", "--smtp-port", "--smtps-port",
                                       "--pop3-port", "--pop3s-port", "--imap-port",
                                       "--imaps-port", "--http-port", "--store", "--hostname"})
                if (cmd->count(single))
                    throw std::invalid_argument(fmt::format(
                        "{} does not apply with a scenario: the scenario defines the hosts, "
                        "users and services",
                        single));
            return serve_scenario(*opts, certificate_for);
        }
        live_server_config config;
        config.bind_address = opts->bind;
        config.hostname = opts->hostname;
        config.domains = opts->domains;
        // On the command line a port of 0 turns that listener off.
        auto port_or_off = [](int port) -> std::optional<unsigned short> {
            if (port == 0) return std::nullopt;
            return static_cast<unsigned short>(port);
        };
        config.smtp_port = port_or_off(opts->smtp_port);
        config.smtps_port = port_or_off(opts->smtps_port);
        config.pop3_port = port_or_off(opts->pop3_port);
        config.pop3s_port = port_or_off(opts->pop3s_port);
        config.imap_port = port_or_off(opts->imap_port);
        config.imaps_port = port_or_off(opts->imaps_port);
        config.http_port = port_or_off(opts->http_port);
        config.store_dir = opts->store_dir;
        config.max_message_size = opts->max_size;
        if (opts->users.empty() && opts->domains.empty()) {
            opts->users = {"alice@example.org:alice", "bob@example.org:bob"};
            std::cout << "no --user given: using alice@example.org (password alice) and "
                         "bob@example.org (password bob)\n";
        }
        for (const auto& spec : opts->users) config.users.push_back(parse_user_spec(spec));

        if (config.smtp_port || config.smtps_port || config.pop3_port || config.pop3s_port ||
            config.imap_port || config.imaps_port) {
            std::string name = config.hostname;
            if (name.empty() && !config.domains.empty()) name = "mail." + config.domains[0];
            if (name.empty() && !config.users.empty())
                name = "mail." + config.users[0].address.substr(
                                     config.users[0].address.rfind('@') + 1);
            config.certificate = certificate_for(name);
        }

        live_trace lt(*opts, {{"scenario", "serve"}, {"title", "maillab serve (real sockets)"}});
        boost::asio::io_context io;
        live_server server(io, lt.t, config);
        for (const auto& l : server.listeners())
            std::cout << fmt::format("{} listening on {}:{}{}\n", l->spec().name,
                                     server.config().bind_address, l->port(),
                                     l->spec().tls == tls_mode::implicit ? " (implicit TLS)"
                                     : l->spec().tls == tls_mode::starttls
                                         ? (l->spec().proto == "pop3" ? " (STLS offered)"
                                                                      : " (STARTTLS offered)")
                                         : l->spec().proto == "http"
                                         ? fmt::format(" (webmail: open http://{}:{}/ in a browser)",
                                                       server.config().bind_address, l->port())
                                         : "");
        std::cout << fmt::format("local domains: {}; users: {}; store: {}\n",
                                 fmt::join(server.config().domains, ", "),
                                 server.store().users().size(),
                                 opts->store_dir.empty() ? "in memory" : opts->store_dir);
        lt.say_recording();
        std::cout << "ready; Ctrl-C stops\n" << std::flush;
        server.start();

        run_until_signal(io, [&] { server.stop(); });
        lt.say_recorded();
        return 0;
    };
}

}  // namespace maillab::cli
