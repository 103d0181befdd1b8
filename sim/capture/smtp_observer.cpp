// SMTP observer: theory of operation.
//
// The client's stream is cut into lines with the server's line reader and split with the
// servers' split_command_line(), so a command looks as it does in a live trace. Each command
// waits in a queue for its reply (RFC 2920 pipelining: replies come in the order of the
// commands). After DATA, STARTTLS and each AUTH line, what the client sends next depends on the
// reply (message text after 354, a TLS handshake after 220, another base64 line after 334), so
// the client's bytes are kept unread until that reply has been seen.
//
// The server's stream goes through smtp::reply_parser, the client's parser. Before each reply
// the state changes it causes are written, then the reply: the order of a live trace, where the
// server decides and then answers.

#include "sim/capture/smtp_observer.hpp"

#include <fmt/format.h>

#include "sim/capture/sasl_decoding.hpp"
#include "sim/core/bytes.hpp"
#include "sim/core/command_line.hpp"
#include "sim/smtp/server_session.hpp"
#include "sim/smtp/trace_events.hpp"

namespace maillab::capture {
namespace {

// Longer than a server allows (1000, RFC 5321 4.5.3.1.4), so an over-long line is still shown
// as the client sent it.
constexpr std::size_t max_observed_line = 64 * 1024;
// The message text kept for the data event; a longer one is counted, not kept.
constexpr std::size_t max_kept_text = 32 * 1024 * 1024;
// A text line without its end yet is taken in pieces past this, so memory stays bounded.
constexpr std::size_t partial_text_line = 64 * 1024;

bool known_verb(std::string_view verb) {
    for (const auto& spec : smtp::server_session::command_table())
        if (spec.verb == verb) return true;
    return false;
}

}  // namespace

smtp_observer::smtp_observer(connection_tracer& tracer, bool from_start)
    : tracer_(tracer), states_(from_start), client_lines_(max_observed_line) {
    greeted_ = !from_start;  // mid-stream: the greeting is long gone
}

void smtp_observer::client_bytes(std::string_view bytes) {
    client_in_.append(client_resync_.take(bytes));
    read_client();
}

void smtp_observer::read_client() {
    while (!client_in_.empty()) {
        if (mode_ == client_mode::waiting) return;
        if (mode_ == client_mode::text) {
            if (!read_text()) return;
            continue;
        }
        line_reader::result got = client_lines_.next(client_in_);
        if (got.type == line_reader::result::kind::none) return;
        if (got.type == line_reader::result::kind::too_long) {
            tracer_.note("capture.note.unparsed",
                         fmt::format("a client line of {} octets is too long to show", got.length),
                         {{"length", got.length}}, std::nullopt);
            awaited_.push_back({smtp_state_follower::answer_to::command, "", std::nullopt});
            continue;
        }
        if (mode_ == client_mode::auth_line) auth_line(got);
        else command_line(got);
    }
}

void smtp_observer::command_line(const line_reader::result& got) {
    command_words words = split_command_line(got.content());
    std::uint64_t seq = tracer_.incoming(
        command_event("smtp", known_verb(words.verb), words, got.content(), got.raw));
    awaited_.push_back({smtp_state_follower::answer_to::command, words.verb, seq});
    if (words.verb == "AUTH") {
        auto space = words.args.find(' ');
        auth_mechanism_ = to_upper(words.args.substr(0, space));
        auth_lines_ = 0;
        auth_user_.clear();
        auth_cancelled_ = false;
        if (space != std::string_view::npos) note_credentials(words.args.substr(space + 1), seq);
    }
    // What follows these depends on their reply.
    if (words.verb == "DATA" || words.verb == "STARTTLS" || words.verb == "AUTH")
        mode_ = client_mode::waiting;
}

void smtp_observer::auth_line(const line_reader::result& got) {
    std::uint64_t seq =
        tracer_.incoming(smtp::auth_response_event(got.content(), got.raw, auth_mechanism_));
    awaited_.push_back({smtp_state_follower::answer_to::auth_response, "AUTH", seq});
    if (trim(got.content()) == "*") auth_cancelled_ = true;
    else note_credentials(got.content(), seq);
    mode_ = client_mode::waiting;
}

void smtp_observer::note_credentials(std::string_view base64, std::optional<std::uint64_t> cause) {
    std::optional<nlohmann::json> decoded;
    if (auth_mechanism_ == "PLAIN") {
        decoded = decode_plain(base64);
    } else if (auth_mechanism_ == "LOGIN") {
        // RFC draft-murchison-sasl-login: the user name first, then the password.
        decoded = decode_login_value(base64, auth_lines_ == 0 ? "user" : "password");
    }
    ++auth_lines_;
    if (!decoded) return;
    if (decoded->contains("user")) auth_user_ = (*decoded)["user"].get<std::string>();
    tracer_.note("smtp.note.auth_decoded", smtp::auth_decoded_text(auth_mechanism_, *decoded),
                 {{"mechanism", auth_mechanism_}, {"decoded", *decoded}}, cause);
}

bool smtp_observer::read_text() {
    auto take = [&](std::string_view piece) {
        text_size_ += piece.size();
        if (text_wire_.size() + piece.size() <= max_kept_text) text_wire_.append(piece);
    };
    for (;;) {
        auto lf = client_in_.find('\n');
        if (lf == std::string::npos) {
            if (client_in_.size() < partial_text_line) return false;
            if (text_line_start_) {
                ++text_lines_;
                text_stuffed_ += client_in_.front() == '.';
            }
            take(client_in_);
            client_in_.clear();
            text_line_start_ = false;
            return false;
        }
        std::string_view line(client_in_.data(), lf + 1);
        // RFC 5321 4.1.1.4: a line with a single "." ends the text.
        if (text_line_start_ && (line == ".\r\n" || line == ".\n")) {
            take(line);
            client_in_.erase(0, lf + 1);
            finish_text();
            return true;
        }
        if (text_line_start_) {
            ++text_lines_;
            text_stuffed_ += line.front() == '.';  // RFC 5321 4.5.2: transparency
        }
        take(line);
        client_in_.erase(0, lf + 1);
        text_line_start_ = true;
    }
}

void smtp_observer::finish_text() {
    event e = smtp::data_event(std::move(text_wire_), text_lines_, text_stuffed_);
    e.cause = data_command_;
    e.fields["size"] = text_size_;
    if (text_incomplete_) e.fields["incomplete"] = true;
    std::uint64_t seq = tracer_.incoming(std::move(e));
    text_wire_.clear();
    awaited_.push_back({smtp_state_follower::answer_to::message_text, "", seq});
    mode_ = client_mode::commands;
}

void smtp_observer::server_bytes(std::string_view bytes) {
    bytes = server_resync_.take(bytes);
    replies_.feed(bytes);
    while (auto r = replies_.next()) reply(*r);
}

void smtp_observer::reply(const smtp::reply& r) {
    awaited a;
    if (!greeted_) {
        a.what = smtp_state_follower::answer_to::greeting;
        greeted_ = true;
    } else if (!awaited_.empty()) {
        a = std::move(awaited_.front());
        awaited_.pop_front();
    } else {
        a.what = smtp_state_follower::answer_to::nothing;
    }
    if (r.code == 0) {
        // Not "NNN text": the client's parser would give up here; show the line as it came.
        tracer_.note("capture.note.unparsed",
                     fmt::format("the server sent a line that is no SMTP reply: \"{}\"",
                                 visible_bytes(r.lines.empty() ? "" : r.lines.front())),
                     {{"direction", "to_client"}}, a.seq);
        return;
    }
    std::string detail;
    if (a.verb == "AUTH" && r.code == 334 && a.what == smtp_state_follower::answer_to::command)
        detail = auth_mechanism_;
    else if (a.verb == "AUTH" && r.code == 235) detail = auth_user_;
    else if (a.what == smtp_state_follower::answer_to::auth_response && auth_cancelled_) detail = "*";
    trace_state_changes(tracer_, "smtp.server", states_.reply(a.what, a.verb, r.code, detail),
                        a.seq);
    event e = smtp::reply_event(r.code, r.lines, r.raw);
    e.cause = a.seq;
    tracer_.outgoing(std::move(e));

    if (mode_ != client_mode::waiting) return;
    if (a.verb == "DATA" && a.what == smtp_state_follower::answer_to::command) {
        if (r.code == 354) {
            mode_ = client_mode::text;
            data_command_ = a.seq;
            text_wire_.clear();
            text_size_ = text_lines_ = text_stuffed_ = 0;
            text_line_start_ = true;
            text_incomplete_ = false;
        } else {
            mode_ = client_mode::commands;
        }
    } else if (a.verb == "STARTTLS") {
        // RFC 3207 4: after 220 the next octets both ways are the TLS handshake.
        mode_ = client_mode::commands;
        if (r.code == 220) wants_tls_ = true;
    } else if (a.verb == "AUTH") {
        mode_ = r.code == 334 ? client_mode::auth_line : client_mode::commands;
    }
    if (!wants_tls_) read_client();
}

void smtp_observer::gap(direction d) {
    // Segments of a line protocol mostly end with a line: when the octets before the hole did,
    // the octets after it are taken to start a line; otherwise the rest of that line is skipped.
    if (d == direction::to_client) {
        replies_ = smtp::reply_parser();
        server_resync_.gap();
        return;
    }
    if (mode_ == client_mode::text) {
        // The message text goes on after the hole; its event says it is incomplete.
        text_incomplete_ = true;
        text_line_start_ = false;
        return;
    }
    client_in_.clear();
    client_lines_ = line_reader(max_observed_line);
    client_resync_.gap();
}

void smtp_observer::tls_established() {
    trace_state_changes(tracer_, "smtp.server", states_.tls_established(), std::nullopt);
}

void smtp_observer::connection_lost() {
    if (mode_ == client_mode::text)
        tracer_.note("smtp.note.dropped_in_data",
                     fmt::format("connection lost after {} octets of message text and before the "
                                 "final \".\": nothing was delivered",
                                 text_size_),
                     {{"size", text_size_}}, std::nullopt);
    trace_state_changes(tracer_, "smtp.server", states_.connection_lost(), std::nullopt);
}

}  // namespace maillab::capture
