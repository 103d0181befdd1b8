#include <doctest/doctest.h>

#include <regex>

#include "export_fixtures.hpp"
#include "sim/export/escape.hpp"

using namespace maillab;
using namespace maillab::exporting;

TEST_CASE("export escape: XML text and attributes") {
    CHECK(xml_escape("MAIL FROM:<a@b> & \"q\" 'x'") ==
          "MAIL FROM:&lt;a@b&gt; &amp; &quot;q&quot; &#39;x&#39;");
    CHECK(xml_escape("期末考试") == "期末考试");
    // Characters XML 1.0 does not allow would make the whole SVG unreadable.
    CHECK(xml_escape("a\x01"
                     "b") ==
          "a\xEF\xBF\xBD"
          "b");
    CHECK(xml_escape("a\xFF"
                     "b") ==
          "a\xEF\xBF\xBD"
          "b");
    CHECK(xml_escape("\xEF\xBF\xBE") == "\xEF\xBF\xBD");  // U+FFFE
    CHECK(xml_escape("tab\tand\nline") == "tab\tand\nline");
    std::string hostile = xml_escape(test::hostile_text);
    CHECK(hostile.find('<') == std::string::npos);
    CHECK(hostile.find('"') == std::string::npos);
}

TEST_CASE("export escape: Mermaid entity codes for what would end a statement or a tag") {
    CHECK(mermaid_escape("250 OK; done") == "250 OK#59; done");
    CHECK(mermaid_escape("Subject: #1") == "Subject: #35;1");
    CHECK(mermaid_escape("MAIL FROM:<a@b>") == "MAIL FROM:#lt;a@b#gt;");
    CHECK(mermaid_escape("say \"hi\" & %% x $$y$$ `z`") ==
          "say #quot;hi#quot; #amp; #37;#37; x #36;#36;y#36;#36; #96;z#96;");
    CHECK(mermaid_escape("line one\r\nline two") == "line one  line two");
    CHECK(mermaid_escape("你好") == "你好");
    // An entity code already in the text shows as written, not as its character.
    CHECK(mermaid_escape("#59;") == "#35;59#59;");
    // Apart from the entity codes themselves, nothing Mermaid reads as syntax is left.
    std::string hostile =
        std::regex_replace(mermaid_escape(test::hostile_text), std::regex("#[a-z0-9]+;"), "");
    for (char bad : {';', '<', '>', '"', '\n', '\r', '%', '`', '#'})
        CHECK(hostile.find(bad) == std::string::npos);
}

TEST_CASE("export escape: participant identifiers") {
    CHECK(diagram_id("mail.a.example") == "mail_a_example");
    CHECK(diagram_id("127.0.0.1:2525") == "h_127_0_0_1_2525");
    CHECK(diagram_id("end") == "h_end");
    CHECK(diagram_id("Note") == "h_Note");
    CHECK(diagram_id("") == "h_");
    CHECK(diagram_id("邮件") == "h_______");  // 6 bytes of UTF-8, each an underscore
}

TEST_CASE("export escape: PlantUML keeps creole markup and tags as text") {
    CHECK(plantuml_escape("MAIL FROM:<alice@a.example>") == "MAIL FROM:&#60;alice@a.example>");
    CHECK(plantuml_escape("**b** __u__ --s-- //i// \"\"m\"\"") ==
          "~*~*b~*~* ~_~_u~_~_ ~-~-s~-~- ~/~/i~/~/ ~\"~\"m~\"~\"");
    CHECK(plantuml_escape("a ~~w~~ b") == "a &#126;&#126;w&#126;&#126; b");
    CHECK(plantuml_escape("==h== a=b") == "&#61;&#61;h&#61;&#61; a=b");
    CHECK(plantuml_escape("[[http://x]] [y]") == "~[~[http:~/~/x]] [y]");
    CHECK(plantuml_escape("C:\\path\\n") == "C:\\\\path\\\\n");
    CHECK(plantuml_escape("a & b") == "a &#38; b");
    CHECK(plantuml_escape("<U+0041> <$x>") == "&#60;\u200BU+0041> &#60;\u200B$x>");
    // What a line may not start with: a list, a numbered list, a heading, a table.
    CHECK(plantuml_escape("* x") == "~* x");
    CHECK(plantuml_escape("# x") == "~# x");
    CHECK(plantuml_escape("= x") == "&#61; x");
    CHECK(plantuml_escape("| x |") == "&#124; x |");
    CHECK(plantuml_escape("250 2.1.0 Sender OK") == "250 2.1.0 Sender OK");
    CHECK(plantuml_escape("WAIT_HELO → READY") == "WAIT_HELO → READY");
}

TEST_CASE("export escape: JSON inside a script element cannot close it") {
    nlohmann::json j = {{"text", test::hostile_text}, {"n", 1}};
    std::string s = json_for_script(j);
    CHECK(s.find("</") == std::string::npos);
    CHECK(s.find("<!--") == std::string::npos);
    CHECK(s.find('<') == std::string::npos);
    CHECK(s.find("\xE2\x80\xA8") == std::string::npos);
    CHECK(s.find("\xE2\x80\xA9") == std::string::npos);
    CHECK(s.find("\\u2028") != std::string::npos);
    // The escapes mean the same characters: it parses back to the same value.
    CHECK(nlohmann::json::parse(s) == j);
    nlohmann::ordered_json o = {{"z", "</script>"}, {"a", 2}};
    CHECK(json_for_script(o) == "{\"z\":\"\\u003c/script\\u003e\",\"a\":2}");
}
