#include "sim/core/trace.hpp"

#include <algorithm>
#include <iterator>
#include <string>
#include <vector>

#include "sim/core/bytes.hpp"

namespace maillab {

trace::trace(const clock_source& clock, nlohmann::json header)
    : clock_(clock), header_(std::move(header)) {
    if (!header_.is_object()) header_ = nlohmann::json::object();
    header_["clock"] = clock_.is_virtual() ? "virtual" : "real";
}

std::uint64_t trace::append(event e) {
    e.seq = ++last_seq_;
    // `text` is for display; the exact bytes live in `raw`. Keep text valid UTF-8 so every
    // writer and view can show it.
    if (!is_valid_utf8(e.text)) e.text = visible_bytes(e.text);
    // A kind-specific field must not reuse a core field's name (the writer could not tell them
    // apart). That is a bug in the engine that emitted it, never a reason to stop a server: the
    // field is kept under "_name".
    // Every event passes here (a busy server: several per message), so the event's few fields
    // are looked at once each, rather than looking every core name up among them.
    static constexpr std::string_view core[] = {"seq",  "t_us", "cause", "conn",    "proto",
                                                "from", "to",   "kind",  "text",    "raw",
                                                "raw_b64", "explain"};
    auto is_core = [](std::string_view key) {
        return std::find(std::begin(core), std::end(core), key) != std::end(core);
    };
    if (e.fields.is_object()) {
        std::vector<std::string> clashes;
        for (const auto& [key, value] : e.fields.items())
            if (is_core(key)) clashes.push_back(key);
        for (const auto& key : clashes) {
            e.fields["_" + key] = e.fields[key];
            e.fields.erase(key);
        }
    }
    e.t_us = clock_.now_us();
    for (trace_listener* l : listeners_) l->on_event(e);
    if (retain_) events_.push_back(std::move(e));
    return last_seq_;
}

void trace::unsubscribe(trace_listener& listener) {
    listeners_.erase(std::remove(listeners_.begin(), listeners_.end(), &listener),
                     listeners_.end());
}

connection_tracer::connection_tracer(trace& t, std::uint64_t conn, std::string proto,
                                     std::string local_host, std::string peer_host)
    : trace_(t),
      conn_(conn),
      proto_(std::move(proto)),
      local_(std::move(local_host)),
      peer_(std::move(peer_host)) {}

std::uint64_t connection_tracer::emit(event e, const std::string& from, const std::string& to) {
    e.conn = conn_;
    if (e.proto.empty()) e.proto = proto_;
    if (e.from.empty()) e.from = from;
    if (e.to.empty()) e.to = to;
    if (!e.cause) e.cause = default_cause_;
    // RFC 3207 / 8314: what crosses the wire inside TLS is unreadable to an observer; say so on
    // every such event so no view forgets it.
    if (inside_tls_ && !e.fields.contains("tls")) e.fields["tls"] = true;
    return trace_.append(std::move(e));
}

std::uint64_t connection_tracer::incoming(event e) { return emit(std::move(e), peer_, local_); }
std::uint64_t connection_tracer::outgoing(event e) { return emit(std::move(e), local_, peer_); }
std::uint64_t connection_tracer::local(event e) { return emit(std::move(e), local_, ""); }

std::uint64_t connection_tracer::state(std::string_view machine, std::string_view from,
                                       std::string_view to, std::string_view reason,
                                       std::optional<std::uint64_t> cause) {
    event e;
    e.kind = event_kind::state;
    e.cause = cause;
    e.text = std::string(from) + " -> " + std::string(to) + " (" + std::string(reason) + ")";
    // Several per message on a busy server: fields set directly, not via an initializer list.
    e.fields["machine"] = machine;
    e.fields["from_state"] = from;
    e.fields["to_state"] = to;
    e.fields["reason"] = reason;
    std::string_view role = machine.substr(machine.find('.') + 1);
    e.explain = proto_ + (role == "server" ? "" : "." + std::string(role)) + ".state." +
                std::string(to);
    return emit(std::move(e), local_, "");
}

std::uint64_t connection_tracer::note(std::string_view key, std::string_view text,
                                      nlohmann::json fields, std::optional<std::uint64_t> cause) {
    event e;
    e.kind = event_kind::note;
    e.cause = cause;
    e.text = std::string(text);
    e.explain = std::string(key);
    e.fields = fields.is_object() ? std::move(fields) : nlohmann::json::object();
    return emit(std::move(e), local_, "");
}

}  // namespace maillab
