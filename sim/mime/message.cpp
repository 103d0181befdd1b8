// The part tree (RFC 2045-2046): a part is a header and a body; a multipart body is cut at its
// boundary lines (RFC 2046 5.1.1: "--boundary", the last one "--boundary--", the line break
// before a boundary line belongs to it); a message/rfc822 body is a whole message again.
// Ranges only: no body is copied while parsing.

#include "sim/mime/message.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "sim/core/bytes.hpp"
#include "sim/mime/codecs.hpp"

namespace maillab::mime {
namespace {

std::size_t line_end_at(std::string_view raw, std::size_t pos, std::size_t end) {
    auto lf = raw.find('\n', pos);
    return (lf == std::string_view::npos || lf >= end) ? end : lf + 1;
}

// Whether the line [pos, next) is a boundary line for `boundary`; sets `closing` for "--b--".
bool is_boundary_line(std::string_view raw, std::size_t pos, std::size_t next,
                      std::string_view boundary, bool& closing) {
    std::string_view line = raw.substr(pos, next - pos);
    if (line.size() < boundary.size() + 2 || line[0] != '-' || line[1] != '-') return false;
    if (line.substr(2, boundary.size()) != boundary) return false;
    std::string_view rest = line.substr(2 + boundary.size());
    closing = rest.size() >= 2 && rest[0] == '-' && rest[1] == '-';
    if (closing) rest.remove_prefix(2);
    // RFC 2046 5.1.1 allows trailing whitespace ("transport padding") after the boundary.
    for (char c : rest)
        if (c != ' ' && c != '\t' && c != '\r' && c != '\n') return false;
    return true;
}

// The start of the line break that ends the text before `pos` (it belongs to the boundary).
std::size_t before_line_break(std::string_view raw, std::size_t begin, std::size_t pos) {
    if (pos > begin && raw[pos - 1] == '\n') --pos;
    if (pos > begin && raw[pos - 1] == '\r') --pos;
    return pos;
}

void parse_part(std::string_view raw, std::size_t begin, std::size_t end, part& p, int depth,
                std::string_view default_type);

void parse_multipart(std::string_view raw, part& p, int depth) {
    const std::string* boundary = p.type.param("boundary");
    if (!boundary || boundary->empty()) {
        p.defects.push_back({"multipart_without_boundary", p.body.begin,
                             "a multipart type without a boundary parameter: read as one text"});
        return;
    }
    // RFC 2046 5.1.1: parts of multipart/digest default to message/rfc822.
    std::string_view child_default = p.type.subtype == "digest" ? "message/rfc822" : "text/plain";
    std::size_t pos = p.body.begin;
    std::size_t part_start = std::string::npos;
    bool closed = false;
    while (pos < p.body.end) {
        std::size_t next = line_end_at(raw, pos, p.body.end);
        bool closing = false;
        if (is_boundary_line(raw, pos, next, *boundary, closing)) {
            std::size_t text_end = before_line_break(raw, p.body.begin, pos);
            if (part_start == std::string::npos) {
                p.preamble = {p.body.begin, text_end};
            } else {
                part child;
                parse_part(raw, part_start, std::max(part_start, text_end), child, depth + 1,
                           child_default);
                p.children.push_back(std::move(child));
            }
            p.boundary_lines.push_back({pos, next});
            part_start = next;
            if (closing) {
                closed = true;
                p.epilogue = {next, p.body.end};
                break;
            }
        }
        pos = next;
    }
    if (part_start == std::string::npos) {
        p.defects.push_back({"no_boundary_found", p.body.begin,
                             fmt::format("the boundary \"{}\" never appears in the body",
                                         *boundary)});
        return;
    }
    if (!closed) {
        p.defects.push_back({"missing_final_boundary", p.body.end,
                             fmt::format("no closing \"--{}--\" line", *boundary)});
        if (part_start < p.body.end) {
            // The last line break most likely preceded the missing close delimiter: it goes
            // with it, as for a closed multipart (and as Python's email package does).
            std::size_t last_end = before_line_break(raw, part_start, p.body.end);
            part child;
            parse_part(raw, part_start, last_end, child, depth + 1, child_default);
            p.children.push_back(std::move(child));
        }
    }
}

void parse_part(std::string_view raw, std::size_t begin, std::size_t end, part& p, int depth,
                std::string_view default_type) {
    p.whole = {begin, end};
    std::size_t body_begin = begin;
    p.header = parse_header(raw, begin, end, &body_begin, p.defects);
    p.body = {body_begin, end};

    if (const header_field* f = p.header.find("Content-Type")) {
        p.type = parse_content_type(unfold(f->value.of(raw)), p.defects, f->value.begin);
    } else if (default_type == "message/rfc822") {
        p.type.type = "message";
        p.type.subtype = "rfc822";
    }
    if (const header_field* f = p.header.find("Content-Transfer-Encoding")) {
        p.encoding = to_lower(unfold(f->value.of(raw)));
        if (p.encoding != "7bit" && p.encoding != "8bit" && p.encoding != "binary" &&
            p.encoding != "base64" && p.encoding != "quoted-printable")
            p.defects.push_back({"unknown_transfer_encoding", f->value.begin,
                                 fmt::format("\"{}\": the body is taken as it is", p.encoding)});
    }
    std::vector<std::pair<std::string, std::string>> disposition_params;
    if (const header_field* f = p.header.find("Content-Disposition")) {
        auto [kind, params] = parse_disposition(unfold(f->value.of(raw)), p.defects, f->value.begin);
        p.disposition = kind;
        disposition_params = std::move(params);
    }
    for (const auto& [n, v] : disposition_params)
        if (n == "filename") p.filename = v;
    if (p.filename.empty())
        if (const std::string* name = p.type.param("name")) p.filename = *name;

    if (depth >= message::max_depth && (p.is_multipart() || p.is_message())) {
        p.defects.push_back({"nesting_too_deep", begin,
                             fmt::format("more than {} nested levels: not parsed further",
                                         message::max_depth)});
        return;
    }
    if (p.is_multipart()) {
        parse_multipart(raw, p, depth);
    } else if (p.is_delivery_status()) {
        // Each block of fields becomes a child part with a header and no body.
        std::size_t pos = p.body.begin;
        while (pos < p.body.end) {
            part block;
            std::size_t after = pos;
            block.header = parse_header(raw, pos, p.body.end, &after, block.defects);
            if (after == pos) break;  // not a field: nothing more to read as blocks
            block.whole = {pos, after};
            block.body = {after, after};
            if (!block.header.fields.empty()) p.children.push_back(std::move(block));
            pos = after;
        }
    } else if (p.is_message() &&
               (p.encoding == "base64" || p.encoding == "quoted-printable")) {
        // RFC 2046 5.2.1: an enclosed message may only be 7bit, 8bit or binary.
        p.defects.push_back({"encoded_message", p.body.begin,
                             fmt::format("a {} encoded with {}: its structure is not shown",
                                         p.type.mime_type(), p.encoding)});
    } else if (p.is_message()) {
        part inner;
        parse_part(raw, p.body.begin, p.body.end, inner, depth + 1, "text/plain");
        p.children.push_back(std::move(inner));
    }
}

void collect(const part& p, defect_list& out) {
    out.insert(out.end(), p.defects.begin(), p.defects.end());
    for (const auto& c : p.children) collect(c, out);
}

}  // namespace

message::message(std::string raw) : raw_(std::move(raw)) {
    // An mbox envelope line ("From sender date") before the header is not part of the message.
    std::size_t start = 0;
    if (raw_.rfind("From ", 0) == 0) {
        auto lf = raw_.find('\n');
        start = lf == std::string::npos ? raw_.size() : lf + 1;
    }
    parse_part(raw_, start, raw_.size(), root_, 0, "text/plain");
}

std::optional<std::string> message::header_raw(const part& p, std::string_view name) const {
    const header_field* f = p.header.find(name);
    if (!f) return std::nullopt;
    return unfold(f->value.of(raw_));
}

std::string message::header_text(const part& p, std::string_view name,
                                 defect_list* defects) const {
    auto value = header_raw(p, name);
    if (!value) return {};
    defect_list local;
    std::string text = decode_header_text(*value, &local);
    const header_field* f = p.header.find(name);
    if (defects)
        for (auto& d : local) defects->push_back({d.kind, f->value.begin, d.detail});
    return text;
}

std::string message::decoded_body(const part& p, defect_list* defects) const {
    std::string_view body = p.body.of(raw_);
    defect_list local;
    std::string out;
    if (p.encoding == "base64") out = decode_base64(body, &local);
    else if (p.encoding == "quoted-printable") out = decode_quoted_printable(body, &local);
    else out = std::string(body);
    // The codecs count from the start of the body; defects point into the raw message.
    if (defects)
        for (auto& d : local) defects->push_back({d.kind, d.offset + p.body.begin, d.detail});
    return out;
}

std::string message::text(const part& p, defect_list* defects) const {
    std::string bytes = decoded_body(p, defects);
    const std::string* charset = p.type.param("charset");
    std::string name = charset ? *charset : "us-ascii";
    defect_list local;
    auto converted = to_utf8(bytes, name, &local);
    // Offsets of a conversion are in the decoded text: point at the part's body instead.
    if (defects)
        for (auto& d : local) defects->push_back({d.kind, p.body.begin, d.detail});
    if (converted) return *converted;
    if (defects)
        defects->push_back({"unknown_charset", p.body.begin,
                            fmt::format("charset \"{}\" is unknown: read as UTF-8", name)});
    auto fallback = to_utf8(bytes, "utf-8", defects);
    return fallback ? *fallback : bytes;
}

defect_list message::all_defects() const {
    defect_list out;
    collect(root_, out);
    return out;
}

}  // namespace maillab::mime
