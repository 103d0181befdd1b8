#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "export_fixtures.hpp"
#include "sim/export/export_writer.hpp"

using namespace maillab;
using namespace maillab::exporting;

TEST_CASE("export writer: format names and file extensions") {
    for (auto f : {export_format::transcript, export_format::mermaid, export_format::plantuml,
                   export_format::svg, export_format::html})
        CHECK(export_format_from_string(to_string(f)) == f);
    CHECK_FALSE(export_format_from_string("pdf"));
    CHECK(export_format_for_path("a/b.SVG") == export_format::svg);
    CHECK(export_format_for_path("lesson.html") == export_format::html);
    CHECK(export_format_for_path("x.mmd") == export_format::mermaid);
    CHECK(export_format_for_path("x.puml") == export_format::plantuml);
    CHECK(export_format_for_path("handout.txt") == export_format::transcript);
    CHECK_FALSE(export_format_for_path("a.dir/noext"));
    CHECK(svg_page_paths("out/d.svg", 3) ==
          std::vector<std::string>{"out/d.svg", "out/d-2.svg", "out/d-3.svg"});
    CHECK(svg_page_paths("a.b/d", 2) == std::vector<std::string>{"a.b/d", "a.b/d-2.svg"});
}

TEST_CASE("export writer: an SVG on a stream is its first page; in files, every page") {
    export_source src = test::source_of(test::classic_trace());
    export_settings s;
    s.format = export_format::svg;
    s.svg_page_rows = 40;
    std::ostringstream out;
    export_report r = write_export(src, s, out);
    CHECK(r.rows_left_out > 0);
    CHECK(out.str().find("more rows are not in this SVG") != std::string::npos);

    auto dir = std::filesystem::temp_directory_path() / "maillab_export_writer_test";
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    export_report files = write_export_files(src, s, (dir / "classic.svg").string());
    CHECK(files.svg_pages > 1);
    CHECK(files.files.size() == files.svg_pages);
    for (const auto& f : files.files) CHECK(std::filesystem::exists(f));
    CHECK(files.files[1] == (dir / "classic-2.svg").string());
    std::filesystem::remove_all(dir);

    CHECK_THROWS_AS(write_export_files(src, s, "/nonexistent-dir/x.svg"), std::runtime_error);
}

TEST_CASE("export writer: every format writes something for every shipped kind of trace") {
    trace_file demo = test::demo_trace();
    for (const trace_file* f : std::vector<const trace_file*>{&test::classic_trace(), &demo}) {
        export_source src = test::source_of(*f);
        for (auto format : {export_format::transcript, export_format::mermaid,
                            export_format::plantuml, export_format::svg, export_format::html}) {
            export_settings s;
            s.format = format;
            std::ostringstream out;
            write_export(src, s, out);
            CHECK(out.str().size() > 1000);
        }
    }
}
