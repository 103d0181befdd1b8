#include "sim/view/mime_view.hpp"

#include <algorithm>

namespace maillab::view {
namespace {

void flatten(const mime::part& p, const mime::part* parent, const std::string& number, int depth,
             std::vector<mime_node>& out) {
    out.push_back({&p, parent, number, depth});
    if (p.is_multipart()) {
        for (std::size_t i = 0; i < p.children.size(); ++i)
            flatten(p.children[i], &p, (number.empty() ? "" : number + ".") + std::to_string(i + 1),
                    depth + 1, out);
    } else if (p.is_message() && !p.children.empty()) {
        // RFC 3501 6.4.5: an enclosed message's own parts are numbered below the part that
        // holds it; the enclosed message itself shares that number.
        flatten(p.children.front(), &p, number, depth + 1, out);
    }
}

struct ranges {
    std::vector<mime::byte_range> headers, outside;
    std::vector<std::pair<mime::byte_range, const mime::part*>> boundaries;  // with their multipart
};

void collect(const mime::part& p, ranges& r) {
    r.headers.push_back(p.header.range);
    for (const auto& b : p.boundary_lines) r.boundaries.emplace_back(b, &p);
    if (!p.preamble.empty()) r.outside.push_back(p.preamble);
    if (!p.epilogue.empty()) r.outside.push_back(p.epilogue);
    for (const auto& c : p.children) collect(c, r);
}

const mime::part* parent_of(const mime::part& root, const mime::part* target) {
    for (const auto& c : root.children) {
        if (&c == target) return &root;
        if (const mime::part* found = parent_of(c, target)) return found;
    }
    return nullptr;
}

bool inside(const mime::byte_range& r, std::size_t begin, std::size_t end) {
    return begin >= r.begin && end <= r.end && r.end > r.begin;
}

}  // namespace

std::vector<mime_node> flatten_parts(const mime::message& m) {
    std::vector<mime_node> out;
    flatten(m.root(), nullptr, "", 0, out);
    return out;
}

std::vector<source_line> source_lines(const mime::message& m, const mime::part* selected) {
    const std::string& raw = m.raw();
    ranges r;
    collect(m.root(), r);
    std::sort(r.boundaries.begin(), r.boundaries.end(),
              [](const auto& a, const auto& b) { return a.first.begin < b.first.begin; });

    // The boundary lines that belong to the selection: a multipart's own, or for a part inside
    // one, the line just before it and the line just after it.
    std::vector<std::size_t> chosen;
    bool encoded_body = false;
    if (selected) {
        const std::string& enc = selected->encoding;
        encoded_body = !selected->is_multipart() && (enc == "base64" || enc == "quoted-printable");
        if (selected->is_multipart()) {
            for (const auto& b : selected->boundary_lines) chosen.push_back(b.begin);
        } else if (const mime::part* parent = parent_of(m.root(), selected);
                   parent && parent->is_multipart()) {
            std::optional<std::size_t> before, after;
            for (const auto& b : parent->boundary_lines) {
                if (b.end <= selected->whole.begin) before = b.begin;
                if (!after && b.begin >= selected->whole.end) after = b.begin;
            }
            if (before) chosen.push_back(*before);
            if (after) chosen.push_back(*after);
        }
    }

    std::vector<source_line> out;
    std::size_t next_boundary = 0;
    for (std::size_t pos = 0; pos < raw.size();) {
        std::size_t lf = raw.find('\n', pos);
        std::size_t next = lf == std::string::npos ? raw.size() : lf + 1;
        std::size_t end = lf == std::string::npos ? raw.size() : lf;
        if (end > pos && raw[end - 1] == '\r') --end;
        source_line line;
        line.begin = pos;
        line.end = end;
        while (next_boundary < r.boundaries.size() && r.boundaries[next_boundary].first.begin < pos)
            ++next_boundary;
        if (next_boundary < r.boundaries.size() && r.boundaries[next_boundary].first.begin == pos) {
            line.role = source_role::boundary;
            line.selected_boundary = std::count(chosen.begin(), chosen.end(), pos) > 0;
        } else if (std::any_of(r.headers.begin(), r.headers.end(),
                               [&](const auto& h) { return inside(h, pos, next); })) {
            line.role = source_role::header;
        } else if (std::any_of(r.outside.begin(), r.outside.end(),
                               [&](const auto& o) { return inside(o, pos, end); })) {
            line.role = source_role::outside;
        }
        if (selected) {
            line.in_selected = pos >= selected->whole.begin && pos < selected->whole.end;
            line.encoded = encoded_body && line.role == source_role::body &&
                           pos >= selected->body.begin && pos < selected->body.end;
        }
        out.push_back(line);
        pos = next;
    }
    return out;
}

part_view describe_part(const mime::message& m, const mime::part& p) {
    part_view v;
    v.mime_type = p.type.mime_type();
    v.filename = p.filename;
    if (v.filename.empty())
        if (const std::string* name = p.type.param("name")) v.filename = *name;
    if (const std::string* cs = p.type.param("charset")) v.charset = *cs;
    v.encoding = p.encoding;
    v.encoded_size = p.body.size();
    if (p.is_multipart() || p.is_message()) {
        v.kind = part_kind::container;
        return v;
    }
    v.decoded_size = m.decoded_body(p).size();
    if (p.type.type == "image")
        v.kind = part_kind::image;
    else if (p.disposition == "attachment")
        v.kind = part_kind::attachment;
    else if (p.type.type == "text")
        v.kind = part_kind::text;
    else
        v.kind = part_kind::attachment;
    return v;
}

std::string visible_text(std::string_view raw, std::size_t max_size) {
    mime::message m{std::string(raw)};
    std::string out;
    for (const auto& node : flatten_parts(m)) {
        if (out.size() > max_size) break;
        const mime::part& p = *node.part;
        for (const char* field : {"Subject", "From", "To"}) out += m.header_text(p, field);
        out += p.filename;
        if (!p.is_multipart() && !p.is_message() && p.type.type == "text")
            out += m.text(p).substr(0, max_size);
    }
    return out;
}

}  // namespace maillab::view
