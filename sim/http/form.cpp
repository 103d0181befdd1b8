#include "sim/http/form.hpp"

#include "sim/core/bytes.hpp"
#include "sim/mime/message.hpp"

namespace maillab::http {

const form_field* form_data::find(std::string_view name) const {
    for (const auto& f : fields)
        if (f.name == name) return &f;
    return nullptr;
}

std::string form_data::value(std::string_view name) const {
    const form_field* f = find(name);
    return f ? f->value : std::string();
}

std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space) {
    std::string out;
    out.reserve(text.size());
    auto hex = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (c == '+' && plus_is_space) {
            out += ' ';
        } else if (c == '%') {
            if (i + 2 >= text.size()) return std::nullopt;
            int hi = hex(text[i + 1]), lo = hex(text[i + 2]);
            if (hi < 0 || lo < 0) return std::nullopt;
            out += static_cast<char>(hi * 16 + lo);
            i += 2;
        } else {
            out += c;
        }
    }
    return out;
}

std::string percent_encode(std::string_view text) {
    static constexpr char digits[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : text) {
        if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += digits[c >> 4];
            out += digits[c & 15];
        }
    }
    return out;
}

form_data parse_urlencoded(std::string_view body) {
    form_data form;
    std::size_t pos = 0;
    while (pos <= body.size() && !body.empty()) {
        std::size_t amp = body.find('&', pos);
        std::string_view pair = body.substr(pos, amp == std::string_view::npos ? amp : amp - pos);
        if (!pair.empty()) {
            std::size_t eq = pair.find('=');
            auto name = percent_decode(pair.substr(0, eq), true);
            auto value = percent_decode(eq == std::string_view::npos ? std::string_view()
                                                                     : pair.substr(eq + 1),
                                        true);
            if (!name || !value) {
                form.error = "a bad %-escape in the form data";
                return form;
            }
            form.fields.push_back({*name, *value, std::nullopt, ""});
        }
        if (amp == std::string_view::npos) break;
        pos = amp + 1;
    }
    return form;
}

form_data parse_query(std::string_view target) {
    auto q = target.find('?');
    if (q == std::string_view::npos) return {};
    return parse_urlencoded(target.substr(q + 1));
}

std::string path_of(std::string_view target) {
    return std::string(target.substr(0, target.find('?')));
}

form_data parse_form(std::string_view content_type, std::string_view body) {
    std::string type = to_lower(content_type.substr(0, content_type.find(';')));
    type = std::string(trim(type));
    if (type == "application/x-www-form-urlencoded" || type.empty()) return parse_urlencoded(body);
    if (type != "multipart/form-data") {
        form_data f;
        f.error = "the form body is " + type + ", not a form";
        return f;
    }
    // A multipart/form-data body is a MIME multipart: give it its Content-Type header and let
    // the MIME parser find the parts, their names and file names (RFC 7578 4.2).
    std::string whole = "Content-Type: " + std::string(content_type) + "\r\n\r\n";
    whole.append(body);
    mime::message msg(std::move(whole));
    form_data form;
    const mime::part& root = msg.root();
    const std::string* boundary = root.type.param("boundary");
    if (!root.is_multipart() || !boundary || boundary->empty() ||
        body.find("--" + *boundary) == std::string_view::npos) {
        form.error = "multipart/form-data without a usable boundary";
        return form;
    }
    for (const auto& p : root.children) {
        const mime::header_field* cd = p.header.find("Content-Disposition");
        if (!cd) continue;
        mime::defect_list defects;
        auto [disposition, params] =
            mime::parse_disposition(mime::unfold(cd->value.of(msg.raw())), defects, 0);
        form_field field;
        for (const auto& [key, value] : params) {
            if (iequals(key, "name")) field.name = value;
            if (iequals(key, "filename")) field.filename = value;
        }
        if (field.filename) field.filename = p.filename.empty() ? *field.filename : p.filename;
        field.value = msg.decoded_body(p);
        field.content_type = p.header.find("Content-Type") ? p.type.mime_type() : "";
        form.fields.push_back(std::move(field));
    }
    return form;
}

}  // namespace maillab::http
