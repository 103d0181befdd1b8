#include "sim/net/session_link.hpp"

#include <fmt/format.h>

#include "sim/core/bytes.hpp"

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
        event e;
        e.kind = event_kind::tcp;
        e.proto = "tcp";
        e.text = "connection closed by " + tracer_.peer_host();
        e.explain = "net.tcp.close";
        e.fields = {{"action", "close"}, {"by", tracer_.peer_host()}};
        tracer_.incoming(std::move(e));
        session_.connection_lost();
    };
}

void session_link::trace_connect(std::string_view detail) {
    event e;
    e.kind = event_kind::tcp;
    e.proto = "tcp";
    e.text = fmt::format("{} connects to {} ({})", tracer_.local_host(), tracer_.peer_host(),
                         detail);
    e.explain = "net.tcp.connect";
    e.fields = {{"action", "connect"}, {"transport", "memory"}};
    tracer_.outgoing(std::move(e));
}

void session_link::start() {
    session_.start();
    flush();
}

void session_link::flush() {
    std::string out = session_.take_output();
    if (!out.empty() && !closed_) {
        event e;
        e.kind = event_kind::bytes;
        e.text = fmt::format("{} octets", out.size());
        e.raw = out;
        e.explain = "net.tcp.bytes";
        e.fields = {{"size", out.size()}};
        tracer_.outgoing(std::move(e));
        end_.send(std::move(out));
    }
    if (session_.wants_tls() && !closed_) {
        // TLS over the in-memory pipe is not built yet: say so and end the connection rather
        // than pretend the bytes are encrypted.
        event e;
        e.kind = event_kind::tls;
        e.proto = "tls";
        e.text = "TLS is not available on in-memory links; closing";
        e.explain = "net.tls.failed";
        e.fields = {{"phase", "failed"}, {"reason", "no TLS on in-memory links"}};
        tracer_.local(std::move(e));
        closed_ = true;
        end_.close();
        session_.connection_lost();
        return;
    }
    if (session_.wants_close() && !closed_) {
        closed_ = true;
        event e;
        e.kind = event_kind::tcp;
        e.proto = "tcp";
        e.text = "connection closed by " + tracer_.local_host();
        e.explain = "net.tcp.close";
        e.fields = {{"action", "close"}, {"by", tracer_.local_host()}};
        tracer_.outgoing(std::move(e));
        end_.close();
    }
}

}  // namespace maillab
