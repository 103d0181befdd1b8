// SMTP AUTH (RFC 4954) with the PLAIN (RFC 4616) and LOGIN mechanisms. Every base64 line is
// shown decoded in a note: students must see that base64 hides nothing.

#include <fmt/format.h>

#include "sim/core/bytes.hpp"
#include "sim/smtp/reply.hpp"
#include "sim/smtp/server_session.hpp"
#include "sim/smtp/trace_events.hpp"

namespace maillab::smtp {
namespace {
constexpr std::string_view login_user_prompt = "VXNlcm5hbWU6";  // base64("Username:")
constexpr std::string_view login_pass_prompt = "UGFzc3dvcmQ6";  // base64("Password:")
}  // namespace

void server_session::decoded_auth_note(nlohmann::json decoded) {
    std::string text = auth_decoded_text(auth_mechanism_, decoded);
    note("smtp.note.auth_decoded", text,
         {{"mechanism", auth_mechanism_}, {"decoded", std::move(decoded)}});
}

void server_session::on_auth(std::string_view args) {
    if (!esmtp_) {
        reply(503, "5.5.1", "Bad sequence of commands: AUTH is an extension, send EHLO first");
        return;
    }
    if (auth_user_) {
        reply(503, "5.5.1", "Already authenticated");
        return;
    }
    auto space = args.find(' ');
    auth_mechanism_ = to_upper(args.substr(0, space));
    std::string_view initial =
        space == std::string_view::npos ? std::string_view() : trim(args.substr(space + 1));
    if (auth_mechanism_.empty()) {
        reply(501, "5.5.4", "Syntax: AUTH mechanism [initial-response]");
        return;
    }
    if (auth_mechanism_ != "PLAIN" && auth_mechanism_ != "LOGIN") {
        reply(504, "5.5.4", fmt::format("Unrecognized authentication type {}", auth_mechanism_));
        return;
    }
    if (!tls_active_)
        note("smtp.note.auth_in_clear",
             "AUTH before TLS: the credentials cross the network readable by anyone on the path");
    auth_step_ = 0;
    auth_login_user_.clear();
    if (initial.empty()) {
        bool plain = auth_mechanism_ == "PLAIN";
        reply(334, "", plain ? "" : login_user_prompt);
        auth_step_ = 1;
        enter_state(server_state::auth, fmt::format("AUTH {} started", auth_mechanism_));
        return;
    }
    // RFC 4954 4: "=" stands for an empty initial response.
    handle_auth_line(std::string(), initial == "=" ? std::string_view() : initial);
}

void server_session::handle_auth_line(std::string_view raw, std::string_view line) {
    if (!raw.empty())
        current_command_ = tracer_.incoming(auth_response_event(line, raw, auth_mechanism_));
    auto back_to_ready = [&](std::string_view reason) {
        enter_state(server_state::ready, reason);
    };
    if (line == "*") {
        reply(501, "5.0.0", "Authentication cancelled");
        back_to_ready("AUTH cancelled");
        return;
    }
    auto decoded = base64_decode(trim(line));
    if (!decoded) {
        reply(501, "5.5.2", "Cannot decode the base64 response");
        back_to_ready("AUTH failed");
        return;
    }
    if (auth_mechanism_ == "PLAIN") {
        // RFC 4616 2: authzid NUL authcid NUL passwd
        auto first = decoded->find('\0');
        auto second = first == std::string::npos ? std::string::npos : decoded->find('\0', first + 1);
        if (second == std::string::npos) {
            decoded_auth_note({{"response", *decoded}});
            reply(501, "5.5.2", "PLAIN response must be authzid NUL user NUL password");
            back_to_ready("AUTH failed");
            return;
        }
        std::string authzid = decoded->substr(0, first);
        std::string user = decoded->substr(first + 1, second - first - 1);
        std::string password = decoded->substr(second + 1);
        decoded_auth_note({{"authzid", authzid}, {"user", user}, {"password", password}});
        if (!authzid.empty() && authzid != user) {
            reply(535, "5.7.8", "Authentication credentials invalid (cannot act as another user)");
            back_to_ready("AUTH failed");
            count_auth_failure();
            return;
        }
        finish_auth(user, password);
        return;
    }
    // LOGIN: username then password, each in answer to a prompt.
    if (auth_login_user_.empty() && auth_step_ <= 1) {
        decoded_auth_note({{"user", *decoded}});
        auth_login_user_ = *decoded;
        auth_step_ = 2;
        reply(334, "", login_pass_prompt);
        enter_state(server_state::auth, "AUTH LOGIN username received");
        return;
    }
    decoded_auth_note({{"password", *decoded}});
    finish_auth(auth_login_user_, *decoded);
}

// A password guesser gets a slower answer each time, and the door after a few tries.
void server_session::count_auth_failure() {
    auto verdict = auth_failures_.record_failure();
    output_delay_ms_ = verdict.delay_ms;
    if (!verdict.close) return;
    note("smtp.note.too_many_auth_failures",
         fmt::format("{} failed logins on this connection: the server closes it",
                     auth_failures_.failures()),
         {{"failures", auth_failures_.failures()}});
    close_with_421("4.7.0", "Too many failed authentication attempts, closing connection",
                   "too many failed logins");
}

void server_session::finish_auth(std::string_view user, std::string_view password) {
    auto canonical = host_.authenticate(user, password);
    if (!canonical) {
        reply(535, "5.7.8", "Authentication credentials invalid");
        enter_state(server_state::ready, "AUTH failed");
        count_auth_failure();
        return;
    }
    auth_user_ = *canonical;
    reply(235, "2.7.0", "Authentication successful");
    enter_state(server_state::ready, fmt::format("AUTH succeeded as {}", *canonical));
}

}  // namespace maillab::smtp
