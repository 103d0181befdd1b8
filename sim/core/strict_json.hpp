// Reading a hand-written JSON file (a scenario, a lab) strictly: every error names the file, the
// line and column and what was expected there, and a key the format does not know is an error
// (a misspelt "recipients" must not be silently ignored). Shared by every loader of such files.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/core/json_locations.hpp"

namespace maillab {

// "scenarios/x.json:12:7: hosts[2].roles[0]: unknown role "mxx"; expected one of ..."
class file_format_error : public std::runtime_error {
public:
    file_format_error(std::string file, text_position at, std::string message);
    const std::string& file() const { return file_; }
    text_position position() const { return at_; }
    const std::string& message() const { return message_; }

private:
    std::string file_;
    text_position at_;
    std::string message_;
};

// A parsed document with its source positions. Throws file_format_error for a syntax error.
class json_document {
public:
    json_document(std::string file, std::string text);
    const nlohmann::json& root() const { return root_; }
    const std::string& file() const { return file_; }
    [[noreturn]] void fail_at_value(const std::string& pointer, const std::string& message) const;
    [[noreturn]] void fail_at_key(const std::string& pointer, const std::string& message) const;
    std::string where(const std::string& pointer) const;  // "file:line:col"

private:
    std::string file_;
    nlohmann::json root_;
    std::unique_ptr<json_locations> locations_;
};

// Path as a reader would say it: "/hosts/2/roles/0" -> "hosts[2].roles[0]".
std::string readable_path(const std::string& pointer);

// One JSON value of the document with its pointer. Getting a value checks its type; an object's
// keys are checked with expect_keys() (or by finish() after reading them one by one).
class json_value {
public:
    json_value(const json_document& doc, const nlohmann::json& value, std::string pointer);

    const nlohmann::json& json() const { return value_; }
    const std::string& pointer() const { return pointer_; }
    std::string where() const { return doc_.where(pointer_); }
    [[noreturn]] void fail(const std::string& message) const;

    bool is_object() const { return value_.is_object(); }
    bool is_array() const { return value_.is_array(); }
    bool is_string() const { return value_.is_string(); }

    // Object members. The keys read are remembered for finish().
    bool has(const std::string& key) const;
    json_value member(const std::string& key) const;  // fails if absent
    std::optional<json_value> optional_member(const std::string& key) const;
    // Fails naming the first key not in `allowed`, and the allowed ones.
    void expect_keys(const std::set<std::string>& allowed) const;
    void expect_object() const;

    // Array elements.
    std::vector<json_value> elements() const;  // fails if not an array

    std::string as_string() const;
    std::string as_nonempty_string() const;
    bool as_bool() const;
    std::int64_t as_integer(std::int64_t min, std::int64_t max) const;
    // "2ms", "30s", "10m", "2h", "1d", or a number of seconds; returns microseconds.
    std::int64_t as_duration_us() const;
    // One of `choices` (named in the error).
    std::string as_choice(const std::vector<std::string>& choices) const;
    std::vector<std::string> as_string_list() const;  // a string or an array of strings

private:
    const json_document& doc_;
    const nlohmann::json& value_;
    std::string pointer_;
};

// "10m" -> 600000000; nullopt if malformed.
std::optional<std::int64_t> parse_duration_us(std::string_view text);

}  // namespace maillab
