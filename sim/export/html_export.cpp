#include "sim/export/html_export.hpp"

#include <fmt/format.h>

#include <stdexcept>

#include "sim/core/event_fields.hpp"
#include "sim/export/embedded_assets.hpp"
#include "sim/export/escape.hpp"
#include "sim/export/svg_export.hpp"

namespace maillab::exporting {
namespace {

// The page's frame. Its visible words (data-t) come from the script, in the export's language.
constexpr std::string_view toolbar = R"(<div id="toolbar" role="toolbar">
<button type="button" id="btn-first" data-t="first"></button>
<button type="button" id="btn-prev" data-t="previous"></button>
<button type="button" id="btn-next" data-t="next"></button>
<button type="button" id="btn-last" data-t="last"></button>
<span id="position" aria-live="polite"></span>
<span class="sep"></span>
<label><span data-t="protocol"></span> <select id="proto-filter"></select></label>
<span class="sep"></span>
<button type="button" id="view-diagram" data-t="diagram" aria-pressed="true"></button>
<button type="button" id="view-list" data-t="list" aria-pressed="false"></button>
<span class="hint" data-t="hint"></span>
</div>
)";

constexpr std::string_view details = R"(<aside id="details">
<h2><span class="badge" id="ev-proto"></span><span id="ev-kind"></span><span>#<span id="ev-seq"></span></span><span id="ev-time" class="none"></span></h2>
<div id="ev-route"></div>
<pre id="ev-text"></pre>
<section id="remarks-section" hidden><h3 data-t="remarks"></h3><div id="ev-remarks"></div></section>
<section><h3 data-t="explanation"></h3><div id="ev-explain"></div></section>
<section><h3 data-t="raw"></h3><pre id="ev-raw"></pre></section>
<section id="cause-section" hidden><h3 data-t="cause"></h3><div id="ev-cause"></div></section>
<section><h3 data-t="fields"></h3><table id="ev-fields"></table></section>
</aside>
)";

// An asset inlined in an element it must not be able to close.
std::string_view inline_asset(std::string_view name, std::string_view closing) {
    std::string_view text = export_asset(name);
    if (text.find(closing) != std::string_view::npos)
        throw std::logic_error(std::string(name) + " contains " + std::string(closing));
    return text;
}

}  // namespace

nlohmann::ordered_json html_page_data(const diagram& d, const export_source& src) {
    nlohmann::ordered_json j;
    j["lang"] = src.lang == language::zh ? "zh" : "en";
    j["title"] = src.title();
    j["start_us"] = src.start_us;
    j["trace_events"] = src.trace_events;
    j["filter"] = src.filter_summary;
    j["diagram"] = d.rows.size() <= html_max_diagram_rows;
    j["diagram_rows"] = d.rows.size();

    nlohmann::ordered_json events = nlohmann::ordered_json::array();
    nlohmann::ordered_json explanations = nlohmann::ordered_json::object();
    const explain_catalog& catalog = explain_catalog::builtin();
    for (const event& e : src.events) {
        events.push_back(event_to_json(e));
        if (e.explain.empty() || explanations.contains(e.explain)) continue;
        if (const explanation* x = catalog.find(e.explain))
            explanations[e.explain] = {{"rfc", x->rfc}, {"en", x->en}, {"zh", x->zh}};
    }
    j["events"] = std::move(events);
    j["explanations"] = std::move(explanations);

    nlohmann::ordered_json conns = nlohmann::ordered_json::object();
    for (const auto& c : src.connections)
        conns[std::to_string(c.conn)] = {{"client", c.client},
                                         {"server", c.server},
                                         {"proto", c.proto},
                                         {"port", c.port.number},
                                         {"port_name", c.port.name}};
    j["conns"] = std::move(conns);

    nlohmann::ordered_json remarks = nlohmann::ordered_json::array();
    for (const remark& r : src.remarks)
        remarks.push_back({{"seq", r.seq}, {"text", r.text}, {"bookmark", r.bookmark}});
    j["remarks"] = std::move(remarks);
    return j;
}

void write_html(const diagram& d, const export_source& src, std::ostream& out) {
    bool zh = src.lang == language::zh;
    std::string title = xml_escape(src.title());
    out << "<!DOCTYPE html>\n<html lang=\"" << (zh ? "zh-CN" : "en") << "\">\n<head>\n"
        << "<meta charset=\"utf-8\">\n"
        << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        << "<meta name=\"generator\" content=\"maillab export\">\n"
        << "<title>" << title << " · maillab</title>\n"
        << "<style>\n"
        << inline_asset("viewer.css", "</style") << "</style>\n</head>\n<body>\n";

    out << "<header class=\"page-head\"><h1>" << title << "</h1>\n";
    std::string description = src.description();
    if (!description.empty()) out << "<p>" << xml_escape(description) << "</p>\n";
    std::string scenario = text_field(src.header, "scenario");
    std::string counts = zh ? fmt::format("{} / {} 个事件", src.events.size(), src.trace_events)
                            : fmt::format("{} of {} events", src.events.size(), src.trace_events);
    if (!src.filter_summary.empty()) counts += " (" + src.filter_summary + ")";
    out << "<p>" << (scenario.empty() ? "" : xml_escape(scenario) + " · ") << xml_escape(counts)
        << "</p></header>\n";

    out << toolbar << "<main>\n<section id=\"diagram-pane\" class=\"pane\">\n";
    if (d.rows.size() <= html_max_diagram_rows) {
        svg_options o;
        o.interactive = true;
        write_svg(d, src, o, out);
    }
    out << "</section>\n<section id=\"list-pane\" class=\"pane\" hidden>"
        << "<table id=\"event-list\"><thead><tr></tr></thead><tbody></tbody></table></section>\n"
        << details << "</main>\n";

    out << "<script type=\"application/json\" id=\"maillab-data\">"
        << json_for_script(html_page_data(d, src)) << "</script>\n";
    out << "<script>\n" << inline_asset("viewer.js", "</script") << "</script>\n</body>\n</html>\n";
}

}  // namespace maillab::exporting
