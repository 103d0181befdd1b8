// IMAP observer: theory of operation.
//
// The client's bytes go through the server's command parser (literals, LITERAL+); the "+" it
// would ask for is the server's to send, and the observer only reads it. Commands are kept by
// tag until their tagged completion (RFC 3501 2.2.1: tags pair them even when pipelined).
// Untagged responses that come while a command runs are held until its tagged response: only
// then is it known whether SELECT worked, and a live trace writes the state change before the
// data the server sends with it. Held responses keep the time they came.
//
// Three commands change what the client sends next: STARTTLS (TLS after OK), IDLE (after "+",
// one line, DONE) and AUTHENTICATE without an initial response (after "+", one base64 line);
// after them the client's bytes wait unread until the server's answer. During IDLE untagged
// responses are pushed by the server on its own and written at once.

#include "sim/capture/imap_observer.hpp"

#include <fmt/format.h>

#include "sim/capture/sasl_decoding.hpp"
#include "sim/core/bytes.hpp"
#include "sim/imap/mailbox_name.hpp"
#include "sim/imap/server_session.hpp"
#include "sim/imap/trace_events.hpp"
#include "sim/mime/header_lookup.hpp"
#include "sim/smtp/trace_events.hpp"

namespace maillab::capture {
namespace {

// Untagged responses held at once: past this they are written without waiting (a FETCH of a
// whole large mailbox), and the state change follows them.
constexpr std::size_t max_held_responses = 4096;
constexpr std::size_t max_held_octets = 16 * 1024 * 1024;

bool known_command(std::string_view name) {
    for (const auto& spec : imap::server_session::command_table())
        if (spec.name == name) return true;
    return false;
}

std::string line_of(std::string_view raw) {
    auto lf = raw.find('\n');
    std::string_view line = raw.substr(0, lf);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    return std::string(line);
}

// The mailbox argument as the server names it: modified UTF-7 decoded, INBOX in capitals.
std::string mailbox_of(const imap::token& t) {
    auto name = imap::decode_mailbox_name(t.text).value_or(t.text);
    return iequals(name, "INBOX") ? "INBOX" : name;
}

}  // namespace

imap_observer::imap_observer(connection_tracer& tracer, capture_clock& clock, bool from_start)
    : tracer_(tracer), clock_(clock), states_(from_start) {
    greeted_ = !from_start;
}

imap_observer::sent_command* imap_observer::find(std::string_view tag) {
    for (auto& s : sent_)
        if (s.tag == tag) return &s;
    return nullptr;
}

void imap_observer::client_bytes(std::string_view bytes) {
    bytes = client_resync_.take(bytes);
    parser_.feed(bytes);
    read_client();
}

void imap_observer::read_client() {
    for (;;) {
        if (mode_ == client_mode::waiting) return;
        if (mode_ == client_mode::line) {
            auto text = parser_.take_line();
            if (!text) return;
            line(*text);
            continue;
        }
        imap::parse_result r = parser_.next();
        switch (r.state) {
            case imap::parse_result::status::need_more: return;
            case imap::parse_result::status::continuation: continue;  // the server's "+" to read
            case imap::parse_result::status::error: {
                std::uint64_t seq = tracer_.incoming(imap::unparsed_command_event(r));
                sent_.push_back({r.tag, "", "", false, seq});
                continue;
            }
            case imap::parse_result::status::ready: command(r.cmd); continue;
        }
    }
}

void imap_observer::command(const imap::command& cmd) {
    std::uint64_t seq = tracer_.incoming(imap::command_event(cmd, known_command(cmd.name)));
    sent_command sent{cmd.tag, cmd.name, "", false, seq};
    if ((cmd.name == "SELECT" || cmd.name == "EXAMINE" || cmd.name == "DELETE") &&
        !cmd.args.empty())
        sent.argument = mailbox_of(cmd.args[0]);
    sent.fetch = cmd.name == "FETCH" ||
                 (cmd.name == "UID" && !cmd.args.empty() && iequals(cmd.args[0].text, "FETCH"));
    bool waits = cmd.name == "STARTTLS" || cmd.name == "IDLE";
    if (cmd.name == "AUTHENTICATE" && !cmd.args.empty()) {
        sent.argument = to_upper(cmd.args[0].text);
        if (cmd.args.size() > 1) note_credentials(cmd.args[1].text, seq);  // RFC 4959 SASL-IR
        else waits = true;
    }
    sent_.push_back(std::move(sent));
    if (waits) {
        mode_ = client_mode::waiting;
        waiting_for_ = cmd.name;
    }
}

void imap_observer::line(const std::string& text) {
    std::string_view verb = waiting_for_ == "IDLE" ? "DONE" : "AUTHENTICATE";
    std::uint64_t seq = tracer_.incoming(imap::line_command_event(text, verb));
    // The command's completion answers this line (the server's cause is the line).
    for (auto& s : sent_)
        if (s.name == waiting_for_) s.seq = seq;
    if (verb == "DONE") {
        idling_ = false;
        trace_state_changes(tracer_, "imap.server", states_.idle_done(), seq);
        mode_ = client_mode::commands;
        waiting_for_.clear();
        return;
    }
    note_credentials(text, seq);
    mode_ = client_mode::waiting;  // for the tagged answer
}

void imap_observer::note_credentials(std::string_view base64, std::uint64_t cause) {
    auto decoded = decode_plain(base64);
    if (!decoded) return;
    // The same words as the server's note: base64 hides nothing from an eavesdropper.
    tracer_.note("imap.note.auth_decoded", smtp::auth_decoded_text("PLAIN", *decoded),
                 {{"mechanism", "PLAIN"}, {"decoded", *decoded}}, cause);
}

void imap_observer::server_bytes(std::string_view bytes) {
    bytes = server_resync_.take(bytes);
    splitter_.feed(bytes);
    while (!wants_tls_) {
        auto raw = splitter_.next();
        if (!raw) break;
        response(std::move(*raw));
    }
    if (splitter_.failed() && !splitter_failure_noted_) {
        splitter_failure_noted_ = true;
        tracer_.note("capture.note.unparsed",
                     "the server's responses cannot be read further: " + splitter_.error(),
                     {{"direction", "to_client"}}, std::nullopt);
    }
}

void imap_observer::response(std::string raw) {
    imap::response r = imap::parse_response(raw);
    if (r.is_continuation()) return continuation(std::move(raw));
    if (r.is_untagged()) return untagged(r, std::move(raw));
    tagged(r, std::move(raw));
}

void imap_observer::continuation(std::string raw) {
    event e = imap::continuation_event(line_of(raw), raw);
    bool for_waiting = mode_ == client_mode::waiting &&
                       (waiting_for_ == "IDLE" || waiting_for_ == "AUTHENTICATE");
    if (!for_waiting) {
        // "+ Ready for literal data": its command is not complete yet, so nothing causes it.
        tracer_.outgoing(std::move(e));
        return;
    }
    sent_command* s = nullptr;
    for (auto& c : sent_)
        if (c.name == waiting_for_) s = &c;
    e.cause = s ? s->seq : std::nullopt;
    if (waiting_for_ == "IDLE") {
        trace_state_changes(tracer_, "imap.server", states_.idle_started(), e.cause);
        idling_ = true;
    }
    release_held();
    tracer_.outgoing(std::move(e));
    mode_ = client_mode::line;
    read_client();
}

void imap_observer::untagged(const imap::response& r, std::string raw) {
    if (!greeted_) {
        greeted_ = true;
        trace_state_changes(tracer_, "imap.server", states_.greeting(r.status()), std::nullopt);
        tracer_.outgoing(imap::untagged_event(std::move(raw)));
        return;
    }
    nlohmann::json fields = nlohmann::json::object();
    const sent_command* running = sent_.empty() ? nullptr : &sent_.front();
    if (auto items = imap::fetch_items(r)) {
        if (const imap::value* uid = items->find("UID"))
            if (auto n = uid->as_number()) fields["uid"] = *n;
        // The mail in a FETCH answer: follow it across hosts by its Message-ID.
        if (running && running->fetch)
            for (const auto& [name, value] : items->items)
                if (value.is_string() && (name == "RFC822" || name == "RFC822.HEADER" ||
                                          name == "BODY[]" || name == "BODY[HEADER]"))
                    fields["message_id"] = mime::message_id_of(value.text);
    }
    event e = imap::untagged_event(std::move(raw), std::move(fields));
    if (r.status() == "BYE" && !(running && running->name == "LOGOUT")) {
        // RFC 3501 7.1.5: a BYE outside LOGOUT is the server closing the connection.
        release_held();
        trace_state_changes(tracer_, "imap.server", states_.bye(), std::nullopt);
        tracer_.outgoing(std::move(e));
        return;
    }
    if (!running || idling_) {
        // Nothing runs (or IDLE: the server pushes on its own): nothing to wait for.
        if (running) e.cause = running->seq;
        tracer_.outgoing(std::move(e));
        return;
    }
    e.cause = running->seq;
    held_octets_ += e.raw ? e.raw->size() : 0;
    held_.push_back({std::move(e), clock_.now_us()});
    if (held_.size() > max_held_responses || held_octets_ > max_held_octets) release_held();
}

void imap_observer::release_held() {
    std::int64_t now = clock_.now_us();
    for (auto& h : held_) {
        clock_.set(h.t_us);
        tracer_.outgoing(std::move(h.e));
    }
    clock_.set(now);
    held_.clear();
    held_octets_ = 0;
}

void imap_observer::tagged(const imap::response& r, std::string raw) {
    std::string status = r.status();
    std::optional<sent_command> done;
    for (auto it = sent_.begin(); it != sent_.end(); ++it)
        if (it->tag == r.tag) {
            done = std::move(*it);
            sent_.erase(it);
            break;
        }
    std::int64_t now = clock_.now_us();
    if (done) {
        // The state change is written where the answer began: before the data held for it.
        if (!held_.empty()) clock_.set(held_.front().t_us);
        trace_state_changes(tracer_, "imap.server",
                            states_.completed(done->name, status, done->argument), done->seq);
        clock_.set(now);
    }
    release_held();
    std::string line = line_of(raw);
    event e = imap::tagged_event(r.tag, status, std::move(line), std::move(raw));
    if (status.empty()) {
        // RFC 3501 7.1: a tagged response is OK, NO or BAD; this one is none, so no
        // explanation fits it.
        e.explain.clear();
        e.fields.erase("status");
        e.fields["malformed"] = true;
    }
    if (done) e.cause = done->seq;
    tracer_.outgoing(std::move(e));
    if (!done || done->name != waiting_for_) return;
    waiting_for_.clear();
    idling_ = false;
    mode_ = client_mode::commands;
    // RFC 3501 6.2.1: after the OK the next octets both ways are the TLS handshake.
    if (done->name == "STARTTLS" && status == "OK") wants_tls_ = true;
    else read_client();
}

void imap_observer::gap(direction d) {
    // As in the SMTP observer: after a hole, reading starts again at a line (a literal cut by
    // the hole is lost with it).
    if (d == direction::to_client) {
        release_held();
        splitter_ = imap::response_splitter();
        server_resync_.gap();
        return;
    }
    parser_ = imap::command_parser();
    client_resync_.gap();
}

void imap_observer::tls_established() {
    trace_state_changes(tracer_, "imap.server", states_.tls_established(), std::nullopt);
}

void imap_observer::connection_lost() {
    release_held();
    trace_state_changes(tracer_, "imap.server", states_.connection_lost(), std::nullopt);
}

}  // namespace maillab::capture
