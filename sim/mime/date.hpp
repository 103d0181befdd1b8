// RFC 5322 3.3 dates ("Mon, 6 Jan 2025 09:00:00 +0800"), with the obsolete forms of 4.3 that
// real mail still uses: two-digit years, zone names (GMT, EST, ...), no seconds, comments.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace maillab::mime {

struct mail_date {
    std::int64_t unix_seconds = 0;  // the instant, UTC
    int offset_minutes = 0;         // the zone it was written in (+0800 -> 480)
};

std::optional<mail_date> parse_mail_date(std::string_view text);

}  // namespace maillab::mime
