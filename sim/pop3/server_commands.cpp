// The POP3 command table and one handler per command (RFC 1939 5-7, RFC 2449 CAPA,
// RFC 2595 STLS, RFC 5034 AUTH with PLAIN per RFC 4616).

#include <array>
#include <charconv>
#include <cstring>

#include <fmt/format.h>

#include "sim/core/bytes.hpp"
#include "sim/mime/header_lookup.hpp"
#include "sim/pop3/server_session.hpp"
#include "sim/pop3/trace_events.hpp"

namespace maillab::pop3 {
namespace {
constexpr std::uint32_t bit(server_state s) { return 1u << static_cast<unsigned>(s); }
constexpr std::uint32_t in_auth = bit(server_state::authorization);
constexpr std::uint32_t in_trans = bit(server_state::transaction);
constexpr std::string_view login_first = "log in first (USER and PASS, APOP or AUTH)";
constexpr std::string_view already_in = "you are already logged in";

std::optional<std::size_t> parse_number(std::string_view s) {
    std::size_t n = 0;
    if (s.empty()) return std::nullopt;
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
    if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
    return n;
}
}  // namespace

std::span<const server_session::command_spec> server_session::command_table() {
    using s = server_session;
    static const std::array<command_spec, 15> table{{
        {"USER", in_auth, &s::on_user, already_in},
        {"PASS", in_auth, &s::on_pass, already_in},
        {"APOP", in_auth, &s::on_apop, already_in},
        {"AUTH", in_auth, &s::on_auth, already_in},
        {"STLS", in_auth, &s::on_stls, "STLS is only allowed before logging in (RFC 2595 4)"},
        {"CAPA", in_auth | in_trans, &s::on_capa, ""},
        {"QUIT", in_auth | in_trans, &s::on_quit, ""},
        {"NOOP", in_trans, &s::on_noop, login_first},
        {"STAT", in_trans, &s::on_stat, login_first},
        {"LIST", in_trans, &s::on_list, login_first},
        {"RETR", in_trans, &s::on_retr, login_first},
        {"TOP", in_trans, &s::on_top, login_first},
        {"DELE", in_trans, &s::on_dele, login_first},
        {"RSET", in_trans, &s::on_rset, login_first},
        {"UIDL", in_trans, &s::on_uidl, login_first},
    }};
    return table;
}

void server_session::login(const std::string& user, std::string_view how) {
    if (!host_.lock(user)) {
        note("pop3.note.maildrop_locked",
             fmt::format("{}'s maildrop is locked by another session", user), {{"user", user}});
        err("[IN-USE] maildrop already locked by another session");
        return;
    }
    logged_in_ = user;
    holds_lock_ = true;
    messages_.clear();
    std::size_t total = 0;
    for (auto& m : host_.list(user)) {
        total += m.size;
        messages_.push_back({m.uid, m.size, std::move(m.unique_id), false});
    }
    note("pop3.note.snapshot",
         fmt::format("maildrop fixed for this session: {} message(s), {} octets", messages_.size(),
                     total),
         {{"count", messages_.size()}, {"size", total}});
    ok(fmt::format("{} has {} message(s) ({} octets)", user, messages_.size(), total));
    enter_state(server_state::transaction, fmt::format("{} accepted", how));
}

void server_session::on_user(std::string_view args) {
    if (args.empty()) return err("USER needs a name: USER bob");
    user_ = std::string(args);
    // RFC 1939 7 allows -ERR for an unknown name; answering +OK tells an attacker nothing.
    ok(fmt::format("send PASS for {}", user_));
}

void server_session::on_pass(std::string_view args) {
    if (user_.empty()) return err("send USER first");
    if (!tls_active_)
        note("pop3.note.password_in_clear",
             fmt::format("PASS sends {}'s password as plain text", user_), {{"user", user_}});
    auto canonical = host_.authenticate(user_, args);
    user_.clear();
    if (!canonical) {
        err("[AUTH] invalid user name or password");
        return count_auth_failure();
    }
    login(*canonical, "PASS");
}

void server_session::on_apop(std::string_view args) {
    auto space = args.find(' ');
    if (space == std::string_view::npos) return err("syntax: APOP name digest");
    std::string_view name = args.substr(0, space);
    std::string_view digest = trim(args.substr(space + 1));
    note("pop3.note.apop_digest",
         fmt::format("APOP digest = MD5(\"{}\" + password); the password itself is not sent",
                     timestamp_),
         {{"timestamp", timestamp_}});
    auto canonical = host_.authenticate_apop(name, timestamp_, digest);
    if (!canonical) {
        err("[AUTH] invalid user name or digest");
        return count_auth_failure();
    }
    login(*canonical, "APOP");
}

void server_session::on_auth(std::string_view args) {
    if (args.empty()) return err("syntax: AUTH mechanism (this server offers PLAIN)");
    auto space = args.find(' ');
    std::string mechanism = to_upper(args.substr(0, space));
    if (mechanism != "PLAIN") return err(fmt::format("unsupported mechanism {}", mechanism));
    std::string_view initial =
        space == std::string_view::npos ? std::string_view() : trim(args.substr(space + 1));
    if (!tls_active_)
        note("pop3.note.password_in_clear",
             "AUTH PLAIN sends the password base64-encoded, which is readable, without TLS",
             {{"user", "(in the AUTH data)"}});
    if (initial.empty()) {
        awaiting_auth_response_ = true;
        send_response("+ \r\n", true, "+ (send the base64 PLAIN response)", {{"continuation", true}});
        return;
    }
    handle_auth_line({}, initial == "=" ? std::string_view() : initial);
}

void server_session::handle_auth_line(std::string_view raw, std::string_view line) {
    awaiting_auth_response_ = false;
    if (!raw.empty()) current_command_ = tracer_.incoming(auth_response_event(line, raw, "PLAIN"));
    if (line == "*") return err("AUTH cancelled");
    auto decoded = base64_decode(trim(line));
    if (!decoded) return err("cannot decode the base64 response");
    auto first = decoded->find('\0');
    auto second = first == std::string::npos ? std::string::npos : decoded->find('\0', first + 1);
    if (second == std::string::npos) return err("PLAIN response must be authzid NUL user NUL password");
    std::string user = decoded->substr(first + 1, second - first - 1);
    std::string password = decoded->substr(second + 1);
    note("pop3.note.auth_decoded",
         fmt::format("PLAIN data decoded from base64: user=\"{}\" password=\"{}\"",
                     visible_bytes(user), visible_bytes(password)),
         {{"mechanism", "PLAIN"}, {"decoded", {{"user", user}, {"password", password}}}});
    auto canonical = host_.authenticate(user, password);
    if (!canonical) {
        err("[AUTH] authentication failed");
        return count_auth_failure();
    }
    login(*canonical, "AUTH PLAIN");
}

server_session::listed_message* server_session::message_arg(std::string_view arg) {
    auto n = parse_number(arg);
    if (!n || *n == 0) {
        err(fmt::format("\"{}\" is not a message number", arg));
        return nullptr;
    }
    if (*n > messages_.size()) {
        err(fmt::format("no such message, only {} message(s) in maildrop", messages_.size()));
        return nullptr;
    }
    listed_message& m = messages_[*n - 1];
    if (m.deleted) {
        err(fmt::format("message {} already deleted", *n));
        return nullptr;
    }
    return &m;
}

void server_session::on_stat(std::string_view args) {
    if (!args.empty()) return err("STAT takes no argument");
    std::size_t count = 0, size = 0;
    for (const auto& m : messages_)
        if (!m.deleted) {
            ++count;
            size += m.size;
        }
    ok(fmt::format("{} {}", count, size));
}

void server_session::on_list(std::string_view args) {
    if (!args.empty()) {
        listed_message* m = message_arg(args);
        if (m) ok(fmt::format("{} {}", m - messages_.data() + 1, m->size));
        return;
    }
    std::string body;
    std::size_t count = 0, size = 0;
    for (std::size_t i = 0; i < messages_.size(); ++i) {
        if (messages_[i].deleted) continue;
        ++count;
        size += messages_[i].size;
        body += fmt::format("{} {}\r\n", i + 1, messages_[i].size);
    }
    multiline(fmt::format("{} message(s) ({} octets)", count, size), body);
}

void server_session::on_uidl(std::string_view args) {
    if (!noted_uidl_) {
        noted_uidl_ = true;
        note("pop3.note.uidl_stable",
             "UIDL ids stay the same across sessions and restarts: a client can tell which "
             "messages it already has");
    }
    if (!args.empty()) {
        listed_message* m = message_arg(args);
        if (m) ok(fmt::format("{} {}", m - messages_.data() + 1, m->unique_id));
        return;
    }
    std::string body;
    for (std::size_t i = 0; i < messages_.size(); ++i)
        if (!messages_[i].deleted) body += fmt::format("{} {}\r\n", i + 1, messages_[i].unique_id);
    multiline("unique-id listing follows", body);
}

// RFC 1939 3: CRLF line ends, and a line starting with "." gets another one.
std::string server_session::wire_body(std::string_view message, std::size_t* stuffed) {
    std::string out;
    out.reserve(message.size() + message.size() / 50 + 2);
    bool line_start = true;
    bool bare_lf = false;
    *stuffed = 0;
    // Line by line (memchr to each LF, the line copied whole): every RETR runs through here,
    // and a byte at a time it was a quarter of a POP3 server's time under load.
    std::size_t from = 0;
    while (from < message.size()) {
        if (message[from] == '.') {  // RFC 1939 3: a line starting with "." gets another
            out += '.';
            ++*stuffed;
        }
        const void* hit = std::memchr(message.data() + from, '\n', message.size() - from);
        if (!hit) {
            out.append(message.substr(from));
            line_start = false;
            break;
        }
        std::size_t lf = static_cast<std::size_t>(static_cast<const char*>(hit) - message.data());
        out.append(message.substr(from, lf - from));
        if (lf == 0 || message[lf - 1] != '\r') {
            out += '\r';
            bare_lf = true;
        }
        out += '\n';
        line_start = true;
        from = lf + 1;
    }
    if (!line_start) out += "\r\n";
    if (bare_lf)
        note("pop3.note.bare_lf_in_message",
             "the stored message has bare LF line ends; they are sent as CRLF");
    return out;
}

void server_session::on_retr(std::string_view args) {
    listed_message* m = message_arg(args);
    if (!m) return;
    auto bytes = host_.message(logged_in_, m->uid);
    if (!bytes) return err("[SYS/TEMP] message is no longer in the store");
    std::size_t stuffed = 0;
    std::string body = wire_body(*bytes, &stuffed);
    if (stuffed)
        note("pop3.note.dot_stuffing",
             fmt::format("{} line(s) starting with \".\" sent as \"..\"", stuffed),
             {{"count", stuffed}});
    multiline(fmt::format("{} octets", m->size), body,
              {{"uid", m->uid}, {"octets", m->size}, {"message_id", mime::message_id_of(*bytes)}});
}

void server_session::on_top(std::string_view args) {
    auto space = args.find(' ');
    if (space == std::string_view::npos) return err("syntax: TOP msg n");
    auto lines = parse_number(trim(args.substr(space + 1)));
    if (!lines) return err("syntax: TOP msg n (n is a number of body lines)");
    listed_message* m = message_arg(args.substr(0, space));
    if (!m) return;
    auto bytes = host_.message(logged_in_, m->uid);
    if (!bytes) return err("[SYS/TEMP] message is no longer in the store");
    // The header, the empty line, then the first n lines of the body (RFC 1939 7).
    std::string_view text = *bytes;
    std::size_t pos = 0;
    bool in_header = true;
    std::size_t body_lines = 0;
    while (pos < text.size()) {
        auto lf = text.find('\n', pos);
        std::size_t end = lf == std::string_view::npos ? text.size() : lf + 1;
        std::string_view line = text.substr(pos, end - pos);
        if (!in_header) {
            if (body_lines == *lines) break;
            ++body_lines;
        } else if (line == "\r\n" || line == "\n") {
            in_header = false;
        }
        pos = end;
    }
    std::size_t stuffed = 0;
    std::string body = wire_body(text.substr(0, pos), &stuffed);
    if (stuffed)
        note("pop3.note.dot_stuffing",
             fmt::format("{} line(s) starting with \".\" sent as \"..\"", stuffed),
             {{"count", stuffed}});
    multiline(fmt::format("top of message follows ({} body line(s))", body_lines), body,
              {{"uid", m->uid}});
}

void server_session::on_dele(std::string_view args) {
    listed_message* m = message_arg(args);
    if (!m) return;
    m->deleted = true;
    std::size_t number = static_cast<std::size_t>(m - messages_.data()) + 1;
    note("pop3.note.marked_deleted",
         fmt::format("message {} is only marked; it is removed at QUIT (UPDATE state)", number),
         {{"msg", number}});
    ok(fmt::format("message {} marked for deletion", number));
}

void server_session::on_rset(std::string_view args) {
    if (!args.empty()) return err("RSET takes no argument");
    std::size_t unmarked = 0;
    for (auto& m : messages_) {
        unmarked += m.deleted;
        m.deleted = false;
    }
    ok(fmt::format("{} message(s) unmarked; maildrop has {} message(s)", unmarked,
                   messages_.size()));
}

void server_session::on_noop(std::string_view) { ok(""); }

void server_session::on_quit(std::string_view) {
    if (state_ == server_state::authorization) {
        ok("maillab POP3 server signing off");
        want_close_ = true;
        enter_state(server_state::closed, "QUIT before login");
        return;
    }
    enter_state(server_state::update, "QUIT received");
    std::vector<std::uint32_t> marked;
    std::vector<std::size_t> numbers;
    for (std::size_t i = 0; i < messages_.size(); ++i)
        if (messages_[i].deleted) {
            marked.push_back(messages_[i].uid);
            numbers.push_back(i + 1);
        }
    // A message whose file could not be removed stays; it is missing from `removed`.
    std::vector<std::uint32_t> removed = host_.remove(logged_in_, marked, tracer_, current_command_);
    std::string list;
    for (auto n : numbers) list += (list.empty() ? "" : ", ") + std::to_string(n);
    note("pop3.note.deletions_applied",
         fmt::format("UPDATE: {} message(s) removed{}{}", removed.size(), list.empty() ? "" : ": ",
                     list),
         {{"count", removed.size()}, {"numbers", list.empty() ? "none" : list}});
    release_lock();
    if (removed.size() != marked.size())
        err("[SYS/TEMP] some deleted messages not removed");
    else
        ok(fmt::format("maillab POP3 server signing off ({} message(s) deleted)", removed.size()));
    want_close_ = true;
    enter_state(server_state::closed, "UPDATE done");
}

void server_session::on_capa(std::string_view) {
    std::string body = "TOP\r\nUIDL\r\nUSER\r\nSASL PLAIN\r\nRESP-CODES\r\nAUTH-RESP-CODE\r\n"
                       "PIPELINING\r\nEXPIRE NEVER\r\nLOGIN-DELAY 0\r\n";
    if (config_.tls_available && !tls_active_ && state_ == server_state::authorization)
        body += "STLS\r\n";
    body += "IMPLEMENTATION maillab\r\n";
    multiline("capability list follows", body);
}

void server_session::on_stls(std::string_view args) {
    if (!args.empty()) return err("STLS takes no argument");
    if (tls_active_) return err("TLS already active");
    if (!config_.tls_available) return err("TLS not available");
    ok("begin TLS negotiation");
    if (!in_.empty()) {
        note("pop3.note.stls_discarded",
             fmt::format("{} bytes pipelined after STLS were discarded", in_.size()),
             {{"bytes", in_.size()}});
        in_.clear();
    }
    want_tls_ = true;
    enter_state(server_state::tls_handshake, "STLS accepted");
}

}  // namespace maillab::pop3
