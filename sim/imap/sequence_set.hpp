// Sequence sets (RFC 3501 9: "1:3,5,7:*"): message numbers or UIDs, "*" the largest in use.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace maillab::imap {

class sequence_set {
public:
    // nullopt when the text is not a sequence set.
    static std::optional<sequence_set> parse(std::string_view text);
    // Whether `n` is in the set, where "*" means `largest` (RFC 3501 6.4.8: "n:*" with n above
    // every UID still contains the largest one).
    bool contains(std::uint32_t n, std::uint32_t largest) const;
    // The largest number written out (not "*"): RFC 3501 9 makes a message number above the
    // mailbox's count an error.
    std::uint32_t largest_written() const;

private:
    struct range {
        std::uint32_t low;   // 0 stands for "*"
        std::uint32_t high;
    };
    std::vector<range> ranges_;
};

}  // namespace maillab::imap
