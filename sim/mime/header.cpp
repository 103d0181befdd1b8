// RFC 5322 2.2 header fields: "name: value", continued on lines that start with a space or tab
// (folding, 2.2.3). The header ends at the first empty line (2.1). A line that is neither a field
// nor a continuation also ends it, as in the seed's SMTPDemo mail: a defect, and the line starts
// the body (what mail readers and Python's email package do).

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "sim/core/bytes.hpp"
#include "sim/mime/message.hpp"

namespace maillab::mime {
namespace {
// The end of the line starting at `pos` (just after its LF, or `end`).
std::size_t line_end(std::string_view raw, std::size_t pos, std::size_t end) {
    auto lf = raw.find('\n', pos);
    return (lf == std::string_view::npos || lf >= end) ? end : lf + 1;
}

bool is_blank_line(std::string_view line) { return line == "\r\n" || line == "\n" || line == "\r"; }

std::size_t field_name_length(std::string_view line) {
    auto colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) return 0;
    for (std::size_t i = 0; i < colon; ++i) {
        unsigned char c = static_cast<unsigned char>(line[i]);
        if (c < 33 || c > 126) {
            // RFC 5322 forbids space before the colon, but "Subject : x" exists in the wild.
            std::string_view rest = line.substr(i, colon - i);
            if (std::all_of(rest.begin(), rest.end(), [](char ch) { return ch == ' ' || ch == '\t'; }))
                return i;
            return 0;
        }
    }
    return colon;
}

std::size_t strip_line_end(std::string_view raw, std::size_t begin, std::size_t end) {
    while (end > begin && (raw[end - 1] == '\n' || raw[end - 1] == '\r')) --end;
    return end;
}
}  // namespace

const header_field* header_block::find(std::string_view name) const {
    for (const auto& f : fields)
        if (iequals(f.name, name)) return &f;
    return nullptr;
}

header_block parse_header(std::string_view raw, std::size_t begin, std::size_t end,
                          std::size_t* body_begin, defect_list& defects, std::size_t max_fields) {
    header_block block;
    std::size_t fields_seen = 0;
    block.range.begin = begin;
    std::size_t pos = begin;
    bool noted_8bit = false;
    while (pos < end) {
        std::size_t next = line_end(raw, pos, end);
        std::string_view line = raw.substr(pos, next - pos);
        if (is_blank_line(line)) {
            pos = next;  // the empty line belongs to the header block
            break;
        }
        if ((line.front() == ' ' || line.front() == '\t')) {
            if (fields_seen > max_fields) {  // the fold of a dropped field
                pos = next;
                continue;
            }
            if (!block.fields.empty()) {
                block.fields.back().raw.end = next;
                block.fields.back().value.end = strip_line_end(raw, pos, next);
                pos = next;
                continue;
            }
            defects.push_back({"first_line_is_continuation", pos,
                               "the header starts with a folded line"});
            pos = next;
            continue;
        }
        std::size_t name_len = field_name_length(line);
        if (name_len == 0) {
            // Not a header field: the header is over, without the empty line.
            defects.push_back({"missing_header_body_separator", pos,
                               fmt::format("\"{}\" is not a header field; the body starts here",
                                           visible_bytes(line.substr(0, 40)))});
            break;
        }
        if (!noted_8bit && has_8bit(line)) {
            noted_8bit = true;
            defects.push_back({"8bit_in_header", pos,
                               fmt::format("raw 8-bit bytes in the {} field",
                                           std::string(line.substr(0, name_len)))});
        }
        if (++fields_seen > max_fields) {
            if (fields_seen == max_fields + 1)
                defects.push_back({"too_many_header_fields", pos,
                                   fmt::format("more than {} header fields: the rest of the "
                                               "header is skipped",
                                               max_fields)});
            pos = next;
            continue;
        }
        header_field f;
        f.name = std::string(line.substr(0, name_len));
        f.raw = {pos, next};
        std::size_t colon = pos + line.find(':');
        f.value = {colon + 1, strip_line_end(raw, colon + 1, next)};
        block.fields.push_back(std::move(f));
        pos = next;
    }
    block.range.end = pos;
    if (body_begin) *body_begin = pos;
    return block;
}

std::string unfold(std::string_view value) {
    // RFC 5322 2.2.3: remove the CRLF of each fold, keep the whitespace that follows.
    std::string out;
    out.reserve(value.size());
    for (std::size_t i = 0; i < value.size(); ++i) {
        char c = value[i];
        if (c == '\r' || c == '\n') continue;
        out += c;
    }
    // The leading space after the colon is not part of the value.
    std::size_t start = 0;
    while (start < out.size() && (out[start] == ' ' || out[start] == '\t')) ++start;
    std::size_t stop = out.size();
    while (stop > start && (out[stop - 1] == ' ' || out[stop - 1] == '\t')) --stop;
    return out.substr(start, stop - start);
}

}  // namespace maillab::mime
