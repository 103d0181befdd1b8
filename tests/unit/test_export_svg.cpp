#include <doctest/doctest.h>
#include <fmt/format.h>

#include <regex>
#include <sstream>

#include "export_fixtures.hpp"
#include "sim/export/svg_export.hpp"

using namespace maillab;
using namespace maillab::exporting;

namespace {
std::string svg_of(const diagram& d, const export_source& src, svg_options o = {}) {
    std::ostringstream out;
    write_svg(d, src, o, out);
    return out.str();
}
std::size_t count(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
}
double attribute(const std::string& svg, const std::string& name) {
    std::smatch m;
    REQUIRE(std::regex_search(svg, m, std::regex(" " + name + "=\"([0-9.]+)\"")));
    return std::stod(m[1]);
}
}  // namespace

TEST_CASE("export svg: a standalone drawing with lifelines, arrows, notes and times") {
    export_source src = test::source_of(test::classic_trace());
    diagram d = build_diagram(src);
    std::string svg = svg_of(d, src);
    CHECK(
        svg.rfind(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"",
            0) == 0);
    CHECK(svg.find("font-family=\"'Noto Sans CJK SC', 'Microsoft YaHei'") != std::string::npos);
    CHECK(svg.find("</svg>\n") == svg.size() - 7);
    CHECK(count(svg, "<g data-seq=") == d.rows.size());
    // Participant boxes at the top and the bottom.
    CHECK(count(svg, ">mail.a.example</text>") == 2);
    CHECK(svg.find(">MAIL FROM:&lt;alice@a.example&gt; SIZE=366</text>") != std::string::npos);
    CHECK(svg.find(">0.000 s</text>") != std::string::npos);
    CHECK(svg.find("stroke=\"#1f6fd1\"") != std::string::npos);        // SMTP blue
    CHECK(svg.find("stroke-dasharray=\"6 4\"") != std::string::npos);  // replies dashed
    // The size is computed: width from the lanes, height from the rows.
    double width = attribute(svg, "width");
    double height = attribute(svg, "height");
    CHECK(width > 104 + 5 * 170 - 1);
    CHECK(width < 104 + 5 * 340 + 20);
    CHECK(height > 27.0 * static_cast<double>(d.rows.size()));
    CHECK(svg.find("class=\"row\"") == std::string::npos);  // not interactive
}

TEST_CASE("export svg: pages cut the rows, repeat the participants and say which rows") {
    export_source src = test::source_of(test::classic_trace());
    diagram d = build_diagram(src);
    std::vector<svg_page> pages = svg_pages(d, 50);
    REQUIRE(pages.size() == (d.rows.size() + 49) / 50);
    std::size_t total = 0;
    for (const auto& p : pages) {
        CHECK(p.first_row == total);
        total += p.row_count;
    }
    CHECK(total == d.rows.size());
    CHECK(svg_pages(d, 0).size() == 1);
    CHECK(svg_pages(d, d.rows.size()).size() == 1);

    svg_options o;
    o.page = pages[1];
    o.page_number = 2;
    o.page_count = pages.size();
    std::string second = svg_of(d, src, o);
    CHECK(count(second, "<g data-seq=") == pages[1].row_count);
    CHECK(second.find(fmt::format("page 2 of {}, seq {}–", pages.size(), d.rows[50].seq)) !=
          std::string::npos);
    CHECK(count(second, ">pc.alice</text>") == 2);

    svg_options capped;
    capped.page = pages[0];
    capped.rows_left_out = d.rows.size() - 50;
    std::string first = svg_of(d, src, capped);
    CHECK(first.find(fmt::format("{} more rows are not in this SVG", d.rows.size() - 50)) !=
          std::string::npos);
}

TEST_CASE("export svg: an annotation is not parted from its event by a page break") {
    trace_file f = test::hostile_trace();
    annotation note;
    note.id = 1;
    note.type = annotation_type::note;
    note.seq = 2;
    note.text = "here";
    f.annotations = {note};
    diagram d = build_diagram(test::source_of(f));
    // Rows: connect, command, its annotation, reply, state, scenario note.
    std::vector<svg_page> pages = svg_pages(d, 2);
    CHECK(pages[0].row_count == 3);
}

TEST_CASE("export svg: hostile text is escaped; Chinese is kept") {
    export_source src = test::source_of(test::hostile_trace(), {}, language::zh);
    std::string svg = svg_of(build_diagram(src), src);
    CHECK(svg.find("<script") == std::string::npos);
    CHECK(svg.find("<b>") == std::string::npos);
    CHECK(svg.find("&lt;/script&gt;") != std::string::npos);
    CHECK(svg.find("老师") != std::string::npos);
    CHECK(svg.find('\x01') == std::string::npos);
}

TEST_CASE("export svg: interactive rows for the HTML page") {
    export_source src = test::source_of(test::hostile_trace());
    diagram d = build_diagram(src);
    svg_options o;
    o.interactive = true;
    std::string svg = svg_of(d, src, o);
    CHECK(svg.rfind("<svg ", 0) == 0);  // inline: no XML declaration
    CHECK(count(svg, "<g class=\"row\" data-seq=") == d.rows.size());
    CHECK(count(svg, "class=\"hl\"") == d.rows.size());
}
