#include "sim/core/event_fields.hpp"

#include <limits>

namespace maillab {
namespace {

const nlohmann::json* find_field(const nlohmann::json& fields, std::string_view key) {
    if (!fields.is_object()) return nullptr;
    auto it = fields.find(key);
    return it == fields.end() ? nullptr : &*it;
}

}  // namespace

std::string text_field(const nlohmann::json& fields, std::string_view key,
                       std::string_view fallback) {
    const auto* v = find_field(fields, key);
    return v && v->is_string() ? v->get_ref<const std::string&>() : std::string(fallback);
}

bool flag_field(const nlohmann::json& fields, std::string_view key, bool fallback) {
    const auto* v = find_field(fields, key);
    return v && v->is_boolean() ? v->get<bool>() : fallback;
}

std::uint64_t count_field(const nlohmann::json& fields, std::string_view key,
                          std::uint64_t fallback) {
    const auto* v = find_field(fields, key);
    if (!v) return fallback;
    if (v->is_number_unsigned()) return v->get<std::uint64_t>();
    if (v->is_number_integer() && v->get<std::int64_t>() >= 0)
        return static_cast<std::uint64_t>(v->get<std::int64_t>());
    return fallback;
}

std::int64_t integer_field(const nlohmann::json& fields, std::string_view key,
                           std::int64_t fallback) {
    const auto* v = find_field(fields, key);
    if (!v) return fallback;
    if (v->is_number_unsigned())
        return v->get<std::uint64_t>() > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())
                   ? fallback
                   : static_cast<std::int64_t>(v->get<std::uint64_t>());
    return v->is_number_integer() ? v->get<std::int64_t>() : fallback;
}

const nlohmann::json* array_field(const nlohmann::json& fields, std::string_view key) {
    const auto* v = find_field(fields, key);
    return v && v->is_array() ? v : nullptr;
}

}  // namespace maillab
