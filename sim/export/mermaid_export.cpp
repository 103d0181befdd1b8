#include "sim/export/mermaid_export.hpp"

#include <fmt/format.h>

#include "sim/export/escape.hpp"
#include "sim/export/participant_ids.hpp"

namespace maillab::exporting {
namespace {

const char* arrow_of(arrow_style style) {
    switch (style) {
        case arrow_style::request:
            return "->>";
        case arrow_style::answer:
            return "-->>";
        case arrow_style::connect:
            return "-)";
        case arrow_style::failed:
            return "-x";
    }
    return "->>";
}

}  // namespace

void write_mermaid(const diagram& d, const export_source& src, std::ostream& out) {
    std::vector<std::string> ids = participant_ids(d);
    // Comments say where the diagram came from; Mermaid ignores lines starting with %%.
    out << "%% " << mermaid_escape(d.title) << '\n';
    out << "%% maillab export: " << src.events.size() << " of " << src.trace_events << " events";
    if (!src.filter_summary.empty()) out << " (" << mermaid_escape(src.filter_summary) << ")";
    out << '\n';
    out << "sequenceDiagram\n";
    out << "    title " << mermaid_escape(d.title) << '\n';
    for (std::size_t i = 0; i < d.participants.size(); ++i)
        out << "    participant " << ids[i] << " as " << mermaid_escape(d.participants[i].host)
            << '\n';
    for (const diagram_row& row : d.rows) {
        std::string label = mermaid_escape(row.label);
        if (row.shape == row_shape::arrow) {
            out << fmt::format("    {}{}{}: {}\n", ids[row.from], arrow_of(row.arrow), ids[row.to],
                               label);
        } else if (row.first == row.last) {
            out << fmt::format("    Note over {}: {}\n", ids[row.first], label);
        } else {
            out << fmt::format("    Note over {},{}: {}\n", ids[row.first], ids[row.last], label);
        }
    }
}

}  // namespace maillab::exporting
