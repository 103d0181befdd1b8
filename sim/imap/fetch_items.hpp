// FETCH data items (RFC 3501 6.4.5, 7.4.2): which parts of a message a client asked for, and
// their values, computed from the stored bytes and the MIME parser.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "sim/mime/message.hpp"

namespace maillab::imap {

struct body_section {
    std::vector<unsigned> part;         // "1.2" -> {1, 2}; empty for the whole message
    std::string text;                   // "", "HEADER", "HEADER.FIELDS", "HEADER.FIELDS.NOT",
                                        // "TEXT", "MIME"
    std::vector<std::string> fields;    // for HEADER.FIELDS (NOT)
    std::optional<std::size_t> start;   // <start.count>
    std::size_t count = 0;
    bool peek = false;
    std::string label;                  // "BODY[1.HEADER]" as the response names it
};

// Parses BODY[...]<...> / BODY.PEEK[...]<...>; nullopt with `error` set when malformed.
std::optional<body_section> parse_body_section(const std::string& atom, std::string& error);

// The bytes a section names in a parsed message; nullopt if the part does not exist.
std::optional<std::string> section_bytes(const mime::message& m, const body_section& s);

// "(\\Seen \\Flagged \\Recent)": a flag list as FETCH FLAGS shows it; \\Recent is per session.
std::string imap_flag_list(const std::set<std::string>& flags, bool recent);

// "06-Jan-2025 09:00:00 +0000" (RFC 3501 date-time, in UTC).
std::string imap_date_time(std::int64_t unix_us);

}  // namespace maillab::imap
