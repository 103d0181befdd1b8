// The trace: the append-only list of events that is the single source of truth for every view.
// Engines report to it through a narrow interface and never know who listens.
// Not thread-safe: one trace belongs to one event loop (the scheduler or one io_context).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/core/clock.hpp"
#include "sim/core/event.hpp"

namespace maillab {

class trace_listener {
public:
    virtual ~trace_listener() = default;
    // Called once by trace::subscribe() with the trace's header, before any event: a recorder
    // writes it as the file's first line, so it can join a run it did not create.
    virtual void on_header(const nlohmann::json& header) { (void)header; }
    virtual void on_event(const event& e) = 0;
};

class trace {
public:
    // `header` is written as the first line of a recording (format version added by the writer).
    trace(const clock_source& clock, nlohmann::json header = nlohmann::json::object());

    // Stamps seq and time, keeps the event (unless retention is off) and tells every listener.
    std::uint64_t append(event e);

    const std::vector<event>& events() const { return events_; }
    const nlohmann::json& header() const { return header_; }
    const clock_source& clock() const { return clock_; }

    void subscribe(trace_listener& listener) {
        listener.on_header(header_);
        listeners_.push_back(&listener);
    }
    void unsubscribe(trace_listener& listener);

    // Long-running servers can stream events to listeners without keeping them in memory.
    void set_retain(bool retain) { retain_ = retain; }

    std::uint64_t new_connection_id() { return ++last_conn_; }

private:
    const clock_source& clock_;
    nlohmann::json header_;
    std::vector<event> events_;
    std::vector<trace_listener*> listeners_;
    std::uint64_t last_seq_ = 0;
    std::uint64_t last_conn_ = 0;
    bool retain_ = true;
};

// What one connection's engine and transport use to report: fills in the connection id, the
// protocol and the two hosts, so the engines only say what happened.
class connection_tracer {
public:
    connection_tracer(trace& t, std::uint64_t conn, std::string proto, std::string local_host,
                      std::string peer_host);

    // Something that came from the peer (a command) or went to it (a reply).
    std::uint64_t incoming(event e);
    std::uint64_t outgoing(event e);
    // Something that happened at this end (a state change, a note, a store event).
    std::uint64_t local(event e);

    std::uint64_t state(std::string_view machine, std::string_view from, std::string_view to,
                        std::string_view reason, std::optional<std::uint64_t> cause);
    std::uint64_t note(std::string_view key, std::string_view text, nlohmann::json fields,
                       std::optional<std::uint64_t> cause);

    std::uint64_t conn() const { return conn_; }
    const std::string& local_host() const { return local_; }
    const std::string& peer_host() const { return peer_; }
    const std::string& proto() const { return proto_; }
    // Marks every later event of this connection as carried inside TLS.
    void set_inside_tls(bool inside) { inside_tls_ = inside; }
    bool inside_tls() const { return inside_tls_; }
    // Events of this end that name no cause get this one: a connection opened on behalf of
    // something else (the webmail's IMAP leg for an HTTP request) points back at it.
    void set_default_cause(std::uint64_t seq) { default_cause_ = seq; }
    std::int64_t now_us() const { return trace_.clock().now_us(); }
    class trace& trace_ref() { return trace_; }

private:
    std::uint64_t emit(event e, const std::string& from, const std::string& to);

    trace& trace_;
    std::uint64_t conn_;
    std::string proto_;
    std::string local_;
    std::string peer_;
    bool inside_tls_ = false;
    std::optional<std::uint64_t> default_cause_;
};

}  // namespace maillab
