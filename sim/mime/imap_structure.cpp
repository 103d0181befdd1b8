#include "sim/mime/imap_structure.hpp"

#include <fmt/format.h>

#include "sim/core/bytes.hpp"
#include "sim/mime/address.hpp"

namespace maillab::mime {
namespace {

std::string quoted_upper(std::string_view s) { return imap_nstring(to_upper(s)); }

std::string address_list(const message& m, const part& p, std::string_view name,
                         std::string_view fallback = {}) {
    auto raw = m.header_raw(p, name);
    if (!raw && !fallback.empty()) raw = m.header_raw(p, fallback);
    if (!raw || raw->empty()) return "NIL";
    auto entries = parse_address_list(*raw, nullptr, false);
    std::string out;
    auto one = [](const mailbox_address& a) {
        auto at = a.address.rfind('@');
        std::optional<std::string> mailbox = a.address.substr(0, at);
        std::optional<std::string> host;
        if (at != std::string::npos) host = a.address.substr(at + 1);
        std::optional<std::string> display;
        if (!a.display_name.empty()) display = a.display_name;
        return fmt::format("({} NIL {} {})", imap_nstring(display), imap_nstring(mailbox),
                           imap_nstring(host));
    };
    for (const auto& e : entries) {
        if (e.is_group) {
            // RFC 3501 7.4.2: a group is (NIL NIL "name" NIL), its members, (NIL NIL NIL NIL).
            out += fmt::format("(NIL NIL {} NIL)", imap_nstring(e.group_name));
            for (const auto& a : e.members) out += one(a);
            out += "(NIL NIL NIL NIL)";
        } else if (!e.members.empty()) {
            out += one(e.members.front());
        }
    }
    return out.empty() ? "NIL" : "(" + out + ")";
}

std::string param_list(const std::vector<std::pair<std::string, std::string>>& params) {
    if (params.empty()) return "NIL";
    std::string out;
    for (const auto& [n, v] : params)
        out += (out.empty() ? "" : " ") + quoted_upper(n) + " " + imap_nstring(v);
    return "(" + out + ")";
}

std::size_t count_lines(std::string_view body) {
    std::size_t n = 0;
    for (char c : body) n += c == '\n';
    if (!body.empty() && body.back() != '\n') ++n;
    return n;
}

std::string extension_data(const message& m, const part& p, bool multipart) {
    // Single parts: body MD5 first (never computed here: NIL); both: disposition, language,
    // location (RFC 3501 7.4.2, RFC 2557 for location).
    std::string dsp = "NIL";
    if (const header_field* f = p.header.find("Content-Disposition")) {
        defect_list ignored;
        std::vector<std::pair<std::string, std::string>> raw;
        auto [kind, params] = parse_disposition(unfold(f->value.of(m.raw())), ignored, 0, &raw);
        if (!kind.empty()) dsp = fmt::format("({} {})", quoted_upper(kind), param_list(raw));
    }
    auto lang = m.header_raw(p, "Content-Language");
    auto loc = m.header_raw(p, "Content-Location");
    std::string tail = fmt::format("{} {} {}", dsp, lang ? imap_nstring(*lang) : "NIL",
                                   loc ? imap_nstring(*loc) : "NIL");
    return multipart ? tail : "NIL " + tail;
}

}  // namespace

std::string imap_nstring(const std::optional<std::string>& value) {
    if (!value) return "NIL";
    const std::string& s = *value;
    bool literal = false;
    for (unsigned char c : s)
        if (c == '\r' || c == '\n' || c == 0 || c >= 0x80) literal = true;
    if (literal) return fmt::format("{{{}}}\r\n{}", s.size(), s);
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + "\"";
}

std::string imap_envelope(const message& m, const part& p) {
    auto field = [&](std::string_view name) { return imap_nstring(m.header_raw(p, name)); };
    // RFC 3501 7.4.2: Sender and Reply-To default to From.
    return fmt::format("({} {} {} {} {} {} {} {} {} {})", field("Date"), field("Subject"),
                       address_list(m, p, "From"), address_list(m, p, "Sender", "From"),
                       address_list(m, p, "Reply-To", "From"), address_list(m, p, "To"),
                       address_list(m, p, "Cc"), address_list(m, p, "Bcc"),
                       field("In-Reply-To"), field("Message-ID"));
}

std::string imap_body_structure(const message& m, const part& p, bool extensible) {
    if (p.is_multipart() && !p.children.empty()) {
        std::string out = "(";
        for (const auto& c : p.children) out += imap_body_structure(m, c, extensible);
        out += " " + quoted_upper(p.type.subtype);
        if (extensible)
            out += " " + param_list(p.type.raw_params) + " " + extension_data(m, p, true);
        return out + ")";
    }
    // A defaulted Content-Type is reported with its default charset (RFC 2045 5.2).
    auto params = p.type.raw_params;
    if (p.type.defaulted && p.type.type == "text") params = {{"charset", "US-ASCII"}};
    std::string_view body = p.body.of(m.raw());
    std::string out = fmt::format("({} {} {} {} {} {} {}", quoted_upper(p.type.type),
                                  quoted_upper(p.type.subtype), param_list(params),
                                  imap_nstring(m.header_raw(p, "Content-ID")),
                                  imap_nstring(m.header_raw(p, "Content-Description")),
                                  quoted_upper(p.encoding), body.size());
    if (p.type.mime_type() == "message/rfc822" && !p.children.empty()) {
        out += " " + imap_envelope(m, p.children.front()) + " " +
               imap_body_structure(m, p.children.front(), extensible) +
               fmt::format(" {}", count_lines(body));
    } else if (p.type.type == "text") {
        out += fmt::format(" {}", count_lines(body));
    }
    if (extensible) out += " " + extension_data(m, p, false);
    return out + ")";
}

}  // namespace maillab::mime
