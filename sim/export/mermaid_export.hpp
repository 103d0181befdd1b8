// The diagram as Mermaid text (a `sequenceDiagram`), for Markdown notes, wikis and slides that
// render Mermaid: one participant per host (an identifier made from the host name, the host
// shown as written), commands as solid arrows (->>), replies as dashed ones (-->>), TCP connects
// as open arrows (-)), failed connects as crosses (-x), notes over the hosts they concern.
// Every label goes through mermaid_escape(), so any trace gives text Mermaid parses.
#pragma once

#include <ostream>

#include "sim/export/diagram_model.hpp"

namespace maillab::exporting {

// Mermaid refuses to render a diagram longer than its maxTextSize setting (50 000 characters
// unless the page raises it).
inline constexpr std::size_t mermaid_default_max_text = 50000;

void write_mermaid(const diagram& d, const export_source& src, std::ostream& out);

}  // namespace maillab::exporting
