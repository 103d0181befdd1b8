// `maillab export FILE --to FORMAT`: a trace, or a scenario run on the virtual clock, as an
// RFC-style transcript for handouts, a Mermaid or PlantUML diagram for slides and wikis, an SVG
// drawn by maillab, or one HTML page that steps through it in any browser (docs/export.md).

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>
#include <iostream>
#include <memory>
#include <set>

#include "cli/commands.hpp"
#include "sim/export/export_writer.hpp"
#include "sim/record/annotations.hpp"
#include "sim/view/event_filter.hpp"
#include "sim/world/trace_source.hpp"

namespace maillab::cli {
namespace {

// `--to` names the format, as in pandoc. The replay command's `--to SEQ` is `--until SEQ`
// here, and a number given to `--to` says so instead of a bare "not a format".
std::string check_format(const std::string& value) {
    if (exporting::export_format_from_string(value)) return {};
    bool number = !value.empty() && std::all_of(value.begin(), value.end(),
                                                [](unsigned char c) { return std::isdigit(c); });
    if (number)
        return "--to takes the format (transcript, mermaid, plantuml, svg, html); to stop at an "
               "event, use --until " +
               value;
    return "unknown format \"" + value + "\"; use transcript, mermaid, plantuml, svg or html";
}

// A view saved in the recording (`maillab annotate --view NAME`), as replay reads it.
const annotation& saved_view(const trace_file& f, const std::string& path,
                             const std::string& name) {
    if (const annotation* v = find_view(f.annotations, name)) return *v;
    std::vector<std::string> names;
    for (const auto& a : f.annotations)
        if (a.type == annotation_type::view) names.push_back(a.name);
    throw std::invalid_argument(
        fmt::format("{}: no saved view named \"{}\" ({})", path, name,
                    names.empty() ? "the file has none"
                                  : fmt::format("the file has: {}", fmt::join(names, ", "))));
}

}  // namespace

std::function<int()> add_export_command(CLI::App& app) {
    struct options {
        std::string input;
        std::string format;
        std::string output;
        std::string lang = "en";
        std::vector<std::string> protos, hosts, kinds;
        std::vector<std::uint64_t> conns;
        std::uint64_t from = 0, until = 0;
        std::size_t page_rows = exporting::default_svg_page_rows;
        std::string view;
    };
    auto opts = std::make_shared<options>();
    CLI::App* cmd = app.add_subcommand(
        "export",
        "Export a trace or a scenario: an RFC-style transcript (handouts), a Mermaid or PlantUML "
        "sequence diagram (slides, wikis), an SVG drawn by maillab, or one self-contained HTML "
        "page that steps through the events in any browser");
    cmd->add_option(
           "file", opts->input,
           "A trace (.jsonl), or a scenario (.json), which is run on the virtual clock first")
        ->required()
        ->option_text("FILE");
    cmd->add_option("--to", opts->format,
                    "Format: transcript, mermaid, plantuml, svg or html (default: from the "
                    "extension of -o: .txt .mmd .puml .svg .html)")
        ->check(CLI::Validator(check_format, "FORMAT"));
    cmd->add_option("-o,--output", opts->output,
                    "Write to FILE instead of standard output. An SVG longer than a page goes to "
                    "FILE, FILE-2.svg, FILE-3.svg, ...")
        ->option_text("FILE");
    cmd->add_option("--proto", opts->protos,
                    "Only these protocols (smtp,pop3,imap,http,dns,tcp,tls,world); a connection's "
                    "TCP, TLS and notes count as its protocol")
        ->delimiter(',');
    cmd->add_option("--host", opts->hosts, "Only events from or to these hosts")->delimiter(',');
    cmd->add_option("--conn", opts->conns, "Only these connections (ids as in the trace)")
        ->delimiter(',');
    cmd->add_option("--kind", opts->kinds,
                    "Only these event kinds (command,reply,data,state,note,...); bytes only when "
                    "listed")
        ->delimiter(',');
    cmd->add_option("--from", opts->from, "First event (seq) to export")
        ->option_text("SEQ")
        ->check(CLI::PositiveNumber);
    cmd->add_option("--until", opts->until, "Last event (seq) to export")
        ->option_text("SEQ")
        ->check(CLI::PositiveNumber);
    cmd->add_option("--view", opts->view,
                    "Start from a view saved in the recording (`maillab annotate --view NAME`); "
                    "the filter options given here replace its values")
        ->option_text("NAME");
    cmd->add_option("--lang", opts->lang, "Language of notes, headings and the HTML page")
        ->check(CLI::IsMember({"en", "zh"}))
        ->capture_default_str();
    cmd->add_option("--page-rows", opts->page_rows, "Rows per SVG page (0: one SVG however long)")
        ->capture_default_str();

    return [opts, cmd]() -> int {
        std::optional<exporting::export_format> format;
        if (!opts->format.empty())
            format = exporting::export_format_from_string(opts->format);
        else if (!opts->output.empty())
            format = exporting::export_format_for_path(opts->output);
        if (!format)
            throw std::invalid_argument(
                "say which format with --to (transcript, mermaid, plantuml, svg, html), or give "
                "-o a file name ending in .txt, .mmd, .puml, .svg or .html");

        trace_file file = world::load_trace_or_scenario(opts->input);
        for (const std::string& w : file.warnings) std::cerr << "maillab export: " << w << '\n';

        exporting::export_filter filter;
        if (!opts->view.empty()) {
            const view::event_filter& v = saved_view(file, opts->input, opts->view).filter;
            filter.protos = v.protos;
            filter.hosts = v.hosts;
            filter.conns = v.conns;
            filter.kinds = v.kinds;
            filter.first_seq = v.from_seq;
            filter.last_seq = v.to_seq;
            filter.text = v.text;
        }
        if (cmd->count("--proto")) filter.protos = {opts->protos.begin(), opts->protos.end()};
        if (cmd->count("--host")) filter.hosts = {opts->hosts.begin(), opts->hosts.end()};
        if (cmd->count("--conn")) filter.conns = {opts->conns.begin(), opts->conns.end()};
        if (cmd->count("--kind")) filter.kinds = view::kinds_from_names(opts->kinds);
        if (cmd->count("--from")) filter.first_seq = opts->from;
        if (cmd->count("--until")) filter.last_seq = opts->until;
        if (filter.first_seq && filter.last_seq && *filter.first_seq > *filter.last_seq)
            throw std::invalid_argument(fmt::format("the events start at seq {} but end at {}",
                                                    *filter.first_seq, *filter.last_seq));
        exporting::export_source src =
            exporting::make_export_source(file, filter, *language_from_string(opts->lang));

        exporting::export_settings settings;
        settings.format = *format;
        settings.svg_page_rows = opts->page_rows;
        exporting::export_report report;
        if (opts->output.empty() || opts->output == "-") {
            report = exporting::write_export(src, settings, std::cout);
            std::cout.flush();
            if (report.rows_left_out)
                std::cerr << fmt::format(
                    "maillab export: standard output holds one SVG page ({} rows); {} more rows "
                    "were left out. Use -o FILE.svg for every page, or --page-rows 0 for one SVG\n",
                    settings.svg_page_rows, report.rows_left_out);
        } else {
            report = exporting::write_export_files(src, settings, opts->output);
            if (report.svg_pages > 1)
                std::cerr << fmt::format(
                    "maillab export: {} pages of at most {} rows: {}{}{}\n", report.svg_pages,
                    settings.svg_page_rows, report.files.front(),
                    report.svg_pages > 2 ? " ... " : ", ", report.files.back());
        }
        for (const std::string& w : report.warnings) std::cerr << "maillab export: " << w << '\n';
        return 0;
    };
}

}  // namespace maillab::cli
