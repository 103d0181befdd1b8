#include "sim/mime/date.hpp"

#include <array>
#include <cctype>
#include <cstdio>
#include <string>
#include <vector>

#include "sim/core/bytes.hpp"

namespace maillab::mime {
namespace {
// Days from 1970-01-01 to a civil date (Howard Hinnant's algorithm, public domain arithmetic).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
    y -= m <= 2;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

std::vector<std::string> words(std::string_view s) {
    std::vector<std::string> out;
    std::string cur;
    int comment = 0;
    for (char c : s) {
        if (c == '(') ++comment;
        else if (c == ')' && comment > 0) --comment;
        else if (comment) continue;
        else if (c == ' ' || c == '\t' || c == ',' || c == '\r' || c == '\n') {
            if (!cur.empty()) out.push_back(cur);
            cur.clear();
        } else cur += c;
    }
    if (!cur.empty()) out.push_back(cur);
    return out;
}

bool all_digits(const std::string& s) {
    if (s.empty()) return false;
    for (char c : s)
        if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    return true;
}
}  // namespace

std::optional<mail_date> parse_mail_date(std::string_view text) {
    static constexpr std::array<const char*, 12> months{"jan", "feb", "mar", "apr", "may", "jun",
                                                        "jul", "aug", "sep", "oct", "nov", "dec"};
    auto w = words(text);
    std::size_t i = 0;
    // An optional day name.
    if (i < w.size() && !all_digits(w[i])) ++i;
    if (i + 3 > w.size()) return std::nullopt;
    if (!all_digits(w[i]) || w[i].size() > 2) return std::nullopt;
    unsigned day = static_cast<unsigned>(std::stoi(w[i++]));
    std::string mon = to_lower(w[i++]).substr(0, 3);
    unsigned month = 0;
    for (unsigned m = 0; m < 12; ++m)
        if (mon == months[m]) month = m + 1;
    if (month == 0 || day < 1 || day > 31) return std::nullopt;
    if (!all_digits(w[i]) || w[i].size() > 4) return std::nullopt;
    int year = std::stoi(w[i]);
    // RFC 5322 4.3: two-digit years 00-49 are 2000-2049, 50-99 are 1950-1999; three-digit
    // years add 1900.
    if (w[i].size() == 2) year += year < 50 ? 2000 : 1900;
    else if (w[i].size() == 3) year += 1900;
    ++i;
    int hour = 0, minute = 0, second = 0;
    if (i < w.size()) {
        const std::string& t = w[i];
        int parts = std::sscanf(t.c_str(), "%d:%d:%d", &hour, &minute, &second);
        if (parts < 2 || hour > 23 || minute > 59 || second > 60) return std::nullopt;
        ++i;
    }
    int offset = 0;
    if (i < w.size()) {
        std::string z = w[i];
        if ((z[0] == '+' || z[0] == '-') && z.size() == 5 && all_digits(z.substr(1))) {
            int v = std::stoi(z.substr(1));
            offset = (v / 100) * 60 + v % 100;
            if (z[0] == '-') offset = -offset;
        } else {
            // RFC 5322 4.3 obsolete zone names; unknown military letters mean "-0000".
            std::string u = to_upper(z);
            if (u == "EDT") offset = -4 * 60;
            else if (u == "EST" || u == "CDT") offset = -5 * 60;
            else if (u == "CST" || u == "MDT") offset = -6 * 60;
            else if (u == "MST" || u == "PDT") offset = -7 * 60;
            else if (u == "PST") offset = -8 * 60;
        }
    }
    std::int64_t seconds = days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 +
                           second - static_cast<std::int64_t>(offset) * 60;
    return mail_date{seconds, offset};
}

}  // namespace maillab::mime
