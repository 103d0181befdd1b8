// The SMTP command table and one handler per verb (RFC 5321 4.1.1, 4.1.4; RFC 1870 SIZE,
// RFC 6152 8BITMIME, RFC 2920 PIPELINING, RFC 2034 ENHANCEDSTATUSCODES, RFC 3207 STARTTLS).
// The handler runs only when the table says the verb is allowed in the current state.

#include <algorithm>
#include <array>
#include <charconv>
#include <variant>

#include <fmt/format.h>

#include "sim/core/bytes.hpp"
#include "sim/smtp/address.hpp"
#include "sim/smtp/server_session.hpp"

namespace maillab::smtp {
namespace {

constexpr std::uint32_t bit(server_state s) { return 1u << static_cast<unsigned>(s); }
constexpr std::uint32_t identified_states =
    bit(server_state::ready) | bit(server_state::mail) | bit(server_state::rcpt);
constexpr std::uint32_t any_command_state = bit(server_state::wait_helo) | identified_states;

}  // namespace

std::span<const server_session::command_spec> server_session::command_table() {
    using s = server_session;
    static const std::array<command_spec, 14> table{{
        {"HELO", any_command_state, &s::on_helo, ""},
        {"EHLO", any_command_state, &s::on_ehlo, ""},
        {"MAIL", bit(server_state::ready), &s::on_mail,
         "it needs HELO/EHLO first, and one transaction at a time: finish it or RSET"},
        {"RCPT", bit(server_state::mail) | bit(server_state::rcpt), &s::on_rcpt,
         "send MAIL FROM first"},
        {"DATA", bit(server_state::rcpt), &s::on_data,
         "send MAIL FROM and at least one accepted RCPT TO first"},
        {"RSET", any_command_state, &s::on_rset, ""},
        {"NOOP", any_command_state, &s::on_noop, ""},
        {"QUIT", any_command_state, &s::on_quit, ""},
        {"VRFY", any_command_state, &s::on_vrfy, ""},
        {"HELP", any_command_state, &s::on_help, ""},
        {"AUTH", bit(server_state::ready), &s::on_auth,
         "AUTH needs EHLO first and is not allowed during a mail transaction"},
        {"STARTTLS", bit(server_state::ready), &s::on_starttls,
         "STARTTLS needs EHLO first and is not allowed during a mail transaction"},
        {"EXPN", any_command_state, &s::on_not_offered, ""},
        {"BDAT", any_command_state, &s::on_not_offered, ""},
    }};
    return table;
}

void server_session::identify(std::string_view args, bool esmtp) {
    if (args.empty()) {
        // RFC 5321 4.1.1.1 requires a domain; the seed's SMTPDemo sends a bare "helo".
        note("smtp.note.helo_without_domain",
             "HELO/EHLO without a domain: Postfix and aiosmtpd answer 501 here; maillab "
             "accepts it so the textbook client can go on");
    }
    // RFC 5321 4.1.4: HELO/EHLO in the middle of a transaction resets it.
    reset_transaction();
    helo_ = std::string(args.substr(0, args.find(' ')));
    helo_given_ = true;
    esmtp_ = esmtp;
}

void server_session::on_helo(std::string_view args) {
    identify(args, false);
    reply(250, "", fmt::format("{} Hello {}", config_.hostname, helo_.empty() ? "stranger" : helo_));
    enter_state(server_state::ready, "HELO accepted");
}

void server_session::on_ehlo(std::string_view args) {
    identify(args, true);
    std::vector<std::string> lines{
        fmt::format("{} Hello {}", config_.hostname, helo_.empty() ? "stranger" : helo_),
        "PIPELINING",
        fmt::format("SIZE {}", config_.max_message_size),
        "8BITMIME",
        "ENHANCEDSTATUSCODES",
        "AUTH PLAIN LOGIN",
    };
    if (config_.tls_available && !tls_active_) lines.emplace_back("STARTTLS");
    lines.emplace_back("HELP");
    reply_lines(250, lines);
    enter_state(server_state::ready, "EHLO accepted");
}

// Parses "FROM:<...>" / "TO:<...>"; answers 501 on a syntax error, and records the leniencies a
// strict server would refuse.
std::optional<path_argument> server_session::parse_path(std::string_view args,
                                                       std::string_view verb,
                                                       std::string_view keyword) {
    auto parsed = parse_path_argument(args, keyword);
    if (auto* err = std::get_if<path_error>(&parsed)) {
        reply(501, "5.5.4", fmt::format("Syntax: {} {}:<address> ({})", verb, keyword,
                                        err->message));
        return std::nullopt;
    }
    auto& path = std::get<path_argument>(parsed);
    if (path.space_after_colon)
        note("smtp.note.space_after_colon",
             fmt::format("\"{} {}: <...>\": RFC 5321 has no space after the colon; a strict "
                         "server answers 501",
                         verb, keyword),
             {{"verb", std::string(verb)}});
    if (path.missing_angle_brackets)
        note("smtp.note.missing_angle_brackets",
             "address without <angle brackets>: RFC 5321 4.1.2 requires them; a strict server "
             "answers 501");
    return std::move(path);
}

void server_session::on_mail(std::string_view args) {
    if (config_.require_auth && !auth_user_) {
        // RFC 6409 4.3 / RFC 4954 6: the submission port takes mail from its users only.
        reply(530, "5.7.0", "Authentication required: this is the submission port (587)");
        return;
    }
    auto parsed = parse_path(args, "MAIL", "FROM");
    if (!parsed) return;
    auto& path = *parsed;
    if (!path.address.empty() && path.address.find('@') == std::string::npos)
        note("smtp.note.sender_without_domain",
             fmt::format("sender \"{}\" has no @domain: RFC 5321 4.1.2 requires one", path.address),
             {{"address", path.address}});
    else if (!path.address.empty() && !plausible_mailbox(path.address)) {
        reply(501, "5.1.7", fmt::format("Bad sender address syntax: <{}>", path.address));
        return;
    }
    if (!path.params.empty() && !esmtp_) {
        // RFC 5321 4.1.1.2: parameters are ESMTP extensions, not available after HELO.
        reply(555, "5.5.4", "MAIL parameters need EHLO (this session began with HELO)");
        return;
    }
    for (const auto& [key, value] : path.params) {
        if (key == "SIZE") {
            std::size_t declared = 0;
            auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), declared);
            if (ec != std::errc() || ptr != value.data() + value.size()) {
                reply(501, "5.5.4", "Syntax: SIZE=<number of octets>");
                return;
            }
            if (declared > config_.max_message_size) {
                note("smtp.note.size_exceeded",
                     fmt::format("declared size {} is over the limit {}", declared,
                                 config_.max_message_size),
                     {{"size", declared}, {"limit", config_.max_message_size}});
                reply(552, "5.3.4", "Message size exceeds fixed maximum message size");
                return;
            }
        } else if (key == "BODY") {
            if (!iequals(value, "7BIT") && !iequals(value, "8BITMIME")) {
                reply(501, "5.5.4", "BODY must be 7BIT or 8BITMIME");
                return;
            }
        } else if (key == "AUTH") {
            // RFC 4954 5: the AUTH= parameter of MAIL is informational; accepted and ignored.
        } else {
            reply(555, "5.5.4", fmt::format("MAIL parameter {} not recognized", key));
            return;
        }
    }
    mail_from_ = path.address;
    reply(250, "2.1.0", "Sender OK");
    enter_state(server_state::mail, "MAIL FROM accepted");
}

void server_session::on_rcpt(std::string_view args) {
    auto parsed = parse_path(args, "RCPT", "TO");
    if (!parsed) return;
    auto& path = *parsed;
    if (!path.params.empty()) {
        reply(555, "5.5.4", fmt::format("RCPT parameter {} not recognized", path.params[0].first));
        return;
    }
    if (path.address.empty() ||
        (path.address.find('@') != std::string::npos && !plausible_mailbox(path.address))) {
        reply(501, "5.1.3", fmt::format("Bad recipient address syntax: <{}>", path.address));
        return;
    }
    if (recipients_.size() >= config_.limits.max_recipients) {
        reply(452, "4.5.3", "Too many recipients");
        return;
    }
    recipient_check check = host_.check_recipient(path.address, auth_user_.has_value());
    switch (check.verdict) {
        case recipient_verdict::unknown_user:
            reply(550, "5.1.1",
                  fmt::format("<{}>: Recipient address rejected: User unknown", path.address));
            return;
        case recipient_verdict::relay_denied:
            note("smtp.note.relay_denied",
                 fmt::format("<{}> is in another domain and the client has not authenticated: "
                             "no open relay",
                             path.address),
                 {{"domain", domain_of(path.address)}});
            reply(554, "5.7.1", fmt::format("<{}>: Relay access denied", path.address));
            return;
        case recipient_verdict::relay:
        case recipient_verdict::local: break;
    }
    if (check.domain_added)
        note("smtp.note.address_without_domain",
             fmt::format("recipient \"{}\" has no @domain; resolved to {}", path.address,
                         check.resolved),
             {{"address", path.address}, {"resolved", check.resolved}});
    // The same mailbox twice gets one copy, as real servers do (RFC 5321 3.3 leaves it open).
    if (std::find(recipients_.begin(), recipients_.end(), check.resolved) == recipients_.end())
        recipients_.push_back(check.resolved);
    reply(250, "2.1.5", "Recipient OK");
    enter_state(server_state::rcpt, "RCPT TO accepted");
}

void server_session::on_data(std::string_view /*args*/) {
    message_.clear();
    wire_.clear();
    data_at_line_start_ = true;
    data_line_length_ = 0;
    data_lines_ = 0;
    data_dot_stuffed_ = 0;
    data_oversize_ = false;
    data_in_header_ = true;
    data_header_fields_ = 0;
    data_too_many_fields_ = false;
    data_noted_8bit_header_ = data_noted_no_blank_ = data_noted_long_line_ = false;
    reply(354, "", "End data with <CR><LF>.<CR><LF>");
    holding_data_notes_ = true;
    enter_state(server_state::data, "DATA accepted");
}

void server_session::on_rset(std::string_view /*args*/) {
    reset_transaction();
    reply(250, "2.0.0", "Reset OK");
    enter_state(helo_given_ ? server_state::ready : server_state::wait_helo, "RSET");
}

void server_session::on_noop(std::string_view /*args*/) { reply(250, "2.0.0", "OK"); }

void server_session::on_quit(std::string_view /*args*/) {
    reply(221, "2.0.0", fmt::format("{} closing connection", config_.hostname));
    want_close_ = true;
    enter_state(server_state::closed, "QUIT");
}

void server_session::on_vrfy(std::string_view /*args*/) {
    // RFC 5321 3.5.3: 252 is the honest answer of a server that will not confirm users.
    reply(252, "2.5.2", "Cannot VRFY user, but will accept message and attempt delivery");
}

void server_session::on_help(std::string_view /*args*/) {
    reply_lines(214, {"2.0.0 Commands supported:",
                      "2.0.0 HELO EHLO MAIL RCPT DATA RSET NOOP QUIT VRFY HELP AUTH STARTTLS",
                      "2.0.0 See RFC 5321"});
}

void server_session::on_starttls(std::string_view args) {
    if (!esmtp_) {
        reply(503, "5.5.1", "Bad sequence of commands: STARTTLS is an extension, send EHLO first");
        return;
    }
    if (!args.empty()) {
        reply(501, "5.5.4", "Syntax: STARTTLS (no parameters)");
        return;
    }
    if (tls_active_) {
        reply(503, "5.5.1", "TLS already active");
        return;
    }
    if (!config_.tls_available) {
        reply(454, "4.7.0", "TLS not available");
        return;
    }
    reply(220, "2.0.0", "Ready to start TLS");
    if (!in_.empty()) {
        note("smtp.note.starttls_discarded",
             fmt::format("{} bytes pipelined after STARTTLS were discarded", in_.size()),
             {{"bytes", in_.size()}});
        in_.clear();
    }
    want_tls_ = true;
    enter_state(server_state::tls_handshake, "STARTTLS accepted");
}

void server_session::on_not_offered(std::string_view /*args*/) {
    reply(502, "5.5.1", "Command not implemented");
}

}  // namespace maillab::smtp
