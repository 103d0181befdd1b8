// Binds a sans-I/O protocol session to an in-memory pipe end, with the tap: every chunk this end
// sends is traced as a `bytes` event, and connect/close as `tcp` events.
#pragma once

#include <functional>

#include "sim/core/session.hpp"
#include "sim/core/trace.hpp"
#include "sim/net/memory_pipe.hpp"

namespace maillab {

class session_link {
public:
    session_link(pipe_endpoint& end, protocol_session& session, connection_tracer& tracer);
    session_link(const session_link&) = delete;
    session_link& operator=(const session_link&) = delete;

    // Call on the connecting side: traces the connect and starts both directions.
    void trace_connect(std::string_view detail);
    void start();
    bool closed() const { return closed_; }

    // Called once, when this end is closed (by either side); the world uses it to know when a
    // conversation is over. It may not destroy the link.
    std::function<void()> on_closed;

private:
    void flush();
    void mark_closed();

    pipe_endpoint& end_;
    protocol_session& session_;
    connection_tracer& tracer_;
    bool closed_ = false;
};

}  // namespace maillab
