#include "sim/mime/describe.hpp"

#include <openssl/evp.h>

#include <fmt/format.h>

#include "sim/core/bytes.hpp"
#include "sim/mime/address.hpp"

namespace maillab::mime {
namespace {

nlohmann::ordered_json part_json(const message& m, const part& p) {
    nlohmann::ordered_json j;
    j["type"] = p.type.mime_type();
    nlohmann::ordered_json params = nlohmann::ordered_json::object();
    for (const auto& [n, v] : p.type.params) params[n] = v;
    j["params"] = params;
    nlohmann::ordered_json headers = nlohmann::ordered_json::object();
    defect_list decoding;
    if (p.header.find("subject")) headers["subject"] = m.header_text(p, "subject", &decoding);
    for (const char* name : {"from", "to"})
        if (auto raw = m.header_raw(p, name))
            headers[name] = render_address_list(parse_address_list(*raw));
    if (auto date = m.header_raw(p, "date")) headers["date"] = *date;
    j["headers"] = headers;
    nlohmann::ordered_json defects = nlohmann::ordered_json::array();
    for (const auto& d : p.defects) defects.push_back(d.kind);
    bool leaf = p.children.empty() && !p.is_message();
    std::string bytes;
    std::string text;
    // text() decodes the body too: ask only one of the two for the decoding defects.
    if (leaf) bytes = m.decoded_body(p, p.type.type == "text" ? nullptr : &decoding);
    if (leaf && p.type.type == "text") text = m.text(p, &decoding);
    for (const auto& d : decoding) defects.push_back(d.kind);
    j["defects"] = defects;
    if (!leaf) {
        nlohmann::ordered_json parts = nlohmann::ordered_json::array();
        for (const auto& c : p.children) parts.push_back(part_json(m, c));
        j["parts"] = parts;
        return j;
    }
    j["encoding"] = p.encoding;
    j["disposition"] = p.disposition;
    j["filename"] = p.filename;
    j["size"] = bytes.size();
    j["sha256"] = sha256_hex(bytes);
    if (p.type.type == "text") j["text_sha256"] = sha256_hex(text);
    return j;
}

void tree_lines(const message& m, const part& p, const std::string& prefix, bool last,
                bool root, std::string& out) {
    std::string line = root ? "" : prefix + (last ? "└─ " : "├─ ");
    line += p.type.mime_type();
    if (const std::string* cs = p.type.param("charset")) line += fmt::format("; charset={}", *cs);
    if (p.is_multipart()) {
        if (const std::string* b = p.type.param("boundary"))
            line += fmt::format("  boundary=\"{}\"", *b);
        line += fmt::format("  ({} part(s))", p.children.size());
    }
    defect_list defects = p.defects;
    if (p.children.empty() && !p.is_message()) {
        line += fmt::format("  {}  {} bytes", p.encoding, m.decoded_body(p, &defects).size());
        if (!p.disposition.empty()) line += "  " + p.disposition;
        if (!p.filename.empty()) line += fmt::format("  filename=\"{}\"", p.filename);
    }
    for (const auto& d : defects) line += fmt::format("  [defect {} at {}: {}]", d.kind, d.offset, d.detail);
    out += line + "\n";
    std::string child_prefix = root ? "" : prefix + (last ? "   " : "│  ");
    for (std::size_t i = 0; i < p.children.size(); ++i)
        tree_lines(m, p.children[i], child_prefix, i + 1 == p.children.size(), false, out);
}

}  // namespace

std::string sha256_hex(std::string_view bytes) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_Digest(bytes.data(), bytes.size(), md, &len, EVP_sha256(), nullptr);
    std::string hex;
    for (unsigned int i = 0; i < len; ++i) hex += fmt::format("{:02x}", md[i]);
    return hex;
}

nlohmann::ordered_json canonical_json(const message& m) { return part_json(m, m.root()); }

std::string part_tree_text(const message& m) {
    std::string out;
    for (const char* name : {"Subject", "From", "To", "Date"})
        if (auto v = m.header_raw(m.root(), name))
            out += fmt::format("{}: {}\n", name,
                               std::string(name) == "Date" ? *v : m.header_text(m.root(), name));
    if (!out.empty()) out += "\n";
    tree_lines(m, m.root(), "", true, true, out);
    return out;
}

}  // namespace maillab::mime
