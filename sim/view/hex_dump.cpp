#include "sim/view/hex_dump.hpp"

#include <fmt/format.h>

namespace maillab::view {

std::vector<std::string> hex_dump(std::string_view bytes, std::size_t max_lines) {
    std::vector<std::string> lines;
    for (std::size_t off = 0; off < bytes.size() && lines.size() < max_lines; off += 16) {
        std::string hex, text;
        for (std::size_t i = 0; i < 16; ++i) {
            if (off + i < bytes.size()) {
                auto c = static_cast<unsigned char>(bytes[off + i]);
                hex += fmt::format("{:02x} ", c);
                text += (c >= 0x20 && c < 0x7F) ? static_cast<char>(c) : '.';
            } else {
                hex += "   ";
            }
            if (i == 7) hex += ' ';
        }
        lines.push_back(fmt::format("{:04x}  {} {}", off, hex, text));
    }
    if (lines.size() == max_lines && max_lines * 16 < bytes.size())
        lines.push_back(fmt::format("... {} more bytes", bytes.size() - max_lines * 16));
    return lines;
}

}  // namespace maillab::view
