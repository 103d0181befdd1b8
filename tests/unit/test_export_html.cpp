#include <doctest/doctest.h>

#include <regex>
#include <sstream>

#include "export_fixtures.hpp"
#include "sim/export/embedded_assets.hpp"
#include "sim/export/html_export.hpp"

using namespace maillab;
using namespace maillab::exporting;

namespace {
std::string html_of(const export_source& src) {
    std::ostringstream out;
    write_html(build_diagram(src), src, out);
    return out.str();
}
// The text of the JSON data element.
std::string data_of(const std::string& html) {
    std::string open = "<script type=\"application/json\" id=\"maillab-data\">";
    auto begin = html.find(open);
    REQUIRE(begin != std::string::npos);
    begin += open.size();
    auto end = html.find("</script>", begin);
    REQUIRE(end != std::string::npos);
    return html.substr(begin, end - begin);
}
}  // namespace

TEST_CASE("export html: one page, everything inline, nothing fetched") {
    std::string html = html_of(test::source_of(test::classic_trace()));
    CHECK(html.rfind("<!DOCTYPE html>\n<html lang=\"en\">", 0) == 0);
    CHECK(html.find("<style>") != std::string::npos);
    CHECK(html.find("<svg ") != std::string::npos);
    CHECK(html.find("id=\"btn-next\"") != std::string::npos);
    CHECK(html.find("id=\"proto-filter\"") != std::string::npos);
    // No network: no external script, stylesheet, font or image.
    CHECK(html.find("src=") == std::string::npos);
    CHECK(html.find("href=") == std::string::npos);
    CHECK(html.find("@import") == std::string::npos);
    CHECK(html.find("url(") == std::string::npos);
    // The one http:// is the SVG namespace's name, which nothing fetches.
    std::string without_namespace =
        std::regex_replace(html, std::regex("xmlns=\"http://www\\.w3\\.org/2000/svg\""), "");
    CHECK(without_namespace.find("http://") == std::string::npos);
    CHECK(html.find("https://") == std::string::npos);
}

TEST_CASE("export html: the data has the events and only the explanations they use") {
    export_source src = test::source_of(test::classic_trace());
    auto data = nlohmann::json::parse(data_of(html_of(src)));
    CHECK(data["events"].size() == src.events.size());
    CHECK(data["events"][0]["seq"] == src.events[0].seq);
    CHECK(data["lang"] == "en");
    CHECK(data["diagram"] == true);
    std::set<std::string> used;
    for (const event& e : src.events)
        if (!e.explain.empty()) used.insert(e.explain);
    CHECK(data["explanations"].size() <= used.size());
    CHECK(data["explanations"].size() > 10);
    CHECK(data["explanations"].size() < explain_catalog::builtin().size() / 4);
    for (auto& [key, x] : data["explanations"].items()) {
        CHECK(used.count(key));
        CHECK(x["en"].is_string());
        CHECK(x["zh"].is_string());
        CHECK(x.contains("rfc"));
    }
    CHECK(data["explanations"]["smtp.cmd.EHLO"]["rfc"] == "RFC 5321 4.1.1.1");
    CHECK(data["conns"]["1"]["port"] == 587);
    CHECK(data["conns"]["1"]["client"] == "pc.alice");
}

TEST_CASE("export html: wire text cannot close the data element or inject markup") {
    trace_file f = test::hostile_trace();
    std::string html = html_of(test::source_of(f));
    std::string data = data_of(html);
    CHECK(data.find('<') == std::string::npos);
    CHECK(data.find("\xE2\x80\xA8") == std::string::npos);
    auto parsed = nlohmann::json::parse(data);
    CHECK(parsed["events"][1]["text"] == f.events[1].text);
    CHECK(parsed["events"][1]["raw"] == *f.events[1].raw);
    // Outside the data element the title is escaped too: exactly the page's own scripts.
    std::size_t scripts = 0;
    for (auto at = html.find("<script"); at != std::string::npos; at = html.find("<script", at + 1))
        ++scripts;
    CHECK(scripts == 2);
}

TEST_CASE("export html: the inlined script and stylesheet cannot end their elements") {
    CHECK(export_asset("viewer.js").find("</script") == std::string::npos);
    CHECK(export_asset("viewer.css").find("</style") == std::string::npos);
    CHECK_THROWS_AS(export_asset("nope.js"), std::logic_error);
}

TEST_CASE("export html: Chinese page") {
    std::string html = html_of(test::source_of(test::classic_trace(), {}, language::zh));
    CHECK(html.rfind("<!DOCTYPE html>\n<html lang=\"zh-CN\">", 0) == 0);
    CHECK(html.find("经典流程") != std::string::npos);
    CHECK(nlohmann::json::parse(data_of(html))["lang"] == "zh");
}
