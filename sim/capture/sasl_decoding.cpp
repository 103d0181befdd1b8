#include "sim/capture/sasl_decoding.hpp"

#include "sim/core/bytes.hpp"

namespace maillab::capture {

std::optional<nlohmann::json> decode_plain(std::string_view base64) {
    base64 = trim(base64);
    if (base64 == "*") return std::nullopt;
    // RFC 4954 4: "=" is an empty initial response.
    auto decoded = base64 == "=" ? std::optional<std::string>("") : base64_decode(base64);
    if (!decoded) return std::nullopt;
    auto first = decoded->find('\0');
    auto second = first == std::string::npos ? first : decoded->find('\0', first + 1);
    if (second == std::string::npos) return nlohmann::json{{"response", *decoded}};
    return nlohmann::json{{"authzid", decoded->substr(0, first)},
                          {"user", decoded->substr(first + 1, second - first - 1)},
                          {"password", decoded->substr(second + 1)}};
}

std::optional<nlohmann::json> decode_login_value(std::string_view base64, std::string_view name) {
    base64 = trim(base64);
    if (base64 == "*") return std::nullopt;
    auto decoded = base64_decode(base64);
    if (!decoded) return std::nullopt;
    return nlohmann::json{{std::string(name), *decoded}};
}

}  // namespace maillab::capture
