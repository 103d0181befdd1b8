#include "cli/serve_options.hpp"

#include <chrono>
#include <cstdint>
#include <stdexcept>

#include <fmt/format.h>

namespace maillab::cli {

namespace {

std::string seconds_text(std::chrono::milliseconds ms) {
    return fmt::format("{:g}", ms.count() / 1000.0);
}

// A timeout given in seconds (fractions allowed, so a test need not wait minutes).
void add_timeout(CLI::App& cmd, const char* name, std::chrono::milliseconds& target,
                 const char* what) {
    cmd.add_option_function<double>(
           name,
           [&target, name](double seconds) {
               if (seconds <= 0)
                   throw CLI::ValidationError(name, "a timeout must be more than 0 seconds");
               target = std::chrono::milliseconds(static_cast<std::int64_t>(seconds * 1000));
           },
           what)
        ->option_text("SECONDS=" + seconds_text(target))
        ->group("Limits");
}

// The limits of docs/security.md, each with its default shown in --help.
void add_limit_options(CLI::App& cmd, world::serve_limits& limits) {
    add_timeout(cmd, "--idle-timeout-smtp", limits.smtp_idle,
                "SMTP: close after this long without a command (RFC 5321 4.5.3.2.7)");
    add_timeout(cmd, "--data-timeout-smtp", limits.smtp_data,
                "SMTP: close after this long without message text during DATA "
                "(RFC 5321 4.5.3.2.6)");
    add_timeout(cmd, "--idle-timeout-pop3", limits.pop3_idle,
                "POP3: close after this long without a command (RFC 1939 3)");
    add_timeout(cmd, "--idle-timeout-imap", limits.imap_idle,
                "IMAP: BYE after this long without anything from the client, IDLE included "
                "(RFC 3501 5.4)");
    add_timeout(cmd, "--idle-timeout-http", limits.http_idle,
                "Webmail: close a keep-alive connection after this long without a request");
    add_timeout(cmd, "--webmail-session-timeout", limits.webmail_session,
                "Webmail: a login ends after this long without a request (single server)");
    cmd.add_option("--max-connections", limits.max_connections,
                   "Connections open at once, all services together; over it a client is "
                   "refused politely (SMTP 421, POP3 -ERR, IMAP BYE, HTTP 503). 0: no cap")
        ->capture_default_str()
        ->group("Limits");
    cmd.add_option("--max-connections-per-ip", limits.max_connections_per_address,
                   "Connections open at once from one client address. 0: no cap")
        ->capture_default_str()
        ->group("Limits");
    cmd.add_option("--max-commands", limits.session.max_commands,
                   "Commands in one SMTP, POP3 or IMAP session before the server ends it")
        ->check(CLI::PositiveNumber)
        ->capture_default_str()
        ->group("Limits");
    cmd.add_option("--max-recipients", limits.session.max_recipients,
                   "SMTP recipients per message; more get 452 (RFC 5321 4.5.3.1.8)")
        ->check(CLI::PositiveNumber)
        ->capture_default_str()
        ->group("Limits");
    cmd.add_option("--max-header-fields", limits.session.max_header_fields,
                   "Header fields per message; SMTP refuses more with 554 5.6.0")
        ->check(CLI::PositiveNumber)
        ->capture_default_str()
        ->group("Limits");
    cmd.add_option("--max-auth-failures", limits.session.max_auth_failures,
                   "Failed logins on one connection before the server closes it")
        ->check(CLI::PositiveNumber)
        ->capture_default_str()
        ->group("Limits");
    cmd.add_option("--auth-failure-delay-ms", limits.session.auth_failure_delay_ms,
                   "The reply to the n-th failed login waits MS * 2^(n-1) milliseconds (0: no "
                   "wait)")
        ->option_text(fmt::format("MS={}", limits.session.auth_failure_delay_ms))
        ->group("Limits");
}

}  // namespace

void add_serve_options(CLI::App& cmd, world::serve_options& opts) {
    cmd.add_option("--base-port", opts.base_port,
                   "With a scenario: number the listeners from PORT up, in host order; 0: the "
                   "OS picks free ports, printed at start (the default, except with --as: then "
                   "the standard ports 25, 587, 110, 143 ...)")
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
    cmd.add_option("--max-message-size", opts.max_message_size,
                   "SIZE limit in octets (RFC 1870); also the largest IMAP literal (APPEND)")
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
    add_limit_options(cmd, opts.limits);
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
