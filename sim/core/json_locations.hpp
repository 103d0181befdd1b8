// Where each value of a JSON text starts (line and column), by JSON Pointer ("/hosts/2/name").
// nlohmann/json 3.11 (Debian 12) reports positions only for syntax errors, not for the values it
// parsed, and a scenario or lab loader must say "file:line:col" for a value that is well-formed
// JSON but wrong (an unknown key, a host that does not exist). This index walks the text once,
// after nlohmann accepted it, and remembers where every value and every object key begins.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>

namespace maillab {

struct text_position {
    std::size_t line = 1;    // 1-based
    std::size_t column = 1;  // 1-based, in bytes
};

class json_locations {
public:
    // `text` must be valid JSON (parse it with nlohmann first); an invalid text gives a partial
    // index, never a crash.
    explicit json_locations(std::string_view text);

    // Where the value at `pointer` starts; for a missing member, the nearest enclosing value.
    text_position value(const std::string& pointer) const;
    // Where the key of the object member at `pointer` starts (its value if it has no key).
    text_position key(const std::string& pointer) const;

    // The byte offset -> line:column conversion, for nlohmann's parse_error::byte.
    static text_position position_of(std::string_view text, std::size_t byte_offset);

private:
    std::map<std::string, text_position> values_;
    std::map<std::string, text_position> keys_;
};

// RFC 6901: "~" -> "~0", "/" -> "~1".
std::string json_pointer_escape(std::string_view token);

}  // namespace maillab
