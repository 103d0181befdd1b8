// The interface of the protocol observers (smtp_observer, pop3_observer, imap_observer,
// http_observer): they watch a captured conversation from outside, with the parsers the
// engines use, and write the events a live `maillab serve --record` writes for it (commands,
// replies, state changes of the server's machine). They answer nothing and store nothing.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/capture/tcp_reassembly.hpp"
#include "sim/core/clock.hpp"
#include "sim/core/trace.hpp"

namespace maillab::capture {

// The time of the packet being looked at: every event gets the capture's time, not the time of
// the import.
class capture_clock final : public clock_source {
public:
    std::int64_t now_us() const override { return now_; }
    bool is_virtual() const override { return false; }
    void set(std::int64_t t_us) { now_ = t_us; }

private:
    std::int64_t now_ = 0;
};

// One move of a server's state machine, in the names of its description (state_machine.hpp).
struct state_change {
    std::string from;
    std::string to;
    std::string reason;
};

// Writes the changes as state events of `machine` ("smtp.server"), caused by `cause`.
void trace_state_changes(connection_tracer& tracer, std::string_view machine,
                         const std::vector<state_change>& changes,
                         std::optional<std::uint64_t> cause);

// Where reading one stream starts again after octets went missing from the capture. Segments
// of a line protocol mostly end with a line: when the octets before the hole did, those after
// it are taken to start a line; otherwise the rest of the cut line is skipped.
class line_resync {
public:
    // The part of `bytes` to read: all of it, or what follows the next LF while the rest of a
    // cut line is being skipped (nothing when that LF has not come yet).
    std::string_view take(std::string_view bytes);
    // Octets went missing after the ones taken so far.
    void gap() { skipping_ = !at_line_end_; }

private:
    bool at_line_end_ = true;  // the last octet seen ended a line
    bool skipping_ = false;
};

class protocol_observer {
public:
    virtual ~protocol_observer() = default;
    // The next octets of the client's or the server's stream, in order.
    virtual void client_bytes(std::string_view bytes) = 0;
    virtual void server_bytes(std::string_view bytes) = 0;
    // Octets of that stream are missing from the capture: what was being read is dropped and
    // reading starts again at the next line.
    virtual void gap(direction d) = 0;
    // The server accepted STARTTLS or STLS: the next octets both ways are TLS records, which
    // the connection reads instead (tls_session_view).
    virtual bool wants_tls() const { return false; }
    // That TLS handshake went through (the session starts again inside it, unseen).
    virtual void tls_established() {}
    // The connection ended (both FINs, a RST, or the end of the capture after a FIN).
    virtual void connection_lost() = 0;
};

}  // namespace maillab::capture
