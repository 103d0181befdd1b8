// The arguments of MAIL FROM and RCPT TO (RFC 5321 4.1.2): a path in angle brackets and
// ESMTP parameters. Parsed strictly, with the leniencies real servers allow reported so the
// session can record them as teaching notes.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace maillab::smtp {

struct path_argument {
    std::string address;  // "" for the null reverse-path <>
    std::vector<std::pair<std::string, std::string>> params;  // ("SIZE","1234"), keys upper-case
    bool space_after_colon = false;     // "FROM: <a@b>"
    bool missing_angle_brackets = false;  // "FROM:a@b"
};

struct path_error {
    std::string message;
};

// `keyword` is "FROM" or "TO"; `args` is everything after the verb.
// Returns the parsed path or an error saying what is wrong.
std::variant<path_argument, path_error> parse_path_argument(std::string_view args,
                                                            std::string_view keyword);

// Checks an address "local@domain" loosely: non-empty parts, no spaces or control characters.
// A bare local part (no '@') is reported separately by the caller.
bool plausible_mailbox(std::string_view address);

std::string domain_of(std::string_view address);
std::string local_part_of(std::string_view address);

}  // namespace maillab::smtp
