#include "sim/net/session_link.hpp"

#include <fmt/format.h>

#include "sim/net/tap.hpp"

namespace maillab {

session_link::session_link(pipe_endpoint& end, protocol_session& session,
                           connection_tracer& tracer)
    : end_(end), session_(session), tracer_(tracer) {
    end_.on_receive = [this](std::string_view bytes) {
        session_.receive(bytes);
        flush();
    };
    end_.on_close = [this] {
        if (closed_) return;
        closed_ = true;
        event e = tap::tcp("close", "connection closed by " + tracer_.peer_host(), "memory");
        e.fields["by"] = tracer_.peer_host();
        tracer_.incoming(std::move(e));
        session_.connection_lost();
        mark_closed();
    };
}

void session_link::trace_connect(std::string_view detail) {
    tracer_.outgoing(tap::tcp("connect",
                              fmt::format("{} connects to {} ({})", tracer_.local_host(),
                                          tracer_.peer_host(), detail),
                              "memory"));
}

void session_link::start() {
    session_.start();
    flush();
}

void session_link::flush() {
    std::string out = session_.take_output();
    if (!out.empty() && !closed_) {
        tracer_.outgoing(tap::bytes(out));
        end_.send(std::move(out));
    }
    if (session_.wants_tls() && !closed_) {
        // TLS over the in-memory pipe is not built yet: say so and end the connection rather
        // than pretend the bytes are encrypted.
        tracer_.local(tap::tls("failed", "TLS is not available on in-memory links; closing",
                               {{"reason", "no TLS on in-memory links"}}));
        closed_ = true;
        end_.close();
        session_.connection_lost();
        mark_closed();
        return;
    }
    if (session_.wants_close() && !closed_) {
        closed_ = true;
        event e = tap::tcp("close", "connection closed by " + tracer_.local_host(), "memory");
        e.fields["by"] = tracer_.local_host();
        tracer_.outgoing(std::move(e));
        end_.close();
        mark_closed();
    }
}

void session_link::mark_closed() {
    if (on_closed) on_closed();
}

}  // namespace maillab
