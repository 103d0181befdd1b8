#include "sim/export/plantuml_export.hpp"

#include <fmt/format.h>

#include "sim/export/escape.hpp"
#include "sim/export/palette.hpp"
#include "sim/export/participant_ids.hpp"

namespace maillab::exporting {
namespace {

std::string arrow_of(arrow_style style, std::string_view colour) {
    switch (style) {
        case arrow_style::request:
            return fmt::format("-[{}]>", colour);
        case arrow_style::answer:
            return fmt::format("-[{}]->", colour);
        case arrow_style::connect:
            return fmt::format("-[{}]>>", colour);
        case arrow_style::failed:
            return fmt::format("-[{}]>x", colour);
    }
    return "->";
}

// A participant's name in double quotes cannot hold a double quote.
std::string quoted_name(std::string_view host) {
    std::string out = plantuml_escape(host);
    for (char& ch : out)
        if (ch == '"') ch = '\'';
    return "\"" + out + "\"";
}

}  // namespace

void write_plantuml(const diagram& d, const export_source& src, std::ostream& out) {
    std::vector<std::string> ids = participant_ids(d);
    out << "@startuml\n";
    // Lines starting with ' are comments.
    out << "' maillab export: " << src.events.size() << " of " << src.trace_events << " events";
    if (!src.filter_summary.empty()) out << " (" << src.filter_summary << ")";
    out << '\n';
    out << "title " << plantuml_escape(d.title) << '\n';
    out << "skinparam shadowing false\n";
    for (std::size_t i = 0; i < d.participants.size(); ++i)
        out << "participant " << quoted_name(d.participants[i].host) << " as " << ids[i] << '\n';
    for (const diagram_row& row : d.rows) {
        std::string label = plantuml_escape(row.label);
        if (row.shape == row_shape::arrow) {
            out << fmt::format("{} {} {} : {}\n", ids[row.from],
                               arrow_of(row.arrow, protocol_colour(row.proto)), ids[row.to], label);
        } else if (row.first == row.last) {
            out << fmt::format("note over {} {} : {}\n", ids[row.first], colours_of(row.note).fill,
                               label);
        } else {
            out << fmt::format("note over {}, {} {} : {}\n", ids[row.first], ids[row.last],
                               colours_of(row.note).fill, label);
        }
    }
    out << "@enduml\n";
}

}  // namespace maillab::exporting
