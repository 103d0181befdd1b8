// The formats of `maillab export` and where each one goes: a stream (standard output) or a
// file, which for an SVG longer than a page means one file per page (OUT.svg, OUT-2.svg, ...).
#pragma once

#include <cstddef>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "sim/export/export_source.hpp"
#include "sim/export/svg_export.hpp"

namespace maillab::exporting {

enum class export_format { transcript, mermaid, plantuml, svg, html };

std::string_view to_string(export_format format);
std::optional<export_format> export_format_from_string(std::string_view name);
// From a file name's extension: .txt, .mmd/.mermaid, .puml/.plantuml/.pu, .svg, .html/.htm.
std::optional<export_format> export_format_for_path(std::string_view path);

struct export_settings {
    export_format format = export_format::transcript;
    std::size_t svg_page_rows = default_svg_page_rows;  // 0: one SVG, however long
};

struct export_report {
    std::vector<std::string> files;  // written, in page order
    std::size_t svg_pages = 1;
    std::size_t rows_left_out = 0;  // SVG rows that did not fit the one page of a stream
    std::vector<std::string> warnings;
};

// To a stream: an SVG gets its first page only (its footer says what is left out).
export_report write_export(const export_source& src, const export_settings& settings,
                           std::ostream& out);
// To a file, or one file per SVG page. Throws std::runtime_error naming a file that cannot be
// written.
export_report write_export_files(const export_source& src, const export_settings& settings,
                                 const std::string& path);

// "out.svg", "out-2.svg", "out-3.svg" for three pages of "out.svg".
std::vector<std::string> svg_page_paths(const std::string& path, std::size_t pages);

}  // namespace maillab::exporting
