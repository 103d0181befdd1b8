// What a browser sends in a request: the query string and the two kinds of form body,
// application/x-www-form-urlencoded (WHATWG URL 5) and multipart/form-data (RFC 7578), the
// latter read with maillab's own MIME parser (it is a MIME multipart).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace maillab::http {

struct form_field {
    std::string name;
    std::string value;                   // text fields; a file's bytes
    std::optional<std::string> filename; // set for file uploads (may be "")
    std::string content_type;            // of a file upload
};

struct form_data {
    std::vector<form_field> fields;
    std::string error;  // why the body could not be read, "" when it could

    // The first field of that name, or nullptr.
    const form_field* find(std::string_view name) const;
    std::string value(std::string_view name) const;  // "" when absent
};

// "%E4%BD%A0+x" -> "你 x" (the + only in forms); nullopt on a bad % escape.
std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space);
std::string percent_encode(std::string_view text);  // RFC 3986 unreserved kept

// "a=1&b=x%20y"; also the query string of a target ("/inbox?page=2" -> the part after '?').
form_data parse_urlencoded(std::string_view body);
form_data parse_query(std::string_view target);
std::string path_of(std::string_view target);  // "/inbox?page=2" -> "/inbox"

// The body of a request with this Content-Type (urlencoded or multipart/form-data).
form_data parse_form(std::string_view content_type, std::string_view body);

}  // namespace maillab::http
