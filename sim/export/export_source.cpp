#include "sim/export/export_source.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <stdexcept>
#include <unordered_map>

#include "sim/view/event_filter.hpp"
#include "sim/view/trace_model.hpp"

namespace maillab::exporting {
namespace {

std::string header_text(const nlohmann::json& header, const char* key, language lang) {
    auto pick = [&](const std::string& k) -> std::string {
        auto it = header.find(k);
        return it != header.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    if (lang == language::zh) {
        std::string zh = pick(std::string(key) + "_zh");
        if (!zh.empty()) return zh;
    }
    return pick(key);
}

// The teacher's notes and bookmarks, in the export's language; saved views are filters of the
// event log and have nothing to show on an event.
std::vector<remark> remarks_from(const std::vector<annotation>& annotations, language lang) {
    std::vector<remark> out;
    for (const annotation& a : annotations) {
        if (!a.seq) continue;
        if (a.type == annotation_type::note)
            out.push_back({*a.seq, a.note_text(lang), false});
        else if (a.type == annotation_type::bookmark)
            out.push_back({*a.seq, a.name, true});
    }
    std::stable_sort(out.begin(), out.end(),
                     [](const remark& a, const remark& b) { return a.seq < b.seq; });
    return out;
}

template <typename Set>
void check_known(const Set& wanted, const Set& present, const char* what) {
    for (const auto& w : wanted)
        if (!present.count(w))
            throw std::invalid_argument(fmt::format("this trace has no {} {} (it has: {})", what, w,
                                                    fmt::join(present, ", ")));
}

}  // namespace

bool export_filter::matches(const event& e, const std::string& connection_proto) const {
    if (kinds.empty() ? e.kind == event_kind::bytes : !kinds.count(e.kind)) return false;
    if (!protos.empty() && !protos.count(e.proto) && !protos.count(connection_proto)) return false;
    if (!hosts.empty() && !hosts.count(e.from) && !hosts.count(e.to)) return false;
    if (!conns.empty() && !conns.count(e.conn)) return false;
    if (first_seq && e.seq < *first_seq) return false;
    if (last_seq && e.seq > *last_seq) return false;
    if (!text.empty()) {
        view::event_filter search;  // the GUI's and the replay's text search, exactly
        search.text = text;
        if (!search.matches(e)) return false;
    }
    return true;
}

std::string export_filter::describe() const {
    std::vector<std::string> parts;
    if (!protos.empty()) parts.push_back(fmt::format("proto {}", fmt::join(protos, ", ")));
    if (!hosts.empty()) parts.push_back(fmt::format("host {}", fmt::join(hosts, ", ")));
    if (!conns.empty()) parts.push_back(fmt::format("connection {}", fmt::join(conns, ", ")));
    if (!kinds.empty()) {
        std::vector<std::string_view> names;
        for (auto k : kinds) names.push_back(to_string(k));
        parts.push_back(fmt::format("kind {}", fmt::join(names, ", ")));
    }
    if (first_seq && last_seq)
        parts.push_back(fmt::format("seq {}-{}", *first_seq, *last_seq));
    else if (first_seq)
        parts.push_back(fmt::format("seq from {}", *first_seq));
    else if (last_seq)
        parts.push_back(fmt::format("seq up to {}", *last_seq));
    if (!text.empty()) parts.push_back(fmt::format("text \"{}\"", text));
    return fmt::format("{}", fmt::join(parts, "; "));
}

const view::connection_info* export_source::connection(std::uint64_t conn) const {
    auto it = connection_index.find(conn);
    return it == connection_index.end() ? nullptr : &connections[it->second];
}

std::string export_source::title() const {
    std::string title = header_text(header, "title", lang);
    if (!title.empty()) return title;
    std::string scenario = header_text(header, "scenario", lang);
    return scenario.empty() ? std::string("maillab trace") : scenario;
}

std::string export_source::description() const { return header_text(header, "description", lang); }

std::vector<std::string> export_source::declared_hosts() const {
    std::vector<std::string> hosts;
    auto world = header.find("world");
    if (world == header.end() || !world->is_object()) return hosts;
    auto list = world->find("hosts");
    if (list == world->end() || !list->is_array()) return hosts;
    for (const auto& h : *list)
        if (h.is_object() && h.contains("name") && h["name"].is_string())
            hosts.push_back(h["name"].get<std::string>());
    return hosts;
}

std::span<const remark> export_source::remarks_on(std::uint64_t seq) const {
    auto [first, last] =
        std::equal_range(remarks.begin(), remarks.end(), remark{seq, {}, false},
                         [](const remark& a, const remark& b) { return a.seq < b.seq; });
    return {first, last};
}

export_source make_export_source(const trace_file& file, const export_filter& filter,
                                 language lang) {
    export_source src;
    src.header = file.header;
    src.lang = lang;
    src.trace_events = file.events.size();
    src.filter_summary = filter.describe();

    view::trace_model model(file.header, file.events);
    src.connections = view::list_connections(model);
    for (std::size_t i = 0; i < src.connections.size(); ++i)
        src.connection_index[src.connections[i].conn] = i;
    if (!model.empty()) src.start_us = model.at(0).t_us;

    // A filter that names something the trace does not have is a typo, not an empty export.
    std::set<std::string> protos, hosts;
    std::set<std::uint64_t> conns;
    for (const event& e : model.events()) {
        if (!e.proto.empty()) protos.insert(e.proto);
        if (!e.from.empty()) hosts.insert(e.from);
        if (!e.to.empty()) hosts.insert(e.to);
        if (e.conn) conns.insert(e.conn);
    }
    check_known(filter.protos, protos, "protocol");
    check_known(filter.hosts, hosts, "host");
    check_known(filter.conns, conns, "connection");

    // Raw bytes events are left out unless asked for (the command or reply parsed from them says
    // the same), but a teacher may have put a note on one: it moves to the event its connection
    // shows next (the command read from those bytes), or else the one it showed last.
    export_filter with_bytes = filter;
    with_bytes.kinds = {event_kind::bytes};
    std::unordered_map<std::uint64_t, std::vector<std::uint64_t>> hidden_bytes;  // conn -> seqs
    std::unordered_map<std::uint64_t, std::uint64_t> last_shown;                // conn -> seq
    std::unordered_map<std::uint64_t, std::uint64_t> moved;  // hidden bytes seq -> shown seq
    std::set<std::uint64_t> chosen;
    for (const event& e : model.events()) {
        const view::connection_info* c = e.conn ? src.connection(e.conn) : nullptr;
        std::string conn_proto = c ? c->proto : std::string();
        if (!filter.matches(e, conn_proto)) {
            if (filter.kinds.empty() && e.kind == event_kind::bytes && e.conn &&
                with_bytes.matches(e, conn_proto))
                hidden_bytes[e.conn].push_back(e.seq);
            continue;
        }
        src.events.push_back(e);
        chosen.insert(e.seq);
        if (!e.conn) continue;
        last_shown[e.conn] = e.seq;
        if (auto w = hidden_bytes.find(e.conn); w != hidden_bytes.end()) {
            for (std::uint64_t seq : w->second) moved[seq] = e.seq;
            hidden_bytes.erase(w);
        }
    }
    for (const auto& [conn, seqs] : hidden_bytes)
        if (auto shown = last_shown.find(conn); shown != last_shown.end())
            for (std::uint64_t seq : seqs) moved[seq] = shown->second;
    if (src.events.empty())
        throw std::invalid_argument(
            fmt::format("no event of the trace's {} matches the filters ({})", model.size(),
                        src.filter_summary.empty() ? "none" : src.filter_summary));

    for (remark& r : remarks_from(file.annotations, lang)) {
        if (auto m = moved.find(r.seq); m != moved.end()) r.seq = m->second;
        if (chosen.count(r.seq)) src.remarks.push_back(std::move(r));
    }
    // remarks_on() searches by seq; a moved note keeps its place among the event's own.
    std::stable_sort(src.remarks.begin(), src.remarks.end(),
                     [](const remark& a, const remark& b) { return a.seq < b.seq; });
    return src;
}

}  // namespace maillab::exporting
