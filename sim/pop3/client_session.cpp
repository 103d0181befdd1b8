// POP3 client session: theory of operation.
//
// One command in flight at a time; `expect_multiline_` says whether its positive response
// continues until a "." line (RFC 1939 3), whose leading dots are then removed. The flow:
// greeting (+OK with an APOP timestamp) -> [CAPA, STLS, handshake] -> USER/PASS, APOP or
// AUTH PLAIN -> STAT -> LIST -> UIDL -> RETR (and DELE) for each message whose UIDL was not seen
// before -> QUIT. Any -ERR ends the job with QUIT.

#include "sim/pop3/client_session.hpp"

#include <fmt/format.h>

#include "sim/core/bytes.hpp"
#include "sim/pop3/maildrop_host.hpp"

namespace maillab::pop3 {

std::string_view to_string(client_state s) {
    switch (s) {
        case client_state::connecting: return "CONNECTING";
        case client_state::greeting: return "GREETING";
        case client_state::capa: return "CAPA";
        case client_state::stls: return "STLS";
        case client_state::tls_handshake: return "TLS_HANDSHAKE";
        case client_state::user: return "USER";
        case client_state::pass: return "PASS";
        case client_state::apop: return "APOP";
        case client_state::auth: return "AUTH";
        case client_state::stat: return "STAT";
        case client_state::list: return "LIST";
        case client_state::uidl: return "UIDL";
        case client_state::retr: return "RETR";
        case client_state::dele: return "DELE";
        case client_state::quit: return "QUIT";
        case client_state::done: return "DONE";
        case client_state::failed: return "FAILED";
    }
    return "?";
}

client_session::client_session(client_job job, connection_tracer& tracer)
    : job_(std::move(job)), tracer_(tracer) {}

void client_session::start() { enter_state(client_state::greeting, "connected; waiting for +OK"); }

void client_session::receive(std::string_view bytes) {
    reader_.feed(bytes);
    while (!finished() && !want_tls_) {
        auto r = reader_.next(expect_multiline_);
        if (!r) return;
        on_response(*r);
    }
}

void client_session::send(std::string command, client_state next, bool multiline,
                          std::string_view reason) {
    out_ += command + "\r\n";
    expect_multiline_ = multiline;
    enter_state(next, reason);
}

void client_session::login() {
    switch (job_.method) {
        case login_method::apop:
            if (timestamp_.empty()) return fail("the greeting has no APOP timestamp");
            send(fmt::format("APOP {} {}", job_.user, apop_digest(timestamp_, job_.password)),
                 client_state::apop, false, "APOP with the greeting's timestamp");
            return;
        case login_method::auth_plain:
            send("AUTH PLAIN " + base64_encode(std::string("\0", 1) + job_.user +
                                               std::string("\0", 1) + job_.password),
                 client_state::auth, false, "AUTH PLAIN");
            return;
        case login_method::user_pass:
            send("USER " + job_.user, client_state::user, false, "USER");
            return;
    }
}

void client_session::on_response(const response& r) {
    switch (state_) {
        case client_state::connecting:
        case client_state::greeting: {
            if (!r.positive) return fail("greeting was -ERR");
            auto open = r.line.find('<');
            auto close = r.line.find('>', open == std::string::npos ? 0 : open);
            if (open != std::string::npos && close != std::string::npos)
                timestamp_ = r.line.substr(open, close - open + 1);
            if (job_.use_stls && !tls_active_)
                return send("CAPA", client_state::capa, true, "+OK greeting; asking for CAPA");
            return login();
        }
        case client_state::capa: {
            bool offers_stls = r.positive && r.body.find("STLS") != std::string::npos;
            if (offers_stls) return send("STLS", client_state::stls, false, "server offers STLS");
            if (job_.require_tls) return fail("the server does not offer STLS");
            return login();
        }
        case client_state::stls:
            if (!r.positive) {
                if (job_.require_tls) return fail("STLS refused");
                return login();
            }
            want_tls_ = true;
            enter_state(client_state::tls_handshake, "+OK to STLS");
            return;
        case client_state::user:
            if (!r.positive) return fail("USER refused: " + r.line);
            return send("PASS " + job_.password, client_state::pass, false, "USER accepted");
        case client_state::pass:
        case client_state::apop:
        case client_state::auth:
            if (!r.positive) return fail("login refused: " + r.line);
            return send("STAT", client_state::stat, false, "logged in");
        case client_state::stat: {
            if (!r.positive) return fail("STAT refused: " + r.line);
            std::sscanf(r.line.c_str(), "+OK %zu %zu", &result_.maildrop_count,
                        &result_.maildrop_size);
            return send("LIST", client_state::list, true,
                        fmt::format("{} message(s) in the maildrop", result_.maildrop_count));
        }
        case client_state::list: {
            if (!r.positive) return fail("LIST refused: " + r.line);
            std::size_t pos = 0;
            while (pos < r.body.size()) {
                auto lf = r.body.find('\n', pos);
                std::string line = r.body.substr(pos, lf - pos);
                pos = lf == std::string::npos ? r.body.size() : lf + 1;
                std::size_t number = 0, size = 0;
                if (std::sscanf(line.c_str(), "%zu %zu", &number, &size) == 2)
                    sizes_[number] = size;
            }
            return send("UIDL", client_state::uidl, true, "sizes known; asking for unique ids");
        }
        case client_state::uidl: {
            if (!r.positive) return fail("UIDL refused: " + r.line);
            std::size_t pos = 0;
            while (pos < r.body.size()) {
                auto lf = r.body.find('\n', pos);
                std::string line = r.body.substr(pos, lf - pos);
                pos = lf == std::string::npos ? r.body.size() : lf + 1;
                std::size_t number = 0;
                char uid[80] = {0};
                if (std::sscanf(line.c_str(), "%zu %79s", &number, uid) == 2 &&
                    !job_.already_seen.count(uid))
                    to_fetch_.emplace_back(number, uid);
            }
            return fetch_next();
        }
        case client_state::retr:
            if (!r.positive) return fail("RETR refused: " + r.line);
            result_.messages.push_back({to_fetch_[fetch_index_].first,
                                        to_fetch_[fetch_index_].second,
                                        sizes_[to_fetch_[fetch_index_].first], r.body});
            if (job_.delete_after_download)
                return send(fmt::format("DELE {}", to_fetch_[fetch_index_].first),
                            client_state::dele, false, "message downloaded; deleting it");
            ++fetch_index_;
            return fetch_next();
        case client_state::dele:
            if (!r.positive) return fail("DELE refused: " + r.line);
            result_.deleted.push_back(to_fetch_[fetch_index_].first);
            ++fetch_index_;
            return fetch_next();
        case client_state::quit:
            result_.completed = r.positive;
            want_close_ = true;
            enter_state(client_state::done, r.positive ? "+OK to QUIT" : "-ERR to QUIT");
            return;
        case client_state::tls_handshake:
        case client_state::done:
        case client_state::failed: return;
    }
}

void client_session::fetch_next() {
    if (fetch_index_ < to_fetch_.size()) {
        send(fmt::format("RETR {}", to_fetch_[fetch_index_].first), client_state::retr, true,
             fmt::format("downloading message {}", to_fetch_[fetch_index_].first));
        return;
    }
    send("QUIT", client_state::quit, false,
         job_.delete_after_download ? "all downloaded; QUIT applies the deletions"
                                    : "all downloaded; mail left on the server");
}

void client_session::fail(std::string why) {
    result_.error = std::move(why);
    if (state_ != client_state::connecting && state_ != client_state::greeting &&
        state_ != client_state::tls_handshake)
        out_ += "QUIT\r\n";
    want_close_ = true;
    enter_state(client_state::failed, result_.error);
}

void client_session::tls_established(const tls_info& info) {
    if (state_ != client_state::tls_handshake) return;
    want_tls_ = false;
    tls_active_ = true;
    enter_state(client_state::greeting, fmt::format("TLS established ({})", info.version));
    login();
    receive("");
}

void client_session::connection_lost() {
    if (finished()) return;
    result_.error = "connection lost";
    enter_state(client_state::failed, "connection lost");
}

std::string client_session::take_output() {
    std::string out;
    out.swap(out_);
    return out;
}

void client_session::enter_state(client_state next, std::string_view reason) {
    if (next == state_) return;
    client_state previous = state_;
    state_ = next;
    tracer_.state("pop3.client", to_string(previous), to_string(next), reason, std::nullopt);
}

}  // namespace maillab::pop3
