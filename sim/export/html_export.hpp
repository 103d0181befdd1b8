// One self-contained HTML page that steps through the trace in any browser, from file:// and
// without a network (inline stylesheet and script, no CDN, no fonts to fetch): the sequence
// diagram (the SVG export, inline) or the event list, the current event highlighted, and beside
// it the event's text, its raw bytes with CR and LF visible, its fields, what caused it, the
// teacher's annotations and its explanation in English and Chinese with the RFC section. Only
// the explanations the exported events use are embedded. Buttons and keys (→ ← space, Home,
// End) move through the events; a protocol box filters them.
//
// The events travel as JSON inside <script type="application/json">, escaped with
// json_for_script() so that no text from the wire can close the element.
#pragma once

#include <cstddef>
#include <ostream>

#include "sim/export/diagram_model.hpp"

namespace maillab::exporting {

// Beyond this many rows the page shows the event list only: a browser lays out an inline SVG
// of tens of thousands of rows slowly, and nobody steps through it by eye.
inline constexpr std::size_t html_max_diagram_rows = 4000;

void write_html(const diagram& d, const export_source& src, std::ostream& out);

// The page's data: events, connections, the explanations they use, annotations, language.
nlohmann::ordered_json html_page_data(const diagram& d, const export_source& src);

}  // namespace maillab::exporting
