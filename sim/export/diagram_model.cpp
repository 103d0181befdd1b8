#include "sim/export/diagram_model.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "sim/core/event_fields.hpp"
#include "sim/export/text_fit.hpp"

namespace maillab::exporting {
namespace {

// Which rows an event makes and what they say, before hosts become participant numbers.
struct row_plan {
    row_shape shape = row_shape::note;
    arrow_style arrow = arrow_style::request;
    note_style note = note_style::teaching;
    std::string label;
};

row_plan plan_row(const event& e, language lang) {
    row_plan p;
    bool two_ends = !e.from.empty() && !e.to.empty() && e.from != e.to;
    auto arrow = [&](arrow_style style, std::string label) {
        p.shape = two_ends ? row_shape::arrow : row_shape::note;
        p.arrow = style;
        p.note = note_style::transport;
        p.label = std::move(label);
    };
    auto note = [&](note_style style, std::string label) {
        p.shape = row_shape::note;
        p.note = style;
        p.label = std::move(label);
    };
    switch (e.kind) {
        case event_kind::command:
        case event_kind::data:
            arrow(arrow_style::request, e.text);
            break;
        case event_kind::reply:
            arrow(arrow_style::answer, e.text);
            break;
        case event_kind::http:
            arrow(text_field(e, "direction") == "response" ? arrow_style::answer : arrow_style::request,
                  e.text);
            break;
        case event_kind::dns:
            arrow(text_field(e, "action") == "answer" ? arrow_style::answer : arrow_style::request,
                  e.text);
            break;
        case event_kind::bytes:
            arrow(arrow_style::request, e.text);
            break;
        case event_kind::tcp: {
            std::string action = text_field(e, "action");
            if (action == "connect")
                arrow(arrow_style::connect, "TCP connect");
            else if (action == "connect_failed")
                arrow(arrow_style::failed, e.text);
            else
                note(note_style::transport, e.text);
            break;
        }
        case event_kind::tls:
            note(note_style::transport, e.text);
            break;
        case event_kind::state:
            note(note_style::state,
                 fmt::format("{} → {}", text_field(e, "from_state"), text_field(e, "to_state")));
            break;
        case event_kind::store:
        case event_kind::queue:
            note(note_style::store, e.text);
            break;
        case event_kind::note:
            note(e.proto == "world" ? note_style::scenario : note_style::teaching,
                 event_text(e, lang));
            break;
    }
    if (p.shape == row_shape::arrow && flag_field(e, "tls")) p.label = "[TLS] " + p.label;
    return p;
}

// The TCP connect says which port: "TCP connect :587" tells a submission from a relay.
std::string connect_label(const export_source& src, const event& e) {
    const view::connection_info* c = e.conn ? src.connection(e.conn) : nullptr;
    if (!c || c->port.number == 0) return "TCP connect";
    return c->port.name.empty() ? fmt::format("TCP connect :{}", c->port.number)
                                : fmt::format("TCP connect :{} ({})", c->port.number, c->port.name);
}

std::string remark_label(const remark& r, language lang) {
    if (r.bookmark) return (lang == language::zh ? "书签：" : "Bookmark: ") + r.text;
    return (lang == language::zh ? "教师批注：" : "Teacher: ") + r.text;
}

std::string participant_description(const export_source& src, const std::string& host) {
    auto world = src.header.find("world");
    if (world == src.header.end() || !world->is_object() || !world->contains("hosts")) return {};
    for (const auto& h : (*world)["hosts"]) {
        if (!h.is_object() || text_field(h, "name") != host) continue;
        auto d = h.find("description");
        if (d == h.end() || !d->is_object()) return {};
        std::string key = src.lang == language::zh ? "zh" : "en";
        return text_field(*d, key, text_field(*d, "en"));
    }
    return {};
}

}  // namespace

std::string relative_time(std::int64_t t_us, std::int64_t start_us) {
    return fmt::format("{:.3f} s", static_cast<double>(t_us - start_us) / 1e6);
}

diagram build_diagram(const export_source& src, const diagram_options& options) {
    diagram d;
    d.title = src.title();

    std::vector<row_plan> plans;
    plans.reserve(src.events.size());
    std::vector<std::string> seen;  // hosts in order of first appearance in the rows
    auto see = [&](const std::string& host) {
        if (!host.empty() && std::find(seen.begin(), seen.end(), host) == seen.end())
            seen.push_back(host);
    };
    for (const event& e : src.events) {
        plans.push_back(plan_row(e, src.lang));
        see(e.from);
        if (plans.back().shape == row_shape::arrow) see(e.to);
    }

    // The header's topology gives the classroom order (user agents left, servers right); hosts
    // it does not list (a real peer's address) follow in order of appearance.
    std::vector<std::string> hosts;
    for (const std::string& h : src.declared_hosts())
        if (std::find(seen.begin(), seen.end(), h) != seen.end()) hosts.push_back(h);
    for (const std::string& h : seen)
        if (std::find(hosts.begin(), hosts.end(), h) == hosts.end()) hosts.push_back(h);
    // Only scenario-wide notes were chosen: they still need someone to stand over.
    if (hosts.empty()) hosts = src.declared_hosts();
    if (hosts.empty()) hosts.push_back("maillab");
    for (const std::string& h : hosts)
        d.participants.push_back({h, participant_description(src, h)});

    auto index_of = [&](const std::string& host) {
        auto it = std::find(hosts.begin(), hosts.end(), host);
        return it == hosts.end() ? -1 : static_cast<int>(it - hosts.begin());
    };
    int everyone = static_cast<int>(hosts.size()) - 1;

    for (std::size_t i = 0; i < src.events.size(); ++i) {
        const event& e = src.events[i];
        const row_plan& p = plans[i];
        diagram_row row;
        row.event = i;
        row.seq = e.seq;
        row.t_us = e.t_us;
        row.shape = p.shape;
        row.arrow = p.arrow;
        row.note = p.note;
        row.proto = e.proto;
        std::string label = p.label;
        if (e.kind == event_kind::tcp && p.arrow == arrow_style::connect)
            label = connect_label(src, e);
        int from = index_of(e.from);
        if (row.shape == row_shape::arrow) {
            row.from = from;
            row.to = index_of(e.to);
            row.first = std::min(row.from, row.to);
            row.last = std::max(row.from, row.to);
        } else if (from >= 0) {
            row.from = row.to = row.first = row.last = from;
        } else {
            row.from = row.to = row.first = 0;  // a note of the whole scenario
            row.last = everyone;
        }
        bool wide = row.shape == row_shape::note && row.last > row.first;
        row.label = shorten(one_line(label), wide ? options.max_wide_note : options.max_label);
        d.rows.push_back(row);
        for (const remark& r : src.remarks_on(e.seq)) {
            diagram_row note = row;
            note.shape = row_shape::note;
            note.note = note_style::annotation;
            note.proto = "annotation";
            note.label =
                shorten(one_line(remark_label(r, src.lang)),
                        note.last > note.first ? options.max_wide_note : options.max_label);
            d.rows.push_back(std::move(note));
        }
    }
    return d;
}

}  // namespace maillab::exporting
