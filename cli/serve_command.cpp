// `maillab serve`: the protocol servers on real sockets, for real clients (telnet, curl,
// Thunderbird, Python's smtplib, the seed's SMTPDemo). Prints what it listens on, shows each
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
#include "sim/record/trace_io.hpp"
#include "sim/record/transcript.hpp"
#include "sim/world/live_server.hpp"

namespace maillab::cli {

std::function<int()> add_serve_command(CLI::App& app) {
    struct options {
        std::vector<std::string> domains;
        std::vector<std::string> users;
        int smtp_port = 2525;
        int smtps_port = 4465;
        int pop3_port = 1110;
        int pop3s_port = 9950;
        int imap_port = 1143;
        int imaps_port = 9930;
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
        "serve", "Run the mail servers on real sockets for real clients, with a live transcript");
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
    cmd->add_option("--store", opts->store_dir,
                    "Keep mail in Maildirs under DIR so a restart finds it (default: in memory)")
        ->option_text("DIR");
    cmd->add_option("--bind", opts->bind, "Address to listen on")->capture_default_str();
    cmd->add_option("--hostname", opts->hostname,
                    "Server name in greetings and Received: (default mail.<first domain>)");
    cmd->add_option("--trace", opts->trace_path,
                    "Write every event to FILE as it happens (JSON Lines, flushed per event)")
        ->option_text("FILE");
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

    return [opts]() -> int {
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
            if (!opts->tls_cert.empty() || !opts->tls_key.empty()) {
                if (opts->tls_cert.empty() || opts->tls_key.empty())
                    throw std::invalid_argument("--tls-cert and --tls-key go together");
                auto slurp = [](const std::string& path) {
                    std::ifstream in(path, std::ios::binary);
                    if (!in) throw std::invalid_argument(path + ": cannot read");
                    return std::string(std::istreambuf_iterator<char>(in), {});
                };
                config.certificate = {slurp(opts->tls_cert), slurp(opts->tls_key)};
            } else {
                std::string dir = opts->tls_dir.empty() ? default_tls_dir() : opts->tls_dir;
                bool created = false;
                std::string name = config.hostname;
                if (name.empty() && !config.domains.empty()) name = "mail." + config.domains[0];
                if (name.empty() && !config.users.empty())
                    name = "mail." + config.users[0].address.substr(
                                         config.users[0].address.rfind('@') + 1);
                if (name.empty()) name = "maillab";
                config.certificate = load_or_create_certificate(dir, name, created);
                std::cout << (created ? "created a self-signed TLS certificate in "
                                      : "using the TLS certificate in ")
                          << dir << '\n';
            }
        }

        real_clock clock;
        trace t(clock, {{"scenario", "serve"}, {"title", "maillab serve (real sockets)"}});
        t.set_retain(false);  // a long class session streams to the printer and the file
        transcript_options topts;
        topts.lang = *language_from_string(opts->lang);
        topts.explanations = !opts->no_explain;
        topts.color = stdout_wants_color();
        transcript_printer printer(std::cout, topts);
        if (!opts->quiet) t.subscribe(printer);
        std::ofstream trace_file;
        std::unique_ptr<trace_writer> writer;
        if (!opts->trace_path.empty()) {
            trace_file.open(opts->trace_path, std::ios::binary | std::ios::trunc);
            if (!trace_file) throw std::runtime_error(opts->trace_path + ": cannot write");
            writer = std::make_unique<trace_writer>(trace_file, t.header());
            t.subscribe(*writer);
        }

        boost::asio::io_context io;
        live_server server(io, t, config);
        for (const auto& l : server.listeners())
            std::cout << fmt::format("{} listening on {}:{}{}\n", l->spec().name,
                                     server.config().bind_address, l->port(),
                                     l->spec().tls == tls_mode::implicit ? " (implicit TLS)"
                                     : l->spec().tls == tls_mode::starttls
                                         ? (l->spec().proto == "pop3" ? " (STLS offered)"
                                                                      : " (STARTTLS offered)")
                                         : "");
        std::cout << fmt::format("local domains: {}; users: {}; store: {}\n",
                                 fmt::join(server.config().domains, ", "),
                                 server.store().users().size(),
                                 opts->store_dir.empty() ? "in memory" : opts->store_dir);
        std::cout << "ready; Ctrl-C stops\n" << std::flush;
        server.start();

        boost::asio::signal_set signals(io, SIGINT, SIGTERM);
        signals.async_wait([&](const boost::system::error_code& ec, int signal_number) {
            if (ec) return;
            std::cout << fmt::format("\nstopping on signal {}\n", signal_number) << std::flush;
            server.stop();
            io.stop();
        });
        std::signal(SIGPIPE, SIG_IGN);
        io.run();
        std::cout << "stopped\n";
        return 0;
    };
}

}  // namespace maillab::cli
