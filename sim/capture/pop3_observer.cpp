// POP3 observer: theory of operation.
//
// As the SMTP observer: client lines are cut with the servers' line reader and split with
// split_command_line(); each command waits in a queue for its response (RFC 2449 6.6,
// PIPELINING: in order). Whether a positive response is one line or runs until "." depends on
// the command it answers (RFC 1939 5-7): LIST and UIDL without an argument, RETR, TOP and CAPA
// are multi-line. After AUTH and STLS the client's next bytes wait unread until the answer says
// what they are (a base64 line after "+ ", TLS after +OK to STLS).

#include "sim/capture/pop3_observer.hpp"

#include <fmt/format.h>

#include "sim/capture/sasl_decoding.hpp"
#include "sim/core/bytes.hpp"
#include "sim/core/command_line.hpp"
#include "sim/mime/header_lookup.hpp"
#include "sim/pop3/trace_events.hpp"
#include "sim/smtp/trace_events.hpp"

namespace maillab::capture {
namespace {

constexpr std::size_t max_observed_line = 64 * 1024;

bool known_verb(std::string_view verb) {
    for (const auto& spec : pop3::server_session::command_table())
        if (spec.verb == verb) return true;
    return false;
}

}  // namespace

pop3_observer::pop3_observer(connection_tracer& tracer, bool from_start)
    : tracer_(tracer), states_(from_start), client_lines_(max_observed_line) {
    greeted_ = !from_start;
}

bool pop3_observer::multiline_answer(const awaited& a) {
    if (a.verb == "RETR" || a.verb == "TOP" || a.verb == "CAPA") return true;
    return (a.verb == "LIST" || a.verb == "UIDL") && !a.has_args;
}

void pop3_observer::client_bytes(std::string_view bytes) {
    client_in_.append(client_resync_.take(bytes));
    read_client();
}

void pop3_observer::read_client() {
    while (!client_in_.empty() && mode_ != client_mode::waiting) {
        line_reader::result got = client_lines_.next(client_in_);
        if (got.type == line_reader::result::kind::none) return;
        if (got.type == line_reader::result::kind::too_long) {
            tracer_.note("capture.note.unparsed",
                         fmt::format("a client line of {} octets is too long to show", got.length),
                         {{"length", got.length}}, std::nullopt);
            awaited_.push_back({});
            continue;
        }
        if (mode_ == client_mode::auth_line) {
            std::uint64_t seq = tracer_.incoming(
                pop3::auth_response_event(got.content(), got.raw, auth_mechanism_));
            if (auth_mechanism_ == "PLAIN")
                if (auto decoded = decode_plain(got.content()))
                    note_credentials(*decoded, seq);
            awaited_.push_back({"AUTH", false, true, seq});
            mode_ = client_mode::waiting;
            continue;
        }
        command_line(got);
    }
}

void pop3_observer::note_credentials(const nlohmann::json& decoded, std::uint64_t cause) {
    // The same words as the server's note: base64 hides nothing from an eavesdropper.
    tracer_.note("pop3.note.auth_decoded", smtp::auth_decoded_text("PLAIN", decoded),
                 {{"mechanism", "PLAIN"}, {"decoded", decoded}}, cause);
}

void pop3_observer::command_line(const line_reader::result& got) {
    command_words words = split_command_line(got.content());
    std::uint64_t seq = tracer_.incoming(
        command_event("pop3", known_verb(words.verb), words, got.content(), got.raw));
    awaited_.push_back({words.verb, !words.args.empty(), false, seq});
    if (words.verb == "AUTH") {
        auto space = words.args.find(' ');
        auth_mechanism_ = to_upper(words.args.substr(0, space));
        if (space != std::string_view::npos && auth_mechanism_ == "PLAIN")
            if (auto decoded = decode_plain(words.args.substr(space + 1)))
                note_credentials(*decoded, seq);
    }
    if (words.verb == "AUTH" || words.verb == "STLS") mode_ = client_mode::waiting;
}

void pop3_observer::server_bytes(std::string_view bytes) {
    bytes = server_resync_.take(bytes);
    responses_.feed(bytes);
    for (;;) {
        awaited a;
        if (greeted_ && !awaited_.empty()) a = awaited_.front();
        auto r = responses_.next(greeted_ && multiline_answer(a));
        if (!r) return;
        if (greeted_ && !awaited_.empty()) awaited_.pop_front();
        response(*r, a);
        if (wants_tls_) return;
    }
}

void pop3_observer::response(const pop3::response& r, const awaited& a) {
    nlohmann::json fields = nlohmann::json::object();
    std::string text = r.line;
    if (r.continuation) {
        fields["continuation"] = true;
    } else if (r.multiline) {
        fields["multiline"] = true;
        text = pop3::multiline_text(r.line, r.stuffed_body);
        // The mail a RETR carries: follow it across hosts by its Message-ID.
        if (a.verb == "RETR") fields["message_id"] = mime::message_id_of(r.body);
    }
    if (!greeted_) {
        greeted_ = true;
        trace_state_changes(tracer_, "pop3.server", states_.greeting(r.positive), std::nullopt);
    } else if (!r.continuation && !a.verb.empty()) {
        trace_state_changes(tracer_, "pop3.server",
                            states_.answered(a.verb, r.positive, auth_mechanism_), a.seq);
    }
    event e = pop3::response_event(r.raw, r.positive, std::move(text), std::move(fields));
    e.cause = a.seq;
    tracer_.outgoing(std::move(e));

    if (mode_ != client_mode::waiting || a.verb.empty()) return;
    if (a.verb == "STLS") {
        mode_ = client_mode::commands;
        if (r.positive) wants_tls_ = true;  // RFC 2595 4: TLS starts after the CRLF of +OK
    } else if (a.verb == "AUTH") {
        mode_ = r.continuation ? client_mode::auth_line : client_mode::commands;
    }
    if (!wants_tls_) read_client();
}

void pop3_observer::gap(direction d) {
    // As in the SMTP observer: after a hole, reading starts again at a line.
    if (d == direction::to_client) {
        responses_.discard();
        server_resync_.gap();
        return;
    }
    client_in_.clear();
    client_lines_ = line_reader(max_observed_line);
    client_resync_.gap();
}

void pop3_observer::tls_established() {
    trace_state_changes(tracer_, "pop3.server", states_.tls_established(), std::nullopt);
}

void pop3_observer::connection_lost() {
    trace_state_changes(tracer_, "pop3.server", states_.connection_lost(), std::nullopt);
}

}  // namespace maillab::capture
