#include "sim/imap/sequence_set.hpp"

#include <algorithm>
#include <charconv>

namespace maillab::imap {

std::optional<sequence_set> sequence_set::parse(std::string_view text) {
    sequence_set set;
    if (text.empty()) return std::nullopt;
    auto number = [](std::string_view s) -> std::optional<std::uint32_t> {
        if (s == "*") return 0u;
        std::uint32_t n = 0;
        auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
        if (ec != std::errc() || ptr != s.data() + s.size() || n == 0) return std::nullopt;
        return n;
    };
    std::size_t start = 0;
    while (start <= text.size()) {
        auto comma = text.find(',', start);
        std::string_view item = text.substr(start, comma == std::string_view::npos ? text.npos : comma - start);
        auto colon = item.find(':');
        auto low = number(item.substr(0, colon));
        auto high = colon == std::string_view::npos ? low : number(item.substr(colon + 1));
        if (!low || !high) return std::nullopt;
        set.ranges_.push_back({*low, *high});
        if (comma == std::string_view::npos) break;
        start = comma + 1;
    }
    return set;
}

std::uint32_t sequence_set::largest_written() const {
    std::uint32_t largest = 0;
    for (const auto& r : ranges_) largest = std::max({largest, r.low, r.high});
    return largest;
}

bool sequence_set::contains(std::uint32_t n, std::uint32_t largest) const {
    for (const auto& r : ranges_) {
        std::uint32_t a = r.low == 0 ? largest : r.low;
        std::uint32_t b = r.high == 0 ? largest : r.high;
        if (a > b) std::swap(a, b);
        if (n >= a && n <= b) return true;
    }
    return false;
}

}  // namespace maillab::imap
