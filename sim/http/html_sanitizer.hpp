// The webmail's HTML sanitizer: makes an HTML mail body safe to embed in a webmail page.
//
// The mail is parsed by gumbo, an HTML5 parser that builds the same tree a browser would, and the
// output is written anew from that tree through a whitelist of elements, attributes, URL schemes
// and CSS properties. Nothing of the input is copied through as it was: tag and attribute names
// come from the whitelist, text and attribute values are escaped, style attributes are rebuilt
// from the declarations that pass. Because the output holds only whitelisted elements (none of
// them raw-text elements such as <script>, <style> or <noscript>, no comments, no SVG or MathML),
// a browser that parses it again cannot build anything the sanitizer did not write (no mutation
// XSS).
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace maillab::http {

struct sanitize_options {
    // An <img src="cid:xxx"> shows the inline image part whose Content-ID is <xxx> (RFC 2392):
    // the key is the Content-ID without its angle brackets ("part1.abc@example.org"), the value
    // the URL of that part in the webmail ("/part?uid=3&part=2"). The cid is looked up as
    // written and percent-decoded ("cid:a%40b" finds "a@b"). A cid that is not in the map is
    // dropped with its <img>.
    std::map<std::string, std::string> cid_urls;
    bool allow_remote_images = false;  // http(s) images: dropped by default (tracking pixels)
    // The parser takes time quadratic in the nesting depth (100000 nested <div>s: a minute), so
    // a mail with more '<' than this is not parsed at all: the result is empty, with a note in
    // `removed` (the webmail can show the text/plain alternative instead).
    std::size_t max_tags = 20000;
};

struct sanitize_result {
    // A fragment: the content of the mail's <body>, safe to embed (in a <div>, for example).
    std::string html;
    // What was removed, in words, each once in the order first met: "<script> element",
    // "<marquee> tag (content kept)", "HTML comment", "onclick attribute on <a>",
    // "javascript: URL in href", "relative URL in src", "remote image http://x/y.png",
    // "unknown inline image cid:xxx", "CSS expression() in style", "CSS property position in
    // style". The entries quote the input (URLs, names): escape them before showing them.
    std::vector<std::string> removed;
};

// `html` is the decoded text of a text/html part in UTF-8 (convert other charsets first with
// mime::to_utf8; a <meta charset> in the mail is ignored). Invalid UTF-8 becomes U+FFFD. Never
// throws on any input (only std::bad_alloc).
//
// Kept: text; the elements p br div span b strong i em u s strike small big sub sup font
// blockquote pre code tt hr h1-h6 ul ol li dl dt dd table thead tbody tfoot tr td th caption
// colgroup col center a img abbr address cite q, with the attributes title dir lang align valign
// style width height bgcolor colspan rowspan cellpadding cellspacing border on all of them,
// color face size on <font>, start type on <ol>, type on <ul>, value type on <li>, span on
// <col> and <colgroup>, nowrap on <td> and <th>, alt on <img>.
// Links: href with http, https or mailto only, written with rel="noopener noreferrer" and
// target="_blank" (the mail's own rel and target are replaced). Images: src of a mapped cid, a
// base64 data: URL of a PNG, GIF, JPEG or WebP image, or http(s) when allow_remote_images; an
// <img> without such a src is dropped. Style: declarations of color, background-color,
// font-weight, font-style, font-size, font-family, text-align, text-decoration, margin*,
// padding*, border*, width, height, line-height, vertical-align, white-space, and display none,
// block or inline; a declaration is dropped when it holds expression(, url(, javascript:,
// vbscript:, behavior, -moz-binding, @import, a backslash, a comment, or a function other than
// rgb() rgba() hsl() hsla() calc() min() max() clamp().
// Dropped with their content: script style iframe frame frameset object embed applet noscript
// noembed noframes template svg math form input button select textarea link meta base title
// head. Any other element: the tag is dropped and its content kept.
sanitize_result sanitize_html(std::string_view html, const sanitize_options& options = {});

// Escapes text for HTML element content and attribute values (& < > " ').
std::string html_escape(std::string_view text);

}  // namespace maillab::http
