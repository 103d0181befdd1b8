#include "sim/net/tap.hpp"

#include <string>

#include <fmt/format.h>

namespace maillab::tap {

event tcp(std::string_view action, std::string text, std::string_view transport) {
    event e;
    e.kind = event_kind::tcp;
    e.proto = "tcp";
    e.text = std::move(text);
    // A failed connect (no answer to the SYN, or refused) has its own explanation.
    e.explain =
        action == "connect_failed" ? "net.tcp.connect_failed" : "net.tcp." + std::string(action);
    e.fields = {{"action", action}, {"transport", transport}};
    return e;
}

event bytes(std::string_view chunk) {
    event e;
    e.kind = event_kind::bytes;
    e.text = std::to_string(chunk.size()) + " octets";
    e.raw = std::string(chunk);
    e.explain = "net.tcp.bytes";
    // One event per read and per write of every connection: set the field directly rather than
    // through a JSON initializer list, which builds and converts nested arrays first.
    e.fields["size"] = chunk.size();
    return e;
}

event tls(std::string_view phase, std::string text, nlohmann::json fields) {
    event e;
    e.kind = event_kind::tls;
    e.proto = "tls";
    e.text = std::move(text);
    e.explain = "net.tls." + std::string(phase);
    e.fields = fields.is_object() ? std::move(fields) : nlohmann::json::object();
    e.fields["phase"] = phase;
    return e;
}

}  // namespace maillab::tap
