// The tap's events, built in one place for every transport (in-memory pipe, TCP, TLS), so the
// views see the same fields whatever carried the bytes.
#pragma once

#include <string>
#include <string_view>

#include "sim/core/event.hpp"

namespace maillab::tap {

// action: connect, close, reset, connect_failed; transport: memory or tcp.
event tcp(std::string_view action, std::string text, std::string_view transport);
event bytes(std::string_view chunk);
// phase: handshake_start, established, failed; extra fields go in `fields`.
event tls(std::string_view phase, std::string text, nlohmann::json fields = {});

}  // namespace maillab::tap
