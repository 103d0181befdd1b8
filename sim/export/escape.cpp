#include "sim/export/escape.hpp"

#include <array>
#include <cctype>

#include "sim/export/text_fit.hpp"

namespace maillab::exporting {

std::string xml_escape(std::string_view text) {
    std::string out;
    out.reserve(text.size() + text.size() / 8);
    for_each_code_point(text, [&](char32_t c, std::string_view bytes) {
        switch (c) {
            case '&':
                out += "&amp;";
                return;
            case '<':
                out += "&lt;";
                return;
            case '>':
                out += "&gt;";
                return;
            case '"':
                out += "&quot;";
                return;
            case '\'':
                out += "&#39;";
                return;
            default:
                break;
        }
        bool allowed =
            c == '\t' || c == '\n' || c == '\r' || (c >= 0x20 && c != 0xFFFE && c != 0xFFFF);
        if (!allowed || c == U'\uFFFD')
            append_utf8(out, U'\uFFFD');
        else
            out.append(bytes);
    });
    return out;
}

std::string mermaid_escape(std::string_view text) {
    std::string line = one_line(text);
    std::string out;
    out.reserve(line.size() + 16);
    for (char ch : line) {
        switch (ch) {
            case '#':
                out += "#35;";
                break;
            case ';':
                out += "#59;";
                break;
            case '"':
                out += "#quot;";
                break;
            case '<':
                out += "#lt;";
                break;
            case '>':
                out += "#gt;";
                break;
            case '&':
                out += "#amp;";
                break;
            case '%':
                out += "#37;";
                break;  // "%%" starts a comment
            case '$':
                out += "#36;";
                break;  // "$$" starts KaTeX math in Mermaid 10.9+
            case '`':
                out += "#96;";
                break;  // markdown strings
            default:
                out += ch;
        }
    }
    return out;
}

std::string diagram_id(std::string_view host) {
    static constexpr std::array<std::string_view, 34> keywords{
        "end",        "note",       "participant", "actor",      "loop",     "alt",     "else",
        "opt",        "par",        "and",         "rect",       "critical", "break",   "activate",
        "deactivate", "autonumber", "box",         "title",      "over",     "left",    "right",
        "of",         "links",      "link",        "properties", "details",  "create",  "destroy",
        "as",         "group",      "ref",         "return",     "database", "boundary"};
    std::string id;
    for (char ch : host) {
        unsigned char c = static_cast<unsigned char>(ch);
        id += (std::isalnum(c) && c < 0x80) ? ch : '_';
    }
    std::string lower;
    for (char ch : id) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    bool keyword = false;
    for (auto k : keywords) keyword = keyword || lower == k;
    if (id.empty() || !std::isalpha(static_cast<unsigned char>(id[0])) || keyword) id = "h_" + id;
    return id;
}

std::string plantuml_escape(std::string_view text) {
    std::string line = one_line(text);
    std::string out;
    out.reserve(line.size() + 16);
    auto at = [&](std::size_t i) { return i < line.size() ? line[i] : '\0'; };
    for (std::size_t i = 0; i < line.size(); ++i) {
        char ch = line[i];
        bool doubled = at(i + 1) == ch || (i > 0 && line[i - 1] == ch);
        if (i == 0 && (ch == '*' || ch == '#')) {
            out += '~';  // a leading * is a list item, # a numbered one
            out += ch;
            continue;
        }
        if (i == 0 && ch == '|') {
            out += "&#124;";  // a leading | starts a table
            continue;
        }
        switch (ch) {
            case '\\':
                out += "\\\\";
                break;
            case '&':
                out += "&#38;";
                break;
            case '~':
                out += "&#126;";
                break;  // "~" is creole's escape character itself
            case '=':
                out += (doubled || i == 0) ? "&#61;" : "=";  // "==" and a leading "=": headings
                break;
            case '<':
                out += "&#60;";
                // The references are decoded before <U+0041> and <$sprite> are looked for: a
                // zero-width space keeps them text.
                if (((at(i + 1) == 'U' || at(i + 1) == 'u') && at(i + 2) == '+') ||
                    at(i + 1) == '$')
                    out += "\u200B";
                break;
            case '[':
                if (at(i + 1) == '[' || (i > 0 && line[i - 1] == '[')) out += '~';  // [[link]]
                out += ch;
                break;
            case '*':
            case '_':
            case '-':
            case '/':
            case '"':
                if (doubled) out += '~';  // **bold** __underline__ --strike-- //italic// ""mono""
                out += ch;
                break;
            default:
                out += ch;
        }
    }
    return out;
}

namespace {
std::string script_safe(const std::string& json) {
    std::string out;
    out.reserve(json.size() + json.size() / 16);
    for (std::size_t i = 0; i < json.size(); ++i) {
        char ch = json[i];
        if (ch == '<')
            out += "\\u003c";
        else if (ch == '>')
            out += "\\u003e";
        else if (ch == '&')
            out += "\\u0026";
        else if (ch == '\xE2' && i + 2 < json.size() && json[i + 1] == '\x80' &&
                 (json[i + 2] == '\xA8' || json[i + 2] == '\xA9')) {
            out += json[i + 2] == '\xA8' ? "\\u2028" : "\\u2029";
            i += 2;
        } else {
            out += ch;
        }
    }
    return out;
}
}  // namespace

std::string json_for_script(const nlohmann::json& value) {
    return script_safe(value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

std::string json_for_script(const nlohmann::ordered_json& value) {
    return script_safe(value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

}  // namespace maillab::exporting
