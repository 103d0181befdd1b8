// Mermaid and PlantUML text: structure and escaping here; that the real parsers accept it is
// checked by tests/integration/test_export.py (Mermaid's own parser from npm, PlantUML's).
#include <doctest/doctest.h>

#include <regex>
#include <sstream>

#include "export_fixtures.hpp"
#include "sim/export/mermaid_export.hpp"
#include "sim/export/plantuml_export.hpp"

using namespace maillab;
using namespace maillab::exporting;

namespace {
std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}
}  // namespace

TEST_CASE("export mermaid: participants with safe aliases, arrows by direction") {
    export_source src = test::source_of(test::classic_trace());
    diagram d = build_diagram(src);
    std::ostringstream out;
    write_mermaid(d, src, out);
    std::string m = out.str();
    CHECK(m.find("sequenceDiagram\n") != std::string::npos);
    CHECK(m.find("    participant mail_a_example as mail.a.example\n") != std::string::npos);
    CHECK(m.find("    pc_alice->>mail_a_example: EHLO pc.alice\n") != std::string::npos);
    CHECK(m.find("    mail_a_example-->>pc_alice: 220 mail.a.example ESMTP maillab ready\n") !=
          std::string::npos);
    CHECK(m.find("    pc_alice-)mail_a_example: TCP connect :587 (submission)\n") !=
          std::string::npos);
    CHECK(m.find("pc_alice->>mail_a_example: MAIL FROM:#lt;alice@a.example#gt; SIZE=366\n") !=
          std::string::npos);
    CHECK(m.find("    Note over mail_a_example: WAIT_HELO → READY\n") != std::string::npos);
    CHECK(m.find("    Note over pc_alice,pc_bob: step 1 of 2") != std::string::npos);
    std::size_t rows = 0;
    for (const std::string& line : lines_of(m))
        rows += line.rfind("    Note over", 0) == 0 || line.find("->>") != std::string::npos ||
                line.find("-)") != std::string::npos || line.find("-x") != std::string::npos;
    CHECK(rows == d.rows.size());
}

TEST_CASE("export mermaid: hostile text cannot end a statement or open a tag") {
    export_source src = test::source_of(test::hostile_trace());
    std::ostringstream out;
    write_mermaid(build_diagram(src), src, out);
    for (const std::string& raw_line : lines_of(out.str())) {
        if (raw_line.rfind("%%", 0) == 0) continue;
        // A ";" may only end an entity code (#59;), never a statement.
        std::string line = std::regex_replace(raw_line, std::regex("#[a-z0-9]+;"), "");
        CHECK(line.find(';') == std::string::npos);
        CHECK(line.find('<') == std::string::npos);
        CHECK(line.find('"') == std::string::npos);
    }
}

TEST_CASE("export plantuml: @startuml, coloured arrows, tinted notes, escaped text") {
    export_source src = test::source_of(test::classic_trace());
    diagram d = build_diagram(src);
    std::ostringstream out;
    write_plantuml(d, src, out);
    std::vector<std::string> lines = lines_of(out.str());
    REQUIRE(lines.size() > 10);
    CHECK(lines.front() == "@startuml");
    CHECK(lines.back() == "@enduml");
    std::string p = out.str();
    CHECK(p.find("participant \"mail.a.example\" as mail_a_example\n") != std::string::npos);
    CHECK(p.find("pc_alice -[#1f6fd1]> mail_a_example : EHLO pc.alice\n") != std::string::npos);
    CHECK(p.find("mail_a_example -[#1f6fd1]-> pc_alice : 220 ") != std::string::npos);
    CHECK(p.find(": MAIL FROM:&#60;alice@a.example> SIZE=366\n") != std::string::npos);
    CHECK(p.find("note over mail_a_example #f7e9fb : WAIT_HELO → READY\n") != std::string::npos);
    CHECK(p.find("note over pc_alice, pc_bob #eef1f6 : step 1 of 2") != std::string::npos);
}

TEST_CASE("export plantuml: hostile text stays one line per row") {
    export_source src = test::source_of(test::hostile_trace());
    diagram d = build_diagram(src);
    std::ostringstream out;
    write_plantuml(d, src, out);
    std::vector<std::string> lines = lines_of(out.str());
    // @startuml, comment, title, skinparam, participants, rows, @enduml.
    CHECK(lines.size() == 4 + d.participants.size() + d.rows.size() + 1);
    for (const std::string& line : lines) CHECK(line.find("<b>") == std::string::npos);
}
