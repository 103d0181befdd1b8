// Making trace text safe in each format an export writes. A trace carries whatever crossed the
// wire: "<alice@a.example>", quotes and ";" in headers, "#" in a subject, Chinese, stray control
// bytes. Each target gives some characters a meaning, and an exported diagram must show them as
// text, never act on them or fail to parse.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace maillab::exporting {

// Text and attribute values of XML (SVG) and HTML: & < > " ' as references; characters XML 1.0
// does not allow (C0 controls other than tab, LF and CR; U+FFFE, U+FFFF) and bytes that are not
// UTF-8 become U+FFFD, so the output always parses.
std::string xml_escape(std::string_view text);

// One line of Mermaid message, note or participant text: Mermaid's own entity codes (#59; for
// ";", which would end the statement; #35; for "#", which starts a code; #lt; #gt; for "<" and
// ">", which its HTML sanitizer would take for tags; #quot; #amp; #37; #36; #96;) and no line
// breaks.
std::string mermaid_escape(std::string_view text);

// A participant identifier Mermaid and PlantUML accept: letters, digits and "_", starting with
// a letter and not a keyword of either language ("end", "note", "participant", ...). Two
// hosts can give the same identifier ("a.b", "a-b"): the caller makes them unique.
std::string diagram_id(std::string_view host);

// One line of PlantUML message or note text shown as written: creole markup (**, __, --, //,
// "", ~~, ==, [[, a leading * # = |) escaped with "~" or a numeric reference, "<" as &#60; (so
// <b>, <color>, <U+0041> and <$sprite> stay text), "&" as &#38;, "\" doubled (\n would break
// the line).
std::string plantuml_escape(std::string_view text);

// JSON for <script type="application/json"> in HTML: "<", ">", "&" as \u003c \u003e \u0026 so
// no "</script>" or "<!--" can end or bend the script element, and U+2028 and U+2029 as \u2028
// \u2029 (line terminators for older JavaScript). Those characters only occur inside JSON
// strings, where the escapes mean the same characters.
std::string json_for_script(const nlohmann::json& value);
std::string json_for_script(const nlohmann::ordered_json& value);

}  // namespace maillab::exporting
