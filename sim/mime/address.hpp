// RFC 5322 3.4 address lists: mailboxes with display names (atoms, quoted strings, encoded
// words), bare addr-specs, comments, and groups ("team: a@x, b@y;"). Lenient: whatever cannot
// be parsed is kept as written, with a defect.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "sim/mime/defect.hpp"

namespace maillab::mime {

struct mailbox_address {
    std::string display_name;  // decoded UTF-8, unquoted
    std::string address;       // local@domain
};

struct address_entry {
    bool is_group = false;
    std::string group_name;                // decoded, for groups
    std::vector<mailbox_address> members;  // one for a plain mailbox
};

// `decode_names`: RFC 2047 encoded words in display names decoded (false keeps them as written,
// which is what IMAP's ENVELOPE reports).
std::vector<address_entry> parse_address_list(std::string_view value,
                                              defect_list* defects = nullptr,
                                              bool decode_names = true);

// The canonical rendering: "Name <a@b>", a name with specials in quotes, a bare "a@b" without a
// name, "group: a@b, c@d;", entries joined with ", ". Comments are dropped.
std::string render_address_list(const std::vector<address_entry>& entries);

}  // namespace maillab::mime
