// Theory of operation. An HTML mail is shown in the webmail's own page, so anything active in it
// (script, event handlers, javascript: links, forms, frames, style sheets that restyle the page,
// remote images that report the reading) would run or load with the webmail's authority.
// Filtering the markup text cannot work: browsers repair broken HTML in ways that text filters do
// not foresee ("<<script>script>", "java&#x09;script:", "<noscript><p title=\"</noscript>...").
// So the mail is parsed by gumbo, which follows the HTML5 tree construction algorithm a browser
// follows (with scripting off, so <noscript> content is markup), and the output is written from
// the tree: an element is kept (tag written again, attributes filtered), dropped with its whole
// subtree, or unwrapped (tag dropped, children kept). Text and attribute values are always
// escaped; style attributes are split into declarations and rebuilt from those that pass. The
// walk uses its own stack, not recursion, so deep nesting cannot overflow the call stack.
//
// URLs are judged as the browser's URL parser reads them (WHATWG URL: leading and trailing
// controls and spaces stripped, tabs and newlines removed anywhere), and also with every
// character up to space removed, which catches the spellings older browsers accepted; gumbo has
// already decoded the character references ("&colon;", "&#x09;").

#include "sim/http/html_sanitizer.hpp"

#include <gumbo.h>

#include <memory>
#include <optional>
#include <set>
#include <utility>

namespace maillab::http {
namespace {

// ---- small text helpers --------------------------------------------------------------------

unsigned char byte(char c) { return static_cast<unsigned char>(c); }

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string to_lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = lower(c);
    return out;
}

bool is_css_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

std::string_view trim_css(std::string_view s) {
    while (!s.empty() && is_css_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_css_space(s.back())) s.remove_suffix(1);
    return s;
}

bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Names quoted from the input in `removed` stay short; the cut does not split a UTF-8 sequence.
std::string shorten(std::string_view s, std::size_t max = 60) {
    if (s.size() <= max) return std::string(s);
    std::size_t cut = max;
    while (cut > 0 && (byte(s[cut]) & 0xC0) == 0x80) --cut;
    return std::string(s.substr(0, cut)) + "...";
}

// "what was removed", each entry once, in the order first met.
class notes {
public:
    void add(std::string what) {
        if (seen_.insert(what).second) list_.push_back(std::move(what));
    }
    std::vector<std::string> take() { return std::move(list_); }

private:
    std::set<std::string> seen_;
    std::vector<std::string> list_;
};

// ---- the element and attribute whitelists --------------------------------------------------

enum class element_rule { keep, drop, unwrap };

element_rule rule_for(GumboTag tag) {
    // The lists read better as tables.
    // clang-format off
    switch (tag) {
        case GUMBO_TAG_P: case GUMBO_TAG_BR: case GUMBO_TAG_DIV: case GUMBO_TAG_SPAN:
        case GUMBO_TAG_B: case GUMBO_TAG_STRONG: case GUMBO_TAG_I: case GUMBO_TAG_EM:
        case GUMBO_TAG_U: case GUMBO_TAG_S: case GUMBO_TAG_STRIKE: case GUMBO_TAG_SMALL:
        case GUMBO_TAG_BIG: case GUMBO_TAG_SUB: case GUMBO_TAG_SUP: case GUMBO_TAG_FONT:
        case GUMBO_TAG_BLOCKQUOTE: case GUMBO_TAG_PRE: case GUMBO_TAG_CODE: case GUMBO_TAG_TT:
        case GUMBO_TAG_HR: case GUMBO_TAG_H1: case GUMBO_TAG_H2: case GUMBO_TAG_H3:
        case GUMBO_TAG_H4: case GUMBO_TAG_H5: case GUMBO_TAG_H6: case GUMBO_TAG_UL:
        case GUMBO_TAG_OL: case GUMBO_TAG_LI: case GUMBO_TAG_DL: case GUMBO_TAG_DT:
        case GUMBO_TAG_DD: case GUMBO_TAG_TABLE: case GUMBO_TAG_THEAD: case GUMBO_TAG_TBODY:
        case GUMBO_TAG_TFOOT: case GUMBO_TAG_TR: case GUMBO_TAG_TD: case GUMBO_TAG_TH:
        case GUMBO_TAG_CAPTION: case GUMBO_TAG_COLGROUP: case GUMBO_TAG_COL:
        case GUMBO_TAG_CENTER: case GUMBO_TAG_A: case GUMBO_TAG_IMG: case GUMBO_TAG_ABBR:
        case GUMBO_TAG_ADDRESS: case GUMBO_TAG_CITE: case GUMBO_TAG_Q:
            return element_rule::keep;
        // Active content, forms, document-level elements, and the foreign (SVG, MathML) roots
        // whose own parsing rules differ from HTML's. noembed and noframes: a browser does not
        // show their content either.
        case GUMBO_TAG_SCRIPT: case GUMBO_TAG_STYLE: case GUMBO_TAG_IFRAME:
        case GUMBO_TAG_FRAME: case GUMBO_TAG_FRAMESET: case GUMBO_TAG_OBJECT:
        case GUMBO_TAG_EMBED: case GUMBO_TAG_APPLET: case GUMBO_TAG_NOSCRIPT:
        case GUMBO_TAG_NOEMBED: case GUMBO_TAG_NOFRAMES: case GUMBO_TAG_TEMPLATE:
        case GUMBO_TAG_SVG: case GUMBO_TAG_MATH: case GUMBO_TAG_FORM: case GUMBO_TAG_INPUT:
        case GUMBO_TAG_BUTTON: case GUMBO_TAG_SELECT: case GUMBO_TAG_TEXTAREA:
        case GUMBO_TAG_LINK: case GUMBO_TAG_META: case GUMBO_TAG_BASE: case GUMBO_TAG_TITLE:
        case GUMBO_TAG_HEAD:
            return element_rule::drop;
        default:
            return element_rule::unwrap;
    }
    // clang-format on
}

bool is_void(GumboTag tag) {
    return tag == GUMBO_TAG_BR || tag == GUMBO_TAG_HR || tag == GUMBO_TAG_IMG ||
           tag == GUMBO_TAG_COL;
}

// Presentational attributes without URLs or script; style, href and src are judged apart.
constexpr std::string_view global_attributes[] = {
    "title",   "dir",     "lang",    "align",       "valign",      "width", "height",
    "bgcolor", "colspan", "rowspan", "cellpadding", "cellspacing", "border"};

struct element_attribute {
    GumboTag tag;
    std::string_view name;
};
constexpr element_attribute element_attributes[] = {
    {GUMBO_TAG_FONT, "color"},    {GUMBO_TAG_FONT, "face"}, {GUMBO_TAG_FONT, "size"},
    {GUMBO_TAG_OL, "start"},      {GUMBO_TAG_OL, "type"},   {GUMBO_TAG_UL, "type"},
    {GUMBO_TAG_LI, "value"},      {GUMBO_TAG_LI, "type"},   {GUMBO_TAG_COL, "span"},
    {GUMBO_TAG_COLGROUP, "span"}, {GUMBO_TAG_TD, "nowrap"}, {GUMBO_TAG_TH, "nowrap"},
    {GUMBO_TAG_IMG, "alt"}};

// The whitelist's own spelling of the attribute, so the output's names come from here.
std::optional<std::string_view> whitelisted_attribute(GumboTag tag, std::string_view name) {
    for (std::string_view g : global_attributes)
        if (g == name) return g;
    for (const element_attribute& e : element_attributes)
        if (e.tag == tag && e.name == name) return e.name;
    return std::nullopt;
}

// ---- URLs ----------------------------------------------------------------------------------

// What a browser's URL parser reads (WHATWG URL, basic URL parser: leading and trailing C0
// controls and spaces stripped, tab and newlines removed anywhere). The other controls are
// removed too: no legitimate URL has them.
std::string browser_url(std::string_view raw) {
    while (!raw.empty() && byte(raw.front()) <= 0x20) raw.remove_prefix(1);
    while (!raw.empty() && byte(raw.back()) <= 0x20) raw.remove_suffix(1);
    std::string out;
    for (char c : raw)
        if (byte(c) >= 0x20 && byte(c) != 0x7F) out += c;
    return out;
}

// Every character up to space removed, lower-cased: "  JaVa\tScRiPt:" -> "javascript:". What
// lenient (older) browsers took for the scheme; used to refuse, never to accept.
std::string compact_lower(std::string_view raw) {
    std::string out;
    for (char c : raw)
        if (byte(c) > 0x20 && byte(c) != 0x7F) out += lower(c);
    return out;
}

// "http" for "HTTP://x" (RFC 3986 3.1: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":");
// empty for a relative URL ("x", "/logout", "//host/x", "#top").
std::string scheme_of(std::string_view url) {
    if (url.empty() || !is_alpha(url[0])) return {};
    for (std::size_t i = 1; i < url.size(); ++i) {
        char c = url[i];
        if (c == ':') return to_lower(url.substr(0, i));
        if (!is_alpha(c) && !is_digit(c) && c != '+' && c != '-' && c != '.') return {};
    }
    return {};
}

bool starts_with(std::string_view s, std::string_view prefix) {
    return s.substr(0, prefix.size()) == prefix;
}

int hex_value(char c) {
    if (is_digit(c)) return c - '0';
    c = lower(c);
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

std::string percent_decode(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 &&
            hex_value(s[i + 2]) >= 0) {
            out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
            i += 2;
        } else {
            out += s[i];
        }
    }
    return out;
}

// A script URL under any spelling, named for `removed`; empty if none.
std::string script_scheme(std::string_view raw) {
    std::string compact = compact_lower(raw);
    for (std::string_view bad : {"javascript:", "vbscript:", "livescript:"})
        if (starts_with(compact, bad)) return std::string(bad);
    return {};
}

// <a href>: http, https and mailto. Relative URLs go too: the mail has no base of its own, so
// they would point into the webmail ("/logout", "/delete?uid=3").
std::optional<std::string> checked_link(std::string_view raw, notes& removed) {
    if (std::string bad = script_scheme(raw); !bad.empty()) {
        removed.add(bad + " URL in href");
        return std::nullopt;
    }
    std::string url = browser_url(raw);
    std::string scheme = scheme_of(url);
    if (scheme == "http" || scheme == "https" || scheme == "mailto") return url;
    if (scheme.empty() && starts_with(compact_lower(raw), "data:")) scheme = "data";
    removed.add(scheme.empty() ? "relative URL in href" : shorten(scheme) + ": URL in href");
    return std::nullopt;
}

// "data:image/png;base64,iVBOR..." (RFC 2397) of a raster image type; whitespace in the payload
// is dropped, as the browser's forgiving base64 decoding does.
std::optional<std::string> checked_data_image(std::string_view raw) {
    std::string data;
    for (char c : raw)
        if (byte(c) > 0x20 && byte(c) != 0x7F) data += c;
    std::size_t comma = data.find(',');
    if (comma == std::string::npos) return std::nullopt;
    std::string head = to_lower(std::string_view(data).substr(0, comma));
    if (head != "data:image/png;base64" && head != "data:image/gif;base64" &&
        head != "data:image/jpeg;base64" && head != "data:image/webp;base64")
        return std::nullopt;
    std::string_view payload = std::string_view(data).substr(comma + 1);
    if (payload.empty()) return std::nullopt;
    for (char c : payload)
        if (!is_alpha(c) && !is_digit(c) && c != '+' && c != '/' && c != '=') return std::nullopt;
    return head + "," + std::string(payload);
}

// <img src>: a mapped cid, a raster data: image, or http(s) when remote images are allowed.
std::optional<std::string> checked_image(std::string_view raw, const sanitize_options& options,
                                         notes& removed) {
    if (std::string bad = script_scheme(raw); !bad.empty()) {
        removed.add(bad + " URL in src");
        return std::nullopt;
    }
    std::string url = browser_url(raw);
    std::string scheme = scheme_of(url);
    if (scheme == "cid") {
        // RFC 2392: "cid:" then the Content-ID without brackets, %-encoded where needed.
        std::string id = url.substr(4);
        auto found = options.cid_urls.find(id);
        if (found == options.cid_urls.end()) found = options.cid_urls.find(percent_decode(id));
        if (found != options.cid_urls.end()) return found->second;
        removed.add("unknown inline image cid:" + shorten(id, 200));
        return std::nullopt;
    }
    if (scheme == "data" || starts_with(compact_lower(raw), "data:")) {
        if (auto image = checked_data_image(raw)) return image;
        removed.add("data: URL in src");
        return std::nullopt;
    }
    if (scheme == "http" || scheme == "https") {
        if (options.allow_remote_images) return url;
        removed.add("remote image " + url);
        return std::nullopt;
    }
    removed.add(scheme.empty() ? "relative URL in src" : shorten(scheme) + ": URL in src");
    return std::nullopt;
}

// ---- style attributes ----------------------------------------------------------------------

struct css_piece {
    std::string_view text;
    bool balanced = true;  // quotes closed, parentheses matched
};

// Splits "a: b; c: d" at the semicolons outside strings and parentheses. Backslash escapes are
// not interpreted: a declaration that has one is refused whole.
std::vector<css_piece> split_declarations(std::string_view style) {
    std::vector<css_piece> pieces;
    std::size_t start = 0;
    char quote = 0;
    int depth = 0;
    bool stray_paren = false;
    for (std::size_t i = 0; i <= style.size(); ++i) {
        bool end = i == style.size();
        char c = end ? ';' : style[i];
        if (!end && quote != 0) {
            if (c == quote) quote = 0;
            continue;
        }
        if (c == '"' || c == '\'')
            quote = c;
        else if (c == '(')
            ++depth;
        else if (c == ')') {
            if (depth > 0)
                --depth;
            else
                stray_paren = true;
        } else if (c == ';' && (depth == 0 || end)) {
            pieces.push_back(
                {style.substr(start, i - start), quote == 0 && depth == 0 && !stray_paren});
            start = i + 1;
            stray_paren = false;
        }
    }
    return pieces;
}

bool allowed_property(std::string_view name) {
    static constexpr std::string_view exact[] = {
        "color",       "background-color", "font-weight", "font-style",
        "font-size",   "font-family",      "text-align",  "text-decoration",
        "width",       "height",           "line-height", "vertical-align",
        "white-space", "display",          "margin",      "padding",
        "border"};
    for (std::string_view e : exact)
        if (name == e) return true;
    return starts_with(name, "margin-") || starts_with(name, "padding-") ||
           starts_with(name, "border-");
}

// The first function in `value` (lower-cased) that is not on the list; empty if none. Colours
// and lengths need no other: the rest can load resources (image-set(), cross-fade(), src()) or
// read from elsewhere (attr(), var()).
std::string forbidden_function(std::string_view value) {
    static constexpr std::string_view allowed[] = {"rgb",  "rgba", "hsl", "hsla",
                                                   "calc", "min",  "max", "clamp"};
    char quote = 0;
    for (std::size_t i = 0; i < value.size(); ++i) {
        char c = value[i];
        if (quote != 0) {
            if (c == quote) quote = 0;
            continue;
        }
        if (c == '"' || c == '\'') quote = c;
        if (c != '(') continue;
        std::size_t start = i;
        while (start > 0 && (is_alpha(value[start - 1]) || is_digit(value[start - 1]) ||
                             value[start - 1] == '-' || value[start - 1] == '_'))
            --start;
        std::string_view name = value.substr(start, i - start);
        if (name.empty()) continue;  // a plain parenthesis, as in calc((1px + 2px) * 2)
        bool ok = false;
        for (std::string_view a : allowed) ok = ok || name == a;
        if (!ok) return std::string(name);
    }
    return {};
}

// Whitespace runs outside strings become one space; nullopt if a control character remains.
std::optional<std::string> normalized_value(std::string_view value) {
    std::string out;
    char quote = 0;
    for (char c : value) {
        if (quote == 0 && is_css_space(c)) {
            if (!out.empty() && out.back() != ' ') out += ' ';
            continue;
        }
        if (byte(c) < 0x20 || byte(c) == 0x7F) return std::nullopt;
        if (quote != 0 && c == quote)
            quote = 0;
        else if (quote == 0 && (c == '"' || c == '\''))
            quote = c;
        out += c;
    }
    return out;
}

// One declaration checked; the rebuilt "name: value", or nullopt with the reason noted.
std::optional<std::string> checked_declaration(const css_piece& piece, notes& removed) {
    std::string_view text = trim_css(piece.text);
    if (text.find('\\') != std::string_view::npos) {
        removed.add("CSS backslash escape in style");
        return std::nullopt;
    }
    if (text.find("/*") != std::string_view::npos || text.find("*/") != std::string_view::npos) {
        removed.add("CSS comment in style");
        return std::nullopt;
    }
    // The dangerous words first, in the whole declaration (a name can be "behavior" too),
    // spaces and case ignored: "Expression (" is still IE's expression().
    std::string compact = compact_lower(text);
    static constexpr std::pair<std::string_view, std::string_view> dangers[] = {
        {"expression(", "expression()"},
        {"javascript:", "javascript:"},
        {"vbscript:", "vbscript:"},
        {"behavior", "behavior"},
        {"-moz-binding", "-moz-binding"},
        {"@import", "@import"},
        {"url(", "url()"}};
    for (const auto& [word, label] : dangers) {
        if (compact.find(word) != std::string::npos) {
            removed.add("CSS " + std::string(label) + " in style");
            return std::nullopt;
        }
    }
    std::size_t colon = text.find(':');
    if (!piece.balanced || colon == std::string_view::npos) {
        removed.add("malformed CSS in style");
        return std::nullopt;
    }
    std::string name = to_lower(trim_css(text.substr(0, colon)));
    std::optional<std::string> value = normalized_value(trim_css(text.substr(colon + 1)));
    bool name_ok = !name.empty();
    for (char c : name) name_ok = name_ok && (is_alpha(c) || is_digit(c) || c == '-');
    if (!name_ok || !value || value->empty()) {
        removed.add("malformed CSS in style");
        return std::nullopt;
    }
    if (std::string f = forbidden_function(to_lower(*value)); !f.empty()) {
        removed.add("CSS function " + shorten(f) + "() in style");
        return std::nullopt;
    }
    if (!allowed_property(name)) {
        removed.add("CSS property " + shorten(name) + " in style");
        return std::nullopt;
    }
    if (name == "display") {
        std::string shown = to_lower(*value);
        if (std::size_t bang = shown.find('!'); bang != std::string::npos) {
            if (compact_lower(shown.substr(bang)) == "!important") shown.erase(bang);
        }
        shown = std::string(trim_css(shown));
        if (shown != "none" && shown != "block" && shown != "inline") {
            removed.add("CSS display: " + shorten(shown) + " in style");
            return std::nullopt;
        }
    }
    return name + ": " + *value;
}

// The declarations that pass, joined by "; "; empty if none does.
std::string sanitized_style(std::string_view style, notes& removed) {
    std::string out;
    for (const css_piece& piece : split_declarations(style)) {
        if (trim_css(piece.text).empty()) continue;  // "a: b;;" or a trailing ";"
        if (auto declaration = checked_declaration(piece, removed)) {
            if (!out.empty()) out += "; ";
            out += *declaration;
        }
    }
    return out;
}

// ---- the tree walk -------------------------------------------------------------------------

// "o:p" for Outlook's <o:p>: gumbo knows the tag only as text of the source.
std::string element_name(const GumboElement& element) {
    if (element.tag != GUMBO_TAG_UNKNOWN) return gumbo_normalized_tagname(element.tag);
    GumboStringPiece piece = element.original_tag;
    if (piece.data == nullptr || piece.length < 2 || piece.data[0] != '<') return "unknown";
    gumbo_tag_from_original_text(&piece);
    std::string name = to_lower(std::string_view(piece.data, piece.length));
    return name.empty() ? "unknown" : shorten(name);
}

const GumboNode* child_at(const GumboVector& children, unsigned i) {
    return static_cast<const GumboNode*>(children.data[i]);
}

void append_attribute(std::string& tag, std::string_view name, std::string_view value) {
    tag += ' ';
    tag += name;
    tag += "=\"";
    tag += html_escape(value);
    tag += '"';
}

class sanitizer {
public:
    explicit sanitizer(const sanitize_options& options) : options_(options) {}

    void document(const GumboNode* document) {
        for (unsigned i = 0; i < document->v.document.children.length; ++i) {
            const GumboNode* node = child_at(document->v.document.children, i);
            if (node->type == GUMBO_NODE_COMMENT) removed_.add("HTML comment");
            if (node->type != GUMBO_NODE_ELEMENT) continue;
            const GumboVector& parts = node->v.element.children;  // <html>: head, then body
            for (unsigned j = 0; j < parts.length; ++j) {
                const GumboNode* part = child_at(parts, j);
                if (part->type == GUMBO_NODE_COMMENT) removed_.add("HTML comment");
                if (part->type != GUMBO_NODE_ELEMENT) continue;
                if (part->v.element.tag == GUMBO_TAG_HEAD)
                    head(part);
                else if (part->v.element.tag == GUMBO_TAG_BODY)
                    body(part);
                else
                    removed_.add("<" + element_name(part->v.element) + "> element");
            }
        }
    }

    sanitize_result result() { return {std::move(out_), removed_.take()}; }

private:
    // One open element of the output (or of the walk only, for an unwrapped element).
    struct frame {
        const GumboVector* children;
        unsigned next = 0;
        GumboTag close = GUMBO_TAG_LAST;  // the end tag to write; LAST: none (unwrapped, body)
        std::size_t content_start = 0;
    };

    // The head is never shown; what it held is reported (style sheets, meta refresh, base).
    void head(const GumboNode* head) {
        const GumboVector& children = head->v.element.children;
        for (unsigned i = 0; i < children.length; ++i) {
            const GumboNode* node = child_at(children, i);
            if (node->type == GUMBO_NODE_COMMENT) removed_.add("HTML comment");
            if (node->type == GUMBO_NODE_ELEMENT || node->type == GUMBO_NODE_TEMPLATE)
                removed_.add("<" + element_name(node->v.element) + "> element");
        }
    }

    void body(const GumboNode* body) {
        const GumboVector& attributes = body->v.element.attributes;
        for (unsigned i = 0; i < attributes.length; ++i) {
            auto* attribute = static_cast<const GumboAttribute*>(attributes.data[i]);
            removed_.add(shorten(attribute->name) + " attribute on <body>");
        }
        std::vector<frame> stack{{&body->v.element.children}};
        while (!stack.empty()) {
            frame& top = stack.back();
            if (top.next == top.children->length) {
                close(top);
                stack.pop_back();
                continue;
            }
            const GumboNode* node = child_at(*top.children, top.next++);
            switch (node->type) {
                case GUMBO_NODE_TEXT:
                case GUMBO_NODE_WHITESPACE:
                case GUMBO_NODE_CDATA:
                    out_ += html_escape(node->v.text.text);
                    break;
                case GUMBO_NODE_COMMENT:
                    removed_.add("HTML comment");
                    break;
                case GUMBO_NODE_ELEMENT:
                case GUMBO_NODE_TEMPLATE:
                    open(node, stack);  // may grow the stack: `top` is not used after this
                    break;
                case GUMBO_NODE_DOCUMENT:
                    break;
            }
        }
    }

    void open(const GumboNode* node, std::vector<frame>& stack) {
        const GumboElement& element = node->v.element;
        std::string name = element_name(element);
        element_rule rule = rule_for(element.tag);
        // Only HTML elements: an SVG <a> or <script> has other rules (and svg, math are
        // dropped whole anyway).
        if (node->type == GUMBO_NODE_TEMPLATE || element.tag_namespace != GUMBO_NAMESPACE_HTML)
            rule = element_rule::drop;
        if (rule == element_rule::drop) {
            removed_.add("<" + name + "> element");
            return;
        }
        if (rule == element_rule::unwrap) {
            removed_.add("<" + name + "> tag (content kept)");
            stack.push_back({&element.children});
            return;
        }
        std::optional<std::string> tag = start_tag(element, name);
        if (!tag) return;
        out_ += *tag;
        if (!is_void(element.tag))
            stack.push_back({&element.children, 0, element.tag, out_.size()});
    }

    void close(const frame& done) {
        if (done.close == GUMBO_TAG_LAST) return;
        // HTML 13.2.6.4.7: the parser drops a newline right after <pre>, so one that starts the
        // content must be doubled to survive a second parse.
        if (done.close == GUMBO_TAG_PRE && out_.size() > done.content_start &&
            out_[done.content_start] == '\n')
            out_.insert(done.content_start, "\n");
        out_ += "</";
        out_ += gumbo_normalized_tagname(done.close);
        out_ += '>';
    }

    // "<name attr="value" ...>", or nullopt for an <img> without a usable src.
    std::optional<std::string> start_tag(const GumboElement& element, const std::string& name) {
        bool is_link = element.tag == GUMBO_TAG_A;
        bool is_image = element.tag == GUMBO_TAG_IMG;
        bool has_href = false, has_src = false, had_src = false;
        std::string tag = "<" + name;
        for (unsigned i = 0; i < element.attributes.length; ++i) {
            auto* attribute = static_cast<const GumboAttribute*>(element.attributes.data[i]);
            std::string_view attribute_name = attribute->name;
            std::string_view value = attribute->value;
            if (is_link && attribute_name == "href") {
                if (auto url = checked_link(value, removed_)) {
                    append_attribute(tag, "href", *url);
                    has_href = true;
                }
            } else if (is_image && attribute_name == "src") {
                had_src = true;
                if (auto url = checked_image(value, options_, removed_)) {
                    append_attribute(tag, "src", *url);
                    has_src = true;
                }
            } else if (attribute_name == "style") {
                std::string style = sanitized_style(value, removed_);
                if (!style.empty()) append_attribute(tag, "style", style);
            } else if (auto kept = whitelisted_attribute(element.tag, attribute_name)) {
                append_attribute(tag, *kept, value);
            } else if (is_link && (attribute_name == "target" || attribute_name == "rel")) {
                // Replaced by ours below: a link opens a new tab that cannot reach the webmail.
            } else {
                removed_.add(shorten(attribute_name) + " attribute on <" + name + ">");
            }
        }
        if (is_image && !has_src) {
            if (!had_src) removed_.add("<img> element without src");
            return std::nullopt;
        }
        if (has_href) tag += " rel=\"noopener noreferrer\" target=\"_blank\"";
        tag += '>';
        return tag;
    }

    const sanitize_options& options_;
    std::string out_;
    notes removed_;
};

struct gumbo_output_deleter {
    const GumboOptions* options;
    void operator()(GumboOutput* output) const { gumbo_destroy_output(options, output); }
};

}  // namespace

sanitize_result sanitize_html(std::string_view html, const sanitize_options& options) {
    std::size_t tags = 0;
    for (char c : html) tags += c == '<';
    if (tags > options.max_tags) {
        return {{},
                {"HTML with more than " + std::to_string(options.max_tags) + " tags (not shown)"}};
    }
    GumboOptions gumbo_options = kGumboDefaultOptions;
    // Gumbo keeps a copy of the open-element stack with every parse error; unbroken nesting
    // makes that quadratic in memory (10000 <div>s: 800 MB). The errors are not needed.
    gumbo_options.max_errors = 0;
    std::unique_ptr<GumboOutput, gumbo_output_deleter> output(
        gumbo_parse_with_options(&gumbo_options, html.empty() ? "" : html.data(), html.size()),
        gumbo_output_deleter{&gumbo_options});
    if (!output) return {{}, {"HTML not parsed (out of memory)"}};
    sanitizer walk(options);
    walk.document(output->document);
    return walk.result();
}

std::string html_escape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&#39;";
                break;
            default:
                out += c;
        }
    }
    return out;
}

}  // namespace maillab::http
