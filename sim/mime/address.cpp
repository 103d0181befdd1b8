#include "sim/mime/address.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "sim/mime/codecs.hpp"

namespace maillab::mime {
namespace {

constexpr std::string_view specials = "()<>@,:;.\"[]";

enum class token_kind { atom, quoted, special };
struct token {
    token_kind kind;
    std::string text;
    bool space_before;
};

std::vector<token> tokenize(std::string_view s, defect_list* defects) {
    std::vector<token> out;
    std::size_t i = 0;
    bool space = false;
    while (i < s.size()) {
        char c = s[i];
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            space = true;
            ++i;
        } else if (c == '(') {  // comment, possibly nested; dropped
            int depth = 0;
            while (i < s.size()) {
                if (s[i] == '\\') {
                    i = std::min(i + 2, s.size());  // never past the end
                    continue;
                }
                if (s[i] == '(') ++depth;
                if (s[i] == ')' && --depth == 0) {
                    ++i;
                    break;
                }
                ++i;
            }
            space = true;
        } else if (c == '"') {
            std::string text;
            ++i;
            bool closed = false;
            while (i < s.size()) {
                if (s[i] == '\\' && i + 1 < s.size()) {
                    text += s[i + 1];
                    i += 2;
                } else if (s[i] == '"') {
                    ++i;
                    closed = true;
                    break;
                } else {
                    text += s[i++];
                }
            }
            if (!closed && defects) defects->push_back({"unterminated_quoted_string", i, "in an address"});
            out.push_back({token_kind::quoted, text, space});
            space = false;
        } else if (specials.find(c) != std::string_view::npos) {
            out.push_back({token_kind::special, std::string(1, c), space});
            space = false;
            ++i;
        } else {
            std::size_t start = i;
            while (i < s.size() && specials.find(s[i]) == std::string_view::npos && s[i] != ' ' &&
                   s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
                ++i;
            out.push_back({token_kind::atom, std::string(s.substr(start, i - start)), space});
            space = false;
        }
    }
    return out;
}

// Display-name words joined by single spaces; runs of atoms are decoded together, so adjacent
// encoded words join as RFC 2047 6.2 says; quoted strings are taken literally.
std::string phrase(const std::vector<token>& t, std::size_t from, std::size_t to, bool decode) {
    std::string out;
    std::string atoms;
    auto flush = [&] {
        if (atoms.empty()) return;
        if (!out.empty()) out += ' ';
        out += decode ? decode_header_text(atoms) : atoms;
        atoms.clear();
    };
    for (std::size_t k = from; k < to; ++k) {
        if (t[k].kind == token_kind::quoted) {
            flush();
            if (!out.empty()) out += ' ';
            out += t[k].text;
            continue;
        }
        if (!atoms.empty() && t[k].space_before) atoms += ' ';
        atoms += t[k].text;
    }
    flush();
    return out;
}

// addr-spec: tokens joined without spaces ("local" "@" "domain" ...).
std::string addr_spec(const std::vector<token>& t, std::size_t from, std::size_t to) {
    std::string out;
    for (std::size_t k = from; k < to; ++k) {
        if (t[k].kind == token_kind::quoted) {
            bool needs = t[k].text.empty() || t[k].text.find_first_of(" \t\"\\()<>,;:@[]") != std::string::npos;
            out += needs ? fmt::format("\"{}\"", t[k].text) : t[k].text;
        } else {
            out += t[k].text;
        }
    }
    return out;
}

mailbox_address mailbox(const std::vector<token>& t, std::size_t from, std::size_t to,
                        bool decode) {
    for (std::size_t k = from; k < to; ++k) {
        if (t[k].kind == token_kind::special && t[k].text == "<") {
            std::size_t close = k + 1;
            while (close < to && !(t[close].kind == token_kind::special && t[close].text == ">")) ++close;
            // Obsolete source routes "<@a,@b:user@c>": keep what follows the colon.
            std::size_t start = k + 1;
            for (std::size_t q = k + 1; q < close; ++q)
                if (t[q].kind == token_kind::special && t[q].text == ":") start = q + 1;
            return {phrase(t, from, k, decode), addr_spec(t, start, close)};
        }
    }
    return {"", addr_spec(t, from, to)};
}

}  // namespace

std::vector<address_entry> parse_address_list(std::string_view value, defect_list* defects,
                                              bool decode_names) {
    std::vector<token> t = tokenize(value, defects);
    std::vector<address_entry> out;
    std::size_t k = 0;
    while (k < t.size()) {
        // One entry runs to a top-level comma; a group runs to its ';'.
        std::size_t colon = t.size(), end = k;
        int angle = 0;
        for (; end < t.size(); ++end) {
            const token& x = t[end];
            if (x.kind != token_kind::special) continue;
            if (x.text == "<") ++angle;
            if (x.text == ">") --angle;
            if (x.text == ":" && angle == 0 && colon == t.size()) colon = end;
            if (x.text == "," && angle <= 0 && colon == t.size()) break;
            if (x.text == ";" && colon != t.size()) break;
        }
        if (colon != t.size()) {
            address_entry group;
            group.is_group = true;
            group.group_name = phrase(t, k, colon, decode_names);
            std::size_t m = colon + 1;
            while (m < end) {
                std::size_t stop = m;
                int a = 0;
                while (stop < end) {
                    if (t[stop].kind == token_kind::special) {
                        if (t[stop].text == "<") ++a;
                        if (t[stop].text == ">") --a;
                        if (t[stop].text == "," && a <= 0) break;
                    }
                    ++stop;
                }
                if (stop > m) group.members.push_back(mailbox(t, m, stop, decode_names));
                m = stop + 1;
            }
            out.push_back(std::move(group));
        } else if (end > k) {
            out.push_back({false, "", {mailbox(t, k, end, decode_names)}});
        }
        k = end + 1;
    }
    return out;
}

std::string render_address_list(const std::vector<address_entry>& entries) {
    auto render_mailbox = [](const mailbox_address& m) {
        if (m.display_name.empty()) return m.address;
        std::string name = m.display_name;
        if (name.find_first_of(specials) != std::string::npos) {
            std::string quoted = "\"";
            for (char c : name) {
                if (c == '"' || c == '\\') quoted += '\\';
                quoted += c;
            }
            name = quoted + "\"";
        }
        return fmt::format("{} <{}>", name, m.address);
    };
    std::string out;
    for (const auto& e : entries) {
        if (!out.empty()) out += ", ";
        if (e.is_group) {
            out += e.group_name + ":";
            std::string members;
            for (const auto& m : e.members) members += (members.empty() ? " " : ", ") + render_mailbox(m);
            out += members + ";";
        } else if (!e.members.empty()) {
            out += render_mailbox(e.members.front());
        }
    }
    return out;
}

}  // namespace maillab::mime
