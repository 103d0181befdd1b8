#include "sim/export/export_writer.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "sim/export/diagram_model.hpp"
#include "sim/export/html_export.hpp"
#include "sim/export/mermaid_export.hpp"
#include "sim/export/plantuml_export.hpp"
#include "sim/export/rfc_transcript.hpp"

namespace maillab::exporting {
namespace {

constexpr std::array<std::pair<export_format, std::string_view>, 5> names{{
    {export_format::transcript, "transcript"},
    {export_format::mermaid, "mermaid"},
    {export_format::plantuml, "plantuml"},
    {export_format::svg, "svg"},
    {export_format::html, "html"},
}};

std::string lower_extension(std::string_view path) {
    std::size_t slash = path.find_last_of("/\\");
    std::size_t dot = path.rfind('.');
    if (dot == std::string_view::npos || (slash != std::string_view::npos && dot < slash))
        return {};
    std::string ext(path.substr(dot + 1));
    for (char& ch : ext) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return ext;
}

void write_file(const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) throw std::runtime_error(fmt::format("{}: cannot write the file", path));
    out << text;
    out.close();
    if (!out) throw std::runtime_error(fmt::format("{}: writing failed", path));
}

void mermaid_size_warning(std::size_t size, export_report& report) {
    if (size <= mermaid_default_max_text) return;
    report.warnings.push_back(fmt::format(
        "the Mermaid text is {} characters; Mermaid renders at most {} unless the page raises "
        "its maxTextSize setting. Choose fewer events (--from, --until, --proto, --conn)",
        size, mermaid_default_max_text));
}

}  // namespace

std::string_view to_string(export_format format) {
    for (const auto& [f, name] : names)
        if (f == format) return name;
    return "?";
}

std::optional<export_format> export_format_from_string(std::string_view name) {
    for (const auto& [f, n] : names)
        if (n == name) return f;
    return std::nullopt;
}

std::optional<export_format> export_format_for_path(std::string_view path) {
    std::string ext = lower_extension(path);
    if (ext == "txt" || ext == "text") return export_format::transcript;
    if (ext == "mmd" || ext == "mermaid") return export_format::mermaid;
    if (ext == "puml" || ext == "plantuml" || ext == "pu") return export_format::plantuml;
    if (ext == "svg") return export_format::svg;
    if (ext == "html" || ext == "htm") return export_format::html;
    return std::nullopt;
}

std::vector<std::string> svg_page_paths(const std::string& path, std::size_t pages) {
    std::vector<std::string> paths{path};
    std::size_t slash = path.find_last_of("/\\");
    std::size_t dot = path.rfind('.');
    bool has_ext = dot != std::string::npos && (slash == std::string::npos || dot > slash);
    std::string stem = has_ext ? path.substr(0, dot) : path;
    std::string ext = has_ext ? path.substr(dot) : std::string(".svg");
    for (std::size_t p = 2; p <= pages; ++p) paths.push_back(fmt::format("{}-{}{}", stem, p, ext));
    return paths;
}

export_report write_export(const export_source& src, const export_settings& settings,
                           std::ostream& out) {
    export_report report;
    if (settings.format == export_format::transcript) {
        write_rfc_transcript(src, out);
        return report;
    }
    diagram d = build_diagram(src);
    switch (settings.format) {
        case export_format::mermaid: {
            std::ostringstream text;
            write_mermaid(d, src, text);
            mermaid_size_warning(text.str().size(), report);
            out << text.str();
            break;
        }
        case export_format::plantuml:
            write_plantuml(d, src, out);
            break;
        case export_format::html:
            write_html(d, src, out);
            break;
        case export_format::svg: {
            std::vector<svg_page> pages = svg_pages(d, settings.svg_page_rows);
            svg_options o;
            o.page = pages.front();
            o.page_count = 1;
            o.rows_left_out = d.rows.size() - pages.front().row_count;
            report.rows_left_out = o.rows_left_out;
            write_svg(d, src, o, out);
            break;
        }
        case export_format::transcript:
            break;
    }
    return report;
}

export_report write_export_files(const export_source& src, const export_settings& settings,
                                 const std::string& path) {
    if (settings.format != export_format::svg) {
        std::ostringstream text;
        export_report report = write_export(src, settings, text);
        write_file(path, text.str());
        report.files.push_back(path);
        return report;
    }
    export_report report;
    diagram d = build_diagram(src);
    std::vector<svg_page> pages = svg_pages(d, settings.svg_page_rows);
    std::vector<std::string> paths = svg_page_paths(path, pages.size());
    svg_drawing drawing(d, src);
    for (std::size_t p = 0; p < pages.size(); ++p) {
        svg_options o;
        o.page = pages[p];
        o.page_number = p + 1;
        o.page_count = pages.size();
        std::ostringstream text;
        drawing.write(o, text);
        write_file(paths[p], text.str());
        report.files.push_back(paths[p]);
    }
    report.svg_pages = pages.size();
    return report;
}

}  // namespace maillab::exporting
