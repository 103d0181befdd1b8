// IMAP client session: theory of operation.
//
// Responses are read line by line; a line that ends in "{n}" is followed by n octets of literal
// and then more of the same line, which next_response() folds into one string. Untagged data
// updates the result (EXISTS, UIDVALIDITY, FETCH); the tagged reply of the one command in flight
// moves the job on: greeting -> [STARTTLS] -> LOGIN -> SELECT -> UID FETCH headers -> UID FETCH
// sections -> UID STORE -> [IDLE until EXISTS, DONE] -> LOGOUT.

#include "sim/imap/client_session.hpp"

#include <algorithm>
#include <cstdio>

#include <fmt/format.h>

#include "sim/core/bytes.hpp"

namespace maillab::imap {

std::string_view to_string(client_state s) {
    switch (s) {
        case client_state::connecting: return "CONNECTING";
        case client_state::greeting: return "GREETING";
        case client_state::starttls: return "STARTTLS";
        case client_state::tls_handshake: return "TLS_HANDSHAKE";
        case client_state::login: return "LOGIN";
        case client_state::select: return "SELECT";
        case client_state::fetch: return "FETCH";
        case client_state::store: return "STORE";
        case client_state::expunge: return "EXPUNGE";
        case client_state::idle: return "IDLE";
        case client_state::logout: return "LOGOUT";
        case client_state::done: return "DONE";
        case client_state::failed: return "FAILED";
    }
    return "?";
}

client_session::client_session(client_job job, connection_tracer& tracer)
    : job_(std::move(job)), tracer_(tracer) {}

void client_session::start() { enter_state(client_state::greeting, "connected; waiting for * OK"); }

std::optional<std::string> client_session::next_response() {
    std::size_t pos = 0;
    std::string line;
    for (;;) {
        auto lf = in_.find('\n', pos);
        if (lf == std::string::npos) return std::nullopt;
        std::string piece = in_.substr(pos, lf + 1 - pos);
        pos = lf + 1;
        std::string bare = piece;
        while (!bare.empty() && (bare.back() == '\n' || bare.back() == '\r')) bare.pop_back();
        std::size_t size = 0;
        auto open = bare.rfind('{');
        if (!bare.empty() && bare.back() == '}' && open != std::string::npos &&
            std::sscanf(bare.c_str() + open, "{%zu}", &size) == 1) {
            if (in_.size() < pos + size) return std::nullopt;
            line += bare + "\r\n" + in_.substr(pos, size);
            pos += size;
            continue;
        }
        line += bare;
        in_.erase(0, pos);
        return line;
    }
}

void client_session::receive(std::string_view bytes) {
    in_.append(bytes);
    while (!finished() && !want_tls_) {
        auto r = next_response();
        if (!r) return;
        const std::string& line = *r;
        if (line.rfind("* ", 0) == 0) {
            on_untagged(line.substr(2));
            if (state_ == client_state::greeting) {
                if (line.rfind("* OK", 0) != 0) return fail("greeting was not OK: " + line);
                if (job_.use_starttls && !tls_active_) send("STARTTLS", client_state::starttls, "asking for TLS");
                else send(fmt::format("LOGIN \"{}\" \"{}\"", job_.user, job_.password), client_state::login, "greeting received");
            }
            continue;
        }
        if (line.rfind("+", 0) == 0) continue;  // continuations: this client sends no literals
        auto space = line.find(' ');
        std::string tag = line.substr(0, space);
        if (tag != waiting_tag_) continue;
        std::string rest = space == std::string::npos ? "" : line.substr(space + 1);
        auto space2 = rest.find(' ');
        on_tagged(rest.substr(0, space2), space2 == std::string::npos ? "" : rest.substr(space2 + 1));
    }
}

client_message& client_session::message(std::uint32_t uid) {
    auto it = std::find_if(result_.messages.begin(), result_.messages.end(),
                           [&](const client_message& m) { return m.uid == uid; });
    if (it != result_.messages.end()) return *it;
    result_.messages.push_back({uid, {}, {}, {}});
    std::sort(result_.messages.begin(), result_.messages.end(),
              [](const client_message& a, const client_message& b) { return a.uid < b.uid; });
    return message(uid);
}

void client_session::on_untagged(const std::string& line) {
    unsigned n = 0, v = 0;
    if (std::sscanf(line.c_str(), "%u EXISTS", &n) == 1 && line.find("EXISTS") != std::string::npos) {
        if (state_ == client_state::idle && n > result_.exists) {
            result_.new_mail_seen = true;
            out_ += "DONE\r\n";  // RFC 2177: end IDLE, then the tagged OK arrives
        }
        result_.exists = n;
        return;
    }
    if (std::sscanf(line.c_str(), "OK [UIDVALIDITY %u]", &v) == 1) {
        result_.uid_validity = v;
        return;
    }
    if (line.find(" FETCH (") == std::string::npos) return;
    auto uid_at = line.find("UID ");
    if (uid_at == std::string::npos) return;
    std::uint32_t uid = static_cast<std::uint32_t>(std::strtoul(line.c_str() + uid_at + 4, nullptr, 10));
    client_message& m = message(uid);
    auto flags_at = line.find("FLAGS (");
    if (flags_at != std::string::npos) {
        auto close = line.find(')', flags_at);
        std::string list = line.substr(flags_at + 7, close - flags_at - 7);
        m.flags.clear();
        std::size_t p = 0;
        while (p < list.size()) {
            auto sp = list.find(' ', p);
            std::string f = list.substr(p, sp == std::string::npos ? std::string::npos : sp - p);
            if (!f.empty()) m.flags.insert(f);
            if (sp == std::string::npos) break;
            p = sp + 1;
        }
    }
    // BODY[section] {n}\r\n<bytes>
    for (std::size_t at = line.find("BODY["); at != std::string::npos; at = line.find("BODY[", at + 1)) {
        auto close = line.find(']', at);
        auto brace = line.find('{', close);
        if (close == std::string::npos || brace == std::string::npos) break;
        std::size_t size = 0;
        if (std::sscanf(line.c_str() + brace, "{%zu}", &size) != 1) continue;
        auto data = line.find("\r\n", brace);
        if (data == std::string::npos) continue;
        std::string section = line.substr(at + 5, close - at - 5);
        std::string bytes = line.substr(data + 2, size);
        if (section == "HEADER") m.header = bytes;
        else m.sections[section] = bytes;
        at = data + 2 + size - 1;
    }
}

void client_session::send(const std::string& command, client_state next, std::string_view reason) {
    waiting_tag_ = fmt::format("a{}", next_tag_++);
    out_ += waiting_tag_ + " " + command + "\r\n";
    enter_state(next, reason);
}

void client_session::on_tagged(const std::string& status, const std::string& text) {
    bool ok = status == "OK";
    switch (state_) {
        case client_state::starttls:
            if (!ok) return fail("STARTTLS refused: " + text);
            want_tls_ = true;
            enter_state(client_state::tls_handshake, "OK to STARTTLS");
            return;
        case client_state::login:
            if (!ok) return fail("login refused: " + text);
            return send(fmt::format("SELECT \"{}\"", job_.mailbox), client_state::select, "logged in");
        case client_state::select:
            if (!ok) return fail("SELECT refused: " + text);
            if (result_.exists == 0) return next_step();
            return send("UID FETCH 1:* (UID FLAGS BODY.PEEK[HEADER])", client_state::fetch,
                        fmt::format("{} message(s): fetching their headers only", result_.exists));
        case client_state::fetch:
        case client_state::store:
        case client_state::expunge:
            if (!ok) return fail(fmt::format("{} refused: {}", to_string(state_), text));
            return next_step();
        case client_state::idle:
            if (!ok) return fail("IDLE refused: " + text);
            return next_step();
        case client_state::logout:
            result_.completed = ok;
            want_close_ = true;
            enter_state(client_state::done, "LOGOUT completed");
            return;
        default: return;
    }
}

// The next of: section fetches, flag changes, IDLE, LOGOUT.
void client_session::next_step() {
    if (section_index_ < job_.fetch_sections.size()) {
        const auto& [uid, section] = job_.fetch_sections[section_index_++];
        return send(fmt::format("UID FETCH {} (UID BODY.PEEK[{}])", uid, section), client_state::fetch,
                    fmt::format("fetching only part {} of message {}", section, uid));
    }
    if (flag_index_ < job_.add_flags.size()) {
        const auto& [uid, flag] = job_.add_flags[flag_index_++];
        return send(fmt::format("UID STORE {} +FLAGS ({})", uid, flag), client_state::store,
                    fmt::format("setting {} on message {}", flag, uid));
    }
    if (job_.expunge && !expunge_sent_) {
        expunge_sent_ = true;
        return send("EXPUNGE", client_state::expunge,
                    "removing the messages marked \\Deleted for good");
    }
    if (job_.idle_until_new_mail && !idle_sent_) {
        idle_sent_ = true;
        return send("IDLE", client_state::idle, "waiting for new mail to be pushed");
    }
    send("LOGOUT", client_state::logout, "all done");
}

void client_session::fail(std::string why) {
    result_.error = std::move(why);
    if (state_ != client_state::greeting && state_ != client_state::tls_handshake)
        out_ += fmt::format("a{} LOGOUT\r\n", next_tag_++);
    want_close_ = true;
    enter_state(client_state::failed, result_.error);
}

void client_session::tls_established(const tls_info& info) {
    if (state_ != client_state::tls_handshake) return;
    want_tls_ = false;
    tls_active_ = true;
    send(fmt::format("LOGIN \"{}\" \"{}\"", job_.user, job_.password), client_state::login,
         fmt::format("TLS established ({})", info.version));
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
    tracer_.state("imap.client", to_string(previous), to_string(next), reason, std::nullopt);
}

}  // namespace maillab::imap
