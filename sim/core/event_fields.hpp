// Reading one field of an event's `fields` in a view. The trace being shown may come from a file
// or a stream someone handed us, so a field can be missing or of another type than the engines
// write ("tls": "yes", "size": 1e69); such a field reads as the fallback. These never throw and
// never convert a floating-point number to an integer (undefined behaviour when it is out of
// range, which nlohmann's value() and get<int>() do). The event's text still shows the line as
// written; only the views that interpret the field ignore it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "sim/core/event.hpp"

namespace maillab {

// The string at key, or `fallback` when it is missing or not a string.
std::string text_field(const nlohmann::json& fields, std::string_view key,
                       std::string_view fallback = {});
// true/false at key, or `fallback`.
bool flag_field(const nlohmann::json& fields, std::string_view key, bool fallback = false);
// A non-negative integer at key (counts, sizes, ids, uids), or `fallback` when it is missing,
// negative, fractional or not a number.
std::uint64_t count_field(const nlohmann::json& fields, std::string_view key,
                          std::uint64_t fallback = 0);
// Any integer at key (a time in microseconds), or `fallback`.
std::int64_t integer_field(const nlohmann::json& fields, std::string_view key,
                           std::int64_t fallback = 0);
// The array at key, or nullptr when it is missing or not an array.
const nlohmann::json* array_field(const nlohmann::json& fields, std::string_view key);

inline std::string text_field(const event& e, std::string_view key,
                              std::string_view fallback = {}) {
    return text_field(e.fields, key, fallback);
}
inline bool flag_field(const event& e, std::string_view key, bool fallback = false) {
    return flag_field(e.fields, key, fallback);
}
inline std::uint64_t count_field(const event& e, std::string_view key, std::uint64_t fallback = 0) {
    return count_field(e.fields, key, fallback);
}
inline std::int64_t integer_field(const event& e, std::string_view key, std::int64_t fallback = 0) {
    return integer_field(e.fields, key, fallback);
}
inline const nlohmann::json* array_field(const event& e, std::string_view key) {
    return array_field(e.fields, key);
}

}  // namespace maillab
