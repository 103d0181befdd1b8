// Content-Type and Content-Disposition values (RFC 2045 5.1, RFC 2183): a token, then
// "; name=value" parameters whose values are tokens or quoted strings, with (comments) allowed
// between. RFC 2231 extends names: "name*=charset'lang'%XX" carries a charset, and
// "name*0=", "name*1*=" ... continue one value over several parameters. Encoded words inside a
// quoted value are not standard but common; they are decoded too, as mail readers do.

#include <algorithm>
#include <cctype>
#include <map>

#include <fmt/format.h>

#include "sim/core/bytes.hpp"
#include "sim/mime/codecs.hpp"
#include "sim/mime/message.hpp"

namespace maillab::mime {
namespace {

struct cursor {
    std::string_view s;
    std::size_t i = 0;

    void skip_space_and_comments() {
        for (;;) {
            while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'))
                ++i;
            if (i < s.size() && s[i] == '(') {
                int depth = 0;
                while (i < s.size()) {
                    // A backslash at the very end must not step past it.
                    if (s[i] == '\\') i = std::min(i + 2, s.size());
                    else {
                        if (s[i] == '(') ++depth;
                        if (s[i] == ')' && --depth == 0) {
                            ++i;
                            break;
                        }
                        ++i;
                    }
                }
                continue;
            }
            return;
        }
    }
    bool done() const { return i >= s.size(); }
    // A token runs to a separator; real mail puts odd characters in tokens, so only the
    // separators that matter here end one.
    std::string token(std::string_view stop) {
        std::size_t start = i;
        while (i < s.size() && stop.find(s[i]) == std::string_view::npos && s[i] != ' ' &&
               s[i] != '\t')
            ++i;
        return std::string(s.substr(start, i - start));
    }
    std::string quoted(bool& closed) {
        ++i;  // the opening quote
        std::string out;
        closed = false;
        while (i < s.size()) {
            char c = s[i++];
            if (c == '\\' && i < s.size()) out += s[i++];
            else if (c == '"') {
                closed = true;
                break;
            } else out += c;
        }
        return out;
    }
};

using param_list = std::vector<std::pair<std::string, std::string>>;

// Parses "; a=b; c=\"d\"" and assembles RFC 2231 continuations.
// `raw` (optional) receives every parameter as written: name (lower-case, with any RFC 2231
// star) and value (unquoted, not decoded), as IMAP's BODYSTRUCTURE reports them.
param_list parse_params(cursor& c, defect_list& defects, std::size_t offset,
                        param_list* raw = nullptr) {
    struct segment {
        int index;
        bool encoded;
        std::string value;
    };
    std::vector<std::pair<std::string, std::string>> plain;
    std::map<std::string, std::vector<segment>> extended;
    std::vector<std::string> order;  // first appearance of each name
    while (true) {
        c.skip_space_and_comments();
        if (c.done()) break;
        if (c.s[c.i] != ';') {
            defects.push_back({"malformed_parameter", offset + c.i,
                               fmt::format("expected \";\" before \"{}\"",
                                           std::string(c.s.substr(c.i, 20)))});
            // Resynchronise at the next ';'.
            auto semi = c.s.find(';', c.i);
            if (semi == std::string_view::npos) break;
            c.i = semi;
        }
        ++c.i;
        c.skip_space_and_comments();
        if (c.done()) break;
        std::string name = to_lower(c.token("=;"));
        c.skip_space_and_comments();
        if (name.empty() || c.done() || c.s[c.i] != '=') {
            if (!name.empty()) {
                defects.push_back({"malformed_parameter", offset + c.i,
                                   fmt::format("parameter \"{}\" has no value", name)});
                // Kept with an empty value, so a reader sees what was written.
                if (std::find(order.begin(), order.end(), name) == order.end()) order.push_back(name);
                plain.emplace_back(name, "");
            }
            continue;
        }
        ++c.i;
        c.skip_space_and_comments();
        std::string value;
        bool was_quoted = !c.done() && c.s[c.i] == '"';
        if (was_quoted) {
            bool closed = false;
            value = c.quoted(closed);
            if (!closed)
                defects.push_back({"unterminated_quoted_string", offset + c.i,
                                   fmt::format("parameter \"{}\" has no closing quote", name)});
        } else {
            value = c.token(";");
        }
        if (raw) raw->emplace_back(name, value);
        // name*N or name*N* or name*
        auto star = name.find('*');
        if (star == std::string::npos) {
            if (was_quoted && value.find("=?") != std::string::npos)
                value = decode_header_text(value, &defects);
            if (std::find(order.begin(), order.end(), name) == order.end()) order.push_back(name);
            plain.emplace_back(name, value);
            continue;
        }
        std::string base = name.substr(0, star);
        std::string rest = name.substr(star + 1);
        bool encoded = !rest.empty() && rest.back() == '*';
        if (encoded) rest.pop_back();
        else if (rest.empty()) encoded = true;  // "name*=" is a single encoded segment
        int index = 0;
        if (!rest.empty()) {
            if (!std::all_of(rest.begin(), rest.end(), ::isdigit)) {
                defects.push_back({"malformed_parameter", offset + c.i,
                                   fmt::format("bad RFC 2231 section \"{}\"", name)});
                continue;
            }
            index = std::stoi(rest.substr(0, 6));
        }
        if (std::find(order.begin(), order.end(), base) == order.end()) order.push_back(base);
        extended[base].push_back({index, encoded, value});
    }
    param_list out;
    for (const auto& name : order) {
        auto ext = extended.find(name);
        if (ext != extended.end()) {
            // RFC 2231 wins over a plain parameter of the same name (the plain one is the
            // fallback for old readers).
            auto& segs = ext->second;
            std::stable_sort(segs.begin(), segs.end(),
                             [](const segment& a, const segment& b) { return a.index < b.index; });
            std::string charset_part;
            std::string bytes;
            bool any_encoded = std::any_of(segs.begin(), segs.end(),
                                           [](const segment& sg) { return sg.encoded; });
            if (!any_encoded) {
                for (const auto& sg : segs) bytes += sg.value;
                out.emplace_back(name, bytes);
                continue;
            }
            for (std::size_t k = 0; k < segs.size(); ++k) {
                if (segs[k].encoded) {
                    std::string v = segs[k].value;
                    if (k == 0) {
                        // Keep "charset'lang'" for the decoder, percent-decode the rest later.
                        auto q1 = v.find('\'');
                        auto q2 = q1 == std::string::npos ? q1 : v.find('\'', q1 + 1);
                        if (q2 != std::string::npos) {
                            charset_part = v.substr(0, q2 + 1);
                            v = v.substr(q2 + 1);
                        }
                    }
                    bytes += v;
                } else {
                    // Unencoded sections are literal; protect their '%' from percent-decoding.
                    for (char ch : segs[k].value) {
                        if (ch == '%') bytes += "%25";
                        else bytes += ch;
                    }
                }
            }
            // Without a charset the octets are taken as US-ASCII (RFC 2231 4).
            out.emplace_back(name, decode_rfc2231_value(charset_part.empty()
                                                            ? "us-ascii''" + bytes
                                                            : charset_part + bytes,
                                                        &defects));
            continue;
        }
        for (const auto& [n, v] : plain)
            if (n == name) {
                out.emplace_back(n, v);
                break;
            }
    }
    return out;
}

}  // namespace

const std::string* content_type::param(std::string_view name) const {
    for (const auto& [n, v] : params)
        if (n == name) return &v;
    return nullptr;
}

content_type parse_content_type(std::string_view value, defect_list& defects, std::size_t offset) {
    content_type ct;
    cursor c{value};
    c.skip_space_and_comments();
    std::string type = to_lower(c.token("/;"));
    c.skip_space_and_comments();
    if (type.empty() || c.done() || c.s[c.i] != '/') {
        defects.push_back({"invalid_content_type", offset,
                           fmt::format("\"{}\" is not type/subtype; text/plain assumed",
                                       std::string(value.substr(0, 60)))});
        // The parameters may still be good (a charset is worth keeping).
        if (!c.done() && c.s[c.i] == ';')
            ct.params = parse_params(c, defects, offset, &ct.raw_params);
        return ct;
    }
    ++c.i;
    c.skip_space_and_comments();
    std::string subtype = to_lower(c.token(";"));
    if (subtype.empty()) {
        defects.push_back({"invalid_content_type", offset, "no subtype; text/plain assumed"});
        return ct;
    }
    ct.type = type;
    ct.subtype = subtype;
    ct.defaulted = false;
    ct.params = parse_params(c, defects, offset, &ct.raw_params);
    return ct;
}

std::pair<std::string, std::vector<std::pair<std::string, std::string>>> parse_disposition(
    std::string_view value, defect_list& defects, std::size_t offset,
    std::vector<std::pair<std::string, std::string>>* raw_params) {
    cursor c{value};
    c.skip_space_and_comments();
    std::string kind = to_lower(c.token(";"));
    return {kind, parse_params(c, defects, offset, raw_params)};
}

}  // namespace maillab::mime
