// What an eavesdropper reads from a SASL exchange sent without TLS: base64 is an encoding, not
// encryption. Decodes PLAIN (RFC 4616 2: authzid NUL authcid NUL passwd) and the single values
// of LOGIN, for the *.note.auth_decoded notes the servers also write.
#pragma once

#include <optional>
#include <string_view>

#include <nlohmann/json.hpp>

namespace maillab::capture {

// {"authzid", "user", "password"} for a well-formed PLAIN response, {"response": ...} for
// decodable base64 that is not; nothing for what is not base64 (or "*", a cancel).
std::optional<nlohmann::json> decode_plain(std::string_view base64);

// One LOGIN value ("Username:" or "Password:" answered) under `name`: {"user": "alice"}.
std::optional<nlohmann::json> decode_login_value(std::string_view base64, std::string_view name);

}  // namespace maillab::capture
