#include "cli/serve_options.hpp"

#include <stdexcept>

#include <fmt/format.h>

namespace maillab::cli {

void add_serve_options(CLI::App& cmd, world::serve_options& opts) {
    cmd.add_option("--base-port", opts.base_port,
                   "With a scenario: number the listeners from PORT up, in host order (default "
                   "0: the OS picks free ports, printed at start; with --as, the standard ports "
                   "25, 587, 110, 143 ...)")
        ->check(CLI::Range(0, 65000))
        ->option_text("PORT");
    cmd.add_option("--domain", opts.domains,
                   "A mail domain that is local here (repeatable; default: the users' domains)")
        ->option_text("NAME");
    cmd.add_option("--user", opts.users,
                   "A user NAME@DOMAIN:PASSWORD (repeatable). With neither --user nor --domain, "
                   "alice@example.org and bob@example.org (passwords alice, bob). Log in with "
                   "the full address, or the local part when unique")
        ->option_text("NAME@DOMAIN:PASSWORD");
    cmd.add_option("--smtp-port", opts.smtp_port, "SMTP port (STARTTLS offered); 0 turns it off")
        ->check(CLI::Range(0, 65535))
        ->capture_default_str();
    cmd.add_option("--smtps-port", opts.smtps_port, "SMTPS port (implicit TLS); 0 turns it off")
        ->check(CLI::Range(0, 65535))
        ->capture_default_str();
    cmd.add_option("--pop3-port", opts.pop3_port, "POP3 port (STLS offered); 0 turns it off")
        ->check(CLI::Range(0, 65535))
        ->capture_default_str();
    cmd.add_option("--pop3s-port", opts.pop3s_port, "POP3S port (implicit TLS); 0 turns it off")
        ->check(CLI::Range(0, 65535))
        ->capture_default_str();
    cmd.add_option("--imap-port", opts.imap_port, "IMAP port (STARTTLS offered); 0 turns it off")
        ->check(CLI::Range(0, 65535))
        ->capture_default_str();
    cmd.add_option("--imaps-port", opts.imaps_port, "IMAPS port (implicit TLS); 0 turns it off")
        ->check(CLI::Range(0, 65535))
        ->capture_default_str();
    cmd.add_option("--http-port", opts.http_port,
                   "Webmail port (HTTP, for a browser); 0 turns it off")
        ->check(CLI::Range(0, 65535))
        ->capture_default_str();
    cmd.add_option("--store", opts.store_dir,
                   "Keep mail in Maildirs under DIR so a restart finds it (default: in memory)")
        ->option_text("DIR");
    cmd.add_option("--bind", opts.bind, "Address to listen on")->capture_default_str();
    cmd.add_option("--hostname", opts.hostname,
                   "Server name in greetings and Received: (default mail.<first domain>)");
    cmd.add_option("--record", opts.record_path,
                   "Record every event to FILE as it happens (JSON Lines, flushed per event: a "
                   "crash loses at most the last line); replay it with `maillab replay FILE`")
        ->option_text("FILE");
    // The first name of --record; kept so older lesson notes and scripts still work.
    cmd.add_option("--trace", opts.record_path)->group("");
    cmd.add_option("--tls-cert", opts.tls_cert, "PEM certificate (default: self-signed, made "
                                                 "at first start in --tls-dir)")
        ->option_text("FILE");
    cmd.add_option("--tls-key", opts.tls_key, "PEM private key for --tls-cert")
        ->option_text("FILE");
    cmd.add_option("--tls-dir", opts.tls_dir,
                   "Where the self-signed certificate is kept (default $MAILLAB_HOME/tls or "
                   "~/.maillab/tls)")
        ->option_text("DIR");
    cmd.add_option("--max-message-size", opts.max_message_size, "SIZE limit in octets")
        ->capture_default_str();
    cmd.add_option("--as", opts.as_host,
                   "With a scenario, on a class network: run only this host's servers here; the "
                   "other hosts run on other machines (see --peer)")
        ->option_text("HOST");
    cmd.add_option("--peer", opts.peers,
                   "With --as: where another host of the scenario runs, HOST=ADDRESS (its "
                   "services at their standard ports), HOST=ADDRESS:PORT (its SMTP port) or "
                   "HOST:SERVICE=ADDRESS:PORT (repeatable; overrides the scenario's \"address\")")
        ->option_text("HOST[:SERVICE]=ADDRESS[:PORT]");
}

void check_serve_options(const CLI::App& cmd, const world::serve_options& opts) {
    if (opts.scenario_path.empty()) {
        for (const char* class_network : {"--as", "--peer"})
            if (cmd.count(class_network))
                throw std::invalid_argument(fmt::format(
                    "{} needs a scenario: it names a host of the scenario's world",
                    class_network));
        return;
    }
    if (cmd.count("--peer") && opts.as_host.empty())
        throw std::invalid_argument("--peer needs --as: without it every host runs here");
    for (const char* single : {"--user", "--domain", "--smtp-port", "--smtps-port", "--pop3-port",
                               "--pop3s-port", "--imap-port", "--imaps-port", "--http-port",
                               "--store", "--hostname"})
        if (cmd.count(single))
            throw std::invalid_argument(fmt::format(
                "{} does not apply with a scenario: the scenario defines the hosts, users and "
                "services",
                single));
}

}  // namespace maillab::cli
