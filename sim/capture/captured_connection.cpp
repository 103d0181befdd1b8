// A captured connection: theory of operation.
//
// Events of the reassembler are kept until the protocol is known (the server's greeting, or a
// request line, or the end of the connection decides), then replayed in order. Each chunk of
// bytes is traced first (the tap's bytes event, as a live trace has), then given to the
// protocol observer, which traces what it means. Times are the packets' (capture_clock); the
// import sorts the whole trace by time at the end, so connections interleave as they did.
//
// TLS: after the observer reports a positive answer to STARTTLS or STLS (or from the start on
// an implicit-TLS connection) the bytes are TLS records. They are traced as bytes events that
// name the records, never given to the observer. The handshake counts as established when the
// client sends its first application_data record (in TLS 1.3 its encrypted Finished, RFC 8446
// 4.4.4; in TLS 1.2 its first data after both Finished messages); a plaintext alert before that
// (RFC 8446 6.2), or the end of the connection, is a failed handshake. After an established
// handshake the observer is not told about the end of the connection: the session went on
// inside TLS, and its states are not in the capture.

#include "sim/capture/captured_connection.hpp"

#include <fmt/format.h>

#include "sim/capture/http_observer.hpp"
#include "sim/capture/imap_observer.hpp"
#include "sim/capture/pop3_observer.hpp"
#include "sim/capture/smtp_observer.hpp"
#include "sim/core/bytes.hpp"
#include "sim/net/tap.hpp"

namespace maillab::capture {
namespace {

// What protocol detection may look at from each side before it must decide.
constexpr std::size_t max_first_bytes = 8 * 1024;

std::string_view protocol_title(app_protocol p) {
    switch (p) {
        case app_protocol::smtp: return "SMTP";
        case app_protocol::pop3: return "POP3";
        case app_protocol::imap: return "IMAP";
        case app_protocol::http: return "HTTP";
        case app_protocol::unknown: return "unknown";
    }
    return "unknown";
}

// "3 records: handshake (ClientHello), application_data x2"
std::string describe_records(const std::vector<tls_record_seen>& records) {
    std::string out;
    std::string last;
    int repeat = 0;
    auto flush = [&] {
        if (last.empty()) return;
        out += (out.empty() ? "" : ", ") + last + (repeat > 1 ? fmt::format(" x{}", repeat) : "");
    };
    for (const auto& r : records) {
        std::string name = describe(r);
        if (name == last) {
            ++repeat;
            continue;
        }
        flush();
        last = std::move(name);
        repeat = 1;
    }
    flush();
    return out;
}

}  // namespace

captured_connection::captured_connection(trace& t, capture_clock& clock, const stream_event& open)
    : trace_(t),
      clock_(clock),
      conn_(t.new_connection_id()),
      client_(open.client),
      server_(open.server),
      handshake_seen_(open.handshake_seen),
      opened_at_(open.t_us) {}

captured_connection::~captured_connection() = default;

std::optional<app_protocol> captured_connection::protocol() const {
    if (!detected_) return std::nullopt;
    return detected_->protocol;
}

std::string captured_connection::host(direction sender) const {
    return sender == direction::to_server ? client_.to_string() : server_.to_string();
}

std::uint64_t captured_connection::from_side(direction d, event e) {
    return d == direction::to_server ? tracer_->incoming(std::move(e))
                                     : tracer_->outgoing(std::move(e));
}

void captured_connection::add(const stream_event& e) {
    if (detected_) return process(e);
    pending_.push_back(e);
    if (e.type == stream_event::kind::data) {
        std::string& first = e.dir == direction::to_server ? client_first_ : server_first_;
        first.append(e.bytes.substr(0, max_first_bytes - std::min(first.size(), max_first_bytes)));
        decide(false);
        return;
    }
    // A gap at the start makes the first bytes useless for recognising anything; the end of
    // the connection leaves nothing more to wait for.
    decide(e.type != stream_event::kind::data);
}

void captured_connection::decide(bool final) {
    auto d = detect_protocol(server_.port, client_first_, server_first_, final);
    if (!d) return;
    start(*d);
    std::vector<stream_event> replay;
    replay.swap(pending_);
    for (const auto& e : replay) process(e);
    client_first_.clear();
    server_first_.clear();
}

void captured_connection::start(const detection& d) {
    detected_ = d;
    tracer_ = std::make_unique<connection_tracer>(trace_, conn_, std::string(to_string(d.protocol)),
                                                  server_.to_string(), client_.to_string());
    clock_.set(opened_at_);
    event connect = tap::tcp(
        "connect", fmt::format("connection {} -> {}", client_.to_string(), server_.to_string()),
        "tcp");
    connect.fields["handshake_seen"] = handshake_seen_;
    tracer_->incoming(std::move(connect));
    if (!handshake_seen_)
        tracer_->note("capture.note.mid_stream",
                      "the capture began after this connection was opened: what came before it "
                      "(the greeting, perhaps the login) is not in the capture",
                      {}, std::nullopt);
    if (d.protocol == app_protocol::unknown) {
        tracer_->note("capture.note.unknown_protocol",
                      fmt::format("not recognised as SMTP, POP3, IMAP or HTTP ({}): only the "
                                  "bytes are shown",
                                  d.reason),
                      {{"reason", d.reason}}, std::nullopt);
    } else {
        tracer_->note("capture.note.protocol",
                      fmt::format("recognised as {}: {}", protocol_title(d.protocol), d.reason),
                      {{"protocol", std::string(to_string(d.protocol))}, {"reason", d.reason}},
                      std::nullopt);
    }
    switch (d.protocol) {
        case app_protocol::smtp:
            observer_ = std::make_unique<smtp_observer>(*tracer_, handshake_seen_);
            break;
        case app_protocol::pop3:
            observer_ = std::make_unique<pop3_observer>(*tracer_, handshake_seen_);
            break;
        case app_protocol::imap:
            observer_ = std::make_unique<imap_observer>(*tracer_, clock_, handshake_seen_);
            break;
        case app_protocol::http: observer_ = std::make_unique<http_observer>(*tracer_); break;
        case app_protocol::unknown: break;
    }
    if (d.implicit_tls) start_tls("implicit");
}

void captured_connection::process(const stream_event& e) {
    clock_.set(e.t_us);
    switch (e.type) {
        case stream_event::kind::open: return;
        case stream_event::kind::data:
            if (tls_ != tls_phase::none) return tls_bytes(e.dir, e.bytes);
            return plain_bytes(e.dir, e.bytes);
        case stream_event::kind::gap: {
            direction to = e.dir == direction::to_server ? direction::to_client
                                                         : direction::to_server;
            event note;
            note.kind = event_kind::note;
            note.proto = "tcp";
            note.text = fmt::format(
                "{} octets from {} to {} are missing from the capture (not captured, or dropped "
                "by the capturing machine): what they carried is unknown",
                e.lost, host(e.dir), host(to));
            note.explain = "capture.note.gap";
            note.fields = {{"lost", e.lost}, {"direction", std::string(to_string(e.dir))}};
            from_side(e.dir, std::move(note));
            if (tls_ != tls_phase::none) {
                // The record boundaries are lost with the octets: stop reading the records.
                (e.dir == direction::to_server ? tls_from_client_ : tls_from_server_).lose_sync();
            } else if (observer_) {
                observer_->gap(e.dir);
            }
            return;
        }
        case stream_event::kind::fin: {
            if (!fin_seen_) {
                fin_seen_ = true;
                event close = tap::tcp("close",
                                       fmt::format("connection closed by {} (FIN)", host(e.dir)),
                                       "tcp");
                close.fields["by"] = host(e.dir);
                from_side(e.dir, std::move(close));
                return;
            }
            return ended();
        }
        case stream_event::kind::reset: {
            event reset = tap::tcp("reset",
                                   fmt::format("connection reset by {} (RST)", host(e.dir)), "tcp");
            reset.fields["by"] = host(e.dir);
            from_side(e.dir, std::move(reset));
            return ended();
        }
        case stream_event::kind::refused: {
            event failed = tap::tcp(
                "connect_failed",
                fmt::format("{} refused the connection: it answered the SYN with a RST (no "
                            "server listens on that port)",
                            server_.to_string()),
                "tcp");
            failed.fields["reason"] = "refused";
            tracer_->outgoing(std::move(failed));
            ended_ = true;
            return;
        }
        case stream_event::kind::unfinished:
            if (fin_seen_) return ended();  // half closed: the other side's FIN was not captured
            tracer_->note("capture.note.still_open",
                          "the capture ends while this connection is still open", {},
                          std::nullopt);
            return;
    }
}

void captured_connection::plain_bytes(direction d, const std::string& bytes) {
    from_side(d, tap::bytes(bytes));
    if (!observer_) return;
    if (d == direction::to_server) observer_->client_bytes(bytes);
    else observer_->server_bytes(bytes);
    if (observer_->wants_tls()) start_tls("starttls");
}

void captured_connection::start_tls(std::string_view mode) {
    tls_ = tls_phase::handshake;
    tls_mode_ = std::string(mode);
    tracer_->local(tap::tls("handshake_start", "TLS handshake starts", {{"mode", mode}}));
}

void captured_connection::tls_bytes(direction d, const std::string& bytes) {
    tls_record_reader& reader = d == direction::to_server ? tls_from_client_ : tls_from_server_;
    std::vector<tls_record_seen> records = reader.feed(bytes);
    event e = tap::bytes(bytes);
    e.explain = "capture.tls.records";
    if (reader.lost_sync())
        e.text = fmt::format("{} octets that are not TLS records as far as the capture shows",
                             bytes.size());
    else if (records.empty())
        e.text = fmt::format("{} octets of TLS: the rest of a record", bytes.size());
    else
        e.text = fmt::format("{} octets of TLS: {}", bytes.size(), describe_records(records));
    bool encrypted = false;
    for (const auto& r : records)
        encrypted = encrypted || !(r.handshake_type || r.alert ||
                                   r.content_type == static_cast<std::uint8_t>(
                                                         tls_content::change_cipher_spec));
    e.fields["tls"] = true;
    e.fields["encrypted"] = encrypted || records.empty();
    from_side(d, std::move(e));

    if (tls_ != tls_phase::handshake) return;
    for (const auto& r : records) {
        if (r.alert && r.alert->first == 2) {  // RFC 8446 6: level 2 is fatal
            return tls_failed(fmt::format("the {} sent {}",
                                          d == direction::to_server ? "client" : "server",
                                          describe(r)));
        }
        if (d == direction::to_server &&
            r.content_type == static_cast<std::uint8_t>(tls_content::application_data))
            return tls_established();
    }
}

void captured_connection::tls_established() {
    tls_ = tls_phase::established;
    nlohmann::json fields = {{"mode", tls_mode_}};
    // Without the ServerHello in the capture (it began late, or lost it) they stay unknown.
    std::string version = tls_from_server_.version().value_or("unknown");
    std::string cipher = tls_from_server_.cipher().value_or("unknown");
    fields["version"] = version;
    fields["cipher"] = cipher;
    if (tls_from_client_.server_name()) fields["server_name"] = *tls_from_client_.server_name();
    tracer_->local(tap::tls(
        "established",
        fmt::format("TLS established: {} {} (as the ServerHello says)", version, cipher),
        std::move(fields)));
    tracer_->set_inside_tls(true);
    tracer_->note("capture.tls.hidden",
                  "from here on the capture holds only encrypted records: the commands and "
                  "replies inside TLS cannot be shown (maillab serve can show them, because it "
                  "is one of the two ends)",
                  {}, std::nullopt);
    if (observer_ && tls_mode_ == "starttls") observer_->tls_established();
}

void captured_connection::tls_failed(const std::string& reason) {
    tls_ = tls_phase::failed;
    tracer_->local(tap::tls("failed", "TLS handshake failed: " + reason, {{"reason", reason}}));
}

void captured_connection::ended() {
    if (ended_) return;
    ended_ = true;
    if (tls_ == tls_phase::handshake) tls_failed("connection closed during the handshake");
    // Inside TLS the session went on unseen: its end is not the observer's to tell.
    if (observer_ && tls_ != tls_phase::established &&
        !(tls_ == tls_phase::failed && tls_mode_ == "implicit"))
        observer_->connection_lost();
}

}  // namespace maillab::capture
