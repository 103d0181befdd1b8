#include "sim/export/text_fit.hpp"

namespace maillab::exporting {

char32_t decode_code_point(std::string_view text, std::size_t i, std::size_t& length) {
    auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
    unsigned char b0 = byte(i);
    length = 1;
    if (b0 < 0x80) return b0;
    std::size_t need = 0;
    char32_t c = 0;
    char32_t min = 0;
    if ((b0 & 0xE0) == 0xC0)
        need = 1, c = b0 & 0x1F, min = 0x80;
    else if ((b0 & 0xF0) == 0xE0)
        need = 2, c = b0 & 0x0F, min = 0x800;
    else if ((b0 & 0xF8) == 0xF0)
        need = 3, c = b0 & 0x07, min = 0x10000;
    else
        return U'\uFFFD';
    if (i + need >= text.size()) return U'\uFFFD';  // cut off at the end
    for (std::size_t k = 1; k <= need; ++k) {
        if ((byte(i + k) & 0xC0) != 0x80) return U'\uFFFD';
        c = (c << 6) | (byte(i + k) & 0x3F);
    }
    // Overlong forms, UTF-16 surrogates and values past U+10FFFF are not UTF-8 (RFC 3629 3).
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) return U'\uFFFD';
    length = need + 1;
    return c;
}

void append_utf8(std::string& out, char32_t c) {
    if (c < 0x80) {
        out += static_cast<char>(c);
    } else if (c < 0x800) {
        out += static_cast<char>(0xC0 | (c >> 6));
        out += static_cast<char>(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
        out += static_cast<char>(0xE0 | (c >> 12));
        out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (c & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (c >> 18));
        out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (c & 0x3F));
    }
}

int code_point_columns(char32_t c) {
    // The wide ranges of Unicode's East Asian Width (UAX #11) that mail text meets: Hangul
    // Jamo, CJK radicals to Yi, Hangul syllables, compatibility ideographs, vertical and
    // fullwidth forms, the supplementary ideographs, and the common emoji blocks.
    if ((c >= 0x1100 && c <= 0x115F) || (c >= 0x2E80 && c <= 0xA4CF && c != 0x303F) ||
        (c >= 0xAC00 && c <= 0xD7A3) || (c >= 0xF900 && c <= 0xFAFF) ||
        (c >= 0xFE30 && c <= 0xFE4F) || (c >= 0xFF00 && c <= 0xFF60) ||
        (c >= 0xFFE0 && c <= 0xFFE6) || (c >= 0x1F300 && c <= 0x1F64F) ||
        (c >= 0x1F900 && c <= 0x1F9FF) || (c >= 0x20000 && c <= 0x3FFFD))
        return 2;
    return 1;
}

std::size_t text_columns(std::string_view text) {
    std::size_t columns = 0;
    for_each_code_point(text,
                        [&](char32_t c, std::string_view) { columns += code_point_columns(c); });
    return columns;
}

std::string one_line(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for_each_code_point(text, [&](char32_t c, std::string_view bytes) {
        // U+2028 and U+2029 end a line for Java (PlantUML) and older JavaScript, too.
        if (c == '\r' || c == '\n' || c == '\t' || c == 0x2028 || c == 0x2029)
            out += ' ';
        else if (c < 0x20 || c == 0x7F || (c >= 0x80 && c < 0xA0))
            return;
        else if (c == U'\uFFFD')
            append_utf8(out, c);
        else
            out.append(bytes);
    });
    return out;
}

std::string shorten(std::string_view text, std::size_t max_columns) {
    if (text_columns(text) <= max_columns) return std::string(text);
    std::string out;
    std::size_t used = 0;
    std::size_t budget = max_columns == 0 ? 0 : max_columns - 1;  // room for the ellipsis
    bool full = false;
    for_each_code_point(text, [&](char32_t c, std::string_view bytes) {
        if (full) return;
        std::size_t w = static_cast<std::size_t>(code_point_columns(c));
        if (used + w > budget) {
            full = true;
            return;
        }
        if (c == U'\uFFFD')
            append_utf8(out, c);
        else
            out.append(bytes);
        used += w;
    });
    if (max_columns > 0) out += "…";
    return out;
}

}  // namespace maillab::exporting
