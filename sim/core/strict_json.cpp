#include "sim/core/strict_json.hpp"

#include <charconv>

#include <fmt/format.h>

namespace maillab {

file_format_error::file_format_error(std::string file, text_position at, std::string message)
    : std::runtime_error(fmt::format("{}:{}:{}: {}", file, at.line, at.column, message)),
      file_(std::move(file)),
      at_(at),
      message_(std::move(message)) {}

json_document::json_document(std::string file, std::string text) : file_(std::move(file)) {
    try {
        root_ = nlohmann::json::parse(text);
    } catch (const nlohmann::json::parse_error& err) {
        // err.byte counts the characters read, the offending one included.
        std::size_t offset = err.byte > 0 ? err.byte - 1 : 0;
        std::string what = err.what();
        // nlohmann's message: "[json.exception.parse_error.101] parse error at line 3, column
        // 5: syntax error while parsing object - ..."; keep what follows the position.
        if (auto p = what.find(": syntax error"); p != std::string::npos) what = what.substr(p + 2);
        else if (auto q = what.find("parse error"); q != std::string::npos) what = what.substr(q);
        throw file_format_error(file_, json_locations::position_of(text, offset),
                                "not valid JSON: " + what);
    } catch (const nlohmann::json::out_of_range& err) {
        // A number too large for a double ("1e999"): nlohmann names the literal but not where
        // it is, so the literal is looked up in the text (found by the fuzzer; it used to
        // escape as an unexpected exception).
        std::string what = err.what();
        std::size_t offset = 0;
        if (auto open = what.find('\''), close = what.rfind('\'');
            open != std::string::npos && close > open) {
            std::string literal = what.substr(open + 1, close - open - 1);
            if (auto at = text.find(literal); at != std::string::npos) offset = at;
        }
        if (auto p = what.find("number overflow"); p != std::string::npos) what = what.substr(p);
        throw file_format_error(file_, json_locations::position_of(text, offset),
                                "not valid JSON: " + what + " (too large for a number)");
    }
    locations_ = std::make_unique<json_locations>(text);
}

std::string json_document::where(const std::string& pointer) const {
    text_position p = locations_->value(pointer);
    return fmt::format("{}:{}:{}", file_, p.line, p.column);
}

void json_document::fail_at_value(const std::string& pointer, const std::string& message) const {
    std::string path = readable_path(pointer);
    throw file_format_error(file_, locations_->value(pointer),
                            path.empty() ? message : path + ": " + message);
}

void json_document::fail_at_key(const std::string& pointer, const std::string& message) const {
    throw file_format_error(file_, locations_->key(pointer),
                            readable_path(pointer) + ": " + message);
}

std::string readable_path(const std::string& pointer) {
    std::string out;
    std::size_t pos = 0;
    while (pos < pointer.size()) {
        std::size_t next = pointer.find('/', pos + 1);
        std::string token = pointer.substr(pos + 1, next == std::string::npos ? std::string::npos
                                                                              : next - pos - 1);
        for (std::size_t i; (i = token.find("~1")) != std::string::npos;) token.replace(i, 2, "/");
        for (std::size_t i; (i = token.find("~0")) != std::string::npos;) token.replace(i, 2, "~");
        bool index = !token.empty() && token.find_first_not_of("0123456789") == std::string::npos;
        if (index) out += "[" + token + "]";
        else out += (out.empty() ? "" : ".") + token;
        pos = next == std::string::npos ? pointer.size() : next;
    }
    return out;
}

json_value::json_value(const json_document& doc, const nlohmann::json& value, std::string pointer)
    : doc_(doc), value_(value), pointer_(std::move(pointer)) {}

void json_value::fail(const std::string& message) const { doc_.fail_at_value(pointer_, message); }

namespace {
std::string type_name(const nlohmann::json& v) {
    if (v.is_object()) return "an object";
    if (v.is_array()) return "an array";
    if (v.is_string()) return "a string";
    if (v.is_boolean()) return "true or false";
    if (v.is_number()) return "a number";
    return "null";
}
}  // namespace

void json_value::expect_object() const {
    if (!value_.is_object()) fail("expected an object, found " + type_name(value_));
}

bool json_value::has(const std::string& key) const {
    return value_.is_object() && value_.contains(key);
}

json_value json_value::member(const std::string& key) const {
    expect_object();
    if (!value_.contains(key)) fail(fmt::format("the key \"{}\" is required here", key));
    return {doc_, value_.at(key), pointer_ + "/" + json_pointer_escape(key)};
}

std::optional<json_value> json_value::optional_member(const std::string& key) const {
    expect_object();
    if (!value_.contains(key)) return std::nullopt;
    return json_value{doc_, value_.at(key), pointer_ + "/" + json_pointer_escape(key)};
}

void json_value::expect_keys(const std::set<std::string>& allowed) const {
    expect_object();
    for (const auto& [key, _] : value_.items()) {
        if (allowed.count(key)) continue;
        std::string list;
        for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
        doc_.fail_at_key(pointer_ + "/" + json_pointer_escape(key),
                         fmt::format("unknown key \"{}\"; expected one of: {}", key, list));
    }
}

std::vector<json_value> json_value::elements() const {
    if (!value_.is_array()) fail("expected an array, found " + type_name(value_));
    std::vector<json_value> out;
    for (std::size_t i = 0; i < value_.size(); ++i)
        out.emplace_back(doc_, value_[i], pointer_ + "/" + std::to_string(i));
    return out;
}

std::string json_value::as_string() const {
    if (!value_.is_string()) fail("expected a string, found " + type_name(value_));
    return value_.get<std::string>();
}

std::string json_value::as_nonempty_string() const {
    std::string s = as_string();
    if (s.empty()) fail("must not be empty");
    return s;
}

bool json_value::as_bool() const {
    if (!value_.is_boolean()) fail("expected true or false, found " + type_name(value_));
    return value_.get<bool>();
}

std::int64_t json_value::as_integer(std::int64_t min, std::int64_t max) const {
    if (!value_.is_number_integer())
        fail("expected a whole number, found " + type_name(value_));
    std::int64_t v = value_.get<std::int64_t>();
    if (value_.is_number_unsigned() && value_.get<std::uint64_t>() > INT64_MAX) v = INT64_MAX;
    if (v < min || v > max) fail(fmt::format("expected a number from {} to {}, found {}", min, max, v));
    return v;
}

std::optional<std::int64_t> parse_duration_us(std::string_view text) {
    std::size_t digits = 0;
    while (digits < text.size() && (std::isdigit(static_cast<unsigned char>(text[digits])) ||
                                    text[digits] == '.'))
        ++digits;
    if (digits == 0) return std::nullopt;
    double number = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + digits, number);
    if (ec != std::errc() || ptr != text.data() + digits) return std::nullopt;
    std::string_view unit = text.substr(digits);
    double scale = 0;
    if (unit == "us") scale = 1;
    else if (unit == "ms") scale = 1e3;
    else if (unit == "s" || unit.empty()) scale = 1e6;
    else if (unit == "m" || unit == "min") scale = 60e6;
    else if (unit == "h") scale = 3600e6;
    else if (unit == "d") scale = 86400e6;
    else return std::nullopt;
    double us = number * scale;
    if (us > 1e17) return std::nullopt;  // about three thousand years: a typo
    return static_cast<std::int64_t>(us + 0.5);
}

std::int64_t json_value::as_duration_us() const {
    if (value_.is_number() && value_.get<double>() >= 0 && value_.get<double>() < 1e11)
        return static_cast<std::int64_t>(value_.get<double>() * 1e6 + 0.5);
    if (value_.is_string()) {
        if (auto us = parse_duration_us(value_.get<std::string>())) return *us;
    }
    fail("expected a duration such as \"500ms\", \"30s\", \"10m\", \"2h\" or a number of "
         "seconds, found " +
         (value_.is_string() ? "\"" + value_.get<std::string>() + "\"" : type_name(value_)));
}

std::string json_value::as_choice(const std::vector<std::string>& choices) const {
    std::string s = as_string();
    for (const auto& c : choices)
        if (c == s) return s;
    std::string list;
    for (const auto& c : choices) list += (list.empty() ? "" : ", ") + c;
    fail(fmt::format("\"{}\" is not one of: {}", s, list));
}

std::vector<std::string> json_value::as_string_list() const {
    if (value_.is_string()) return {value_.get<std::string>()};
    std::vector<std::string> out;
    for (const auto& e : elements()) out.push_back(e.as_string());
    return out;
}

}  // namespace maillab
