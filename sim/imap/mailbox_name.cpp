#include "sim/imap/mailbox_name.hpp"

#include <cstdint>
#include <vector>

namespace maillab::imap {
namespace {
constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

int value_of(char c) {
    for (int i = 0; i < 64; ++i)
        if (alphabet[i] == c) return i;
    return -1;
}

std::vector<char32_t> utf8_code_points(std::string_view s) {
    std::vector<char32_t> out;
    for (std::size_t i = 0; i < s.size();) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        int n = c < 0x80 ? 0 : (c >> 5) == 6 ? 1 : (c >> 4) == 14 ? 2 : 3;
        char32_t cp = n == 0 ? c : n == 1 ? (c & 0x1F) : n == 2 ? (c & 0x0F) : (c & 0x07);
        for (int k = 1; k <= n && i + static_cast<std::size_t>(k) < s.size(); ++k)
            cp = (cp << 6) | (static_cast<unsigned char>(s[i + static_cast<std::size_t>(k)]) & 0x3F);
        out.push_back(cp);
        i += static_cast<std::size_t>(n) + 1;
    }
    return out;
}

void append_utf8(std::string& out, char32_t cp) {
    if (cp < 0x80) out += static_cast<char>(cp);
    else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}
}  // namespace

std::string encode_mailbox_name(std::string_view utf8) {
    std::string out;
    std::vector<std::uint16_t> pending;  // UTF-16 units of a non-ASCII run
    auto flush = [&] {
        if (pending.empty()) return;
        out += '&';
        std::uint32_t bits = 0;
        int count = 0;
        for (std::uint16_t unit : pending) {
            bits = (bits << 16) | unit;
            count += 16;
            while (count >= 6) {
                count -= 6;
                out += alphabet[(bits >> count) & 0x3F];
            }
        }
        if (count > 0) out += alphabet[(bits << (6 - count)) & 0x3F];
        out += '-';
        pending.clear();
    };
    for (char32_t cp : utf8_code_points(utf8)) {
        if (cp >= 0x20 && cp <= 0x7E) {
            flush();
            out += cp == '&' ? std::string("&-") : std::string(1, static_cast<char>(cp));
        } else if (cp >= 0x10000) {
            char32_t v = cp - 0x10000;
            pending.push_back(static_cast<std::uint16_t>(0xD800 | (v >> 10)));
            pending.push_back(static_cast<std::uint16_t>(0xDC00 | (v & 0x3FF)));
        } else {
            pending.push_back(static_cast<std::uint16_t>(cp));
        }
    }
    flush();
    return out;
}

std::optional<std::string> decode_mailbox_name(std::string_view wire) {
    std::string out;
    for (std::size_t i = 0; i < wire.size();) {
        char c = wire[i];
        if (c != '&') {
            if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7E)
                return std::nullopt;  // raw 8-bit is not allowed in a mailbox name
            out += c;
            ++i;
            continue;
        }
        auto dash = wire.find('-', i + 1);
        if (dash == std::string_view::npos) return std::nullopt;
        if (dash == i + 1) {
            out += '&';
            i = dash + 1;
            continue;
        }
        std::uint32_t bits = 0;
        int count = 0;
        std::vector<std::uint16_t> units;
        for (std::size_t k = i + 1; k < dash; ++k) {
            int v = value_of(wire[k]);
            if (v < 0) return std::nullopt;
            bits = (bits << 6) | static_cast<std::uint32_t>(v);
            count += 6;
            if (count >= 16) {
                count -= 16;
                units.push_back(static_cast<std::uint16_t>((bits >> count) & 0xFFFF));
            }
        }
        for (std::size_t k = 0; k < units.size(); ++k) {
            char32_t u = units[k];
            if (u >= 0xD800 && u <= 0xDBFF && k + 1 < units.size()) {
                u = 0x10000 + ((u - 0xD800) << 10) + (units[k + 1] - 0xDC00);
                ++k;
            }
            append_utf8(out, u);
        }
        i = dash + 1;
    }
    return out;
}

}  // namespace maillab::imap
