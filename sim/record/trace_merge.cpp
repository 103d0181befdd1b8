#include "sim/record/trace_merge.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>

#include <fmt/format.h>

#include "sim/core/event_fields.hpp"

namespace maillab {

const char* to_string(clock_offset_origin o) {
    switch (o) {
        case clock_offset_origin::none: return "none";
        case clock_offset_origin::estimated: return "estimated";
        case clock_offset_origin::given: return "given";
    }
    return "none";
}

std::size_t trace_merger::add_source(std::string name, std::string origin,
                                     nlohmann::json header) {
    merge_source s;
    s.origin = std::move(origin);
    sources_.push_back(std::move(s));
    states_.emplace_back();
    identify_source(sources_.size() - 1, name, std::move(header));
    return sources_.size() - 1;
}

void trace_merger::identify_source(std::size_t source, const std::string& name,
                                   nlohmann::json header) {
    std::string unique = name;
    for (int n = 2;; ++n) {
        bool taken = false;
        for (std::size_t i = 0; i < sources_.size(); ++i)
            taken = taken || (i != source && sources_[i].name == unique);
        if (!taken) break;
        unique = fmt::format("{}#{}", name, n);
    }
    sources_.at(source).name = std::move(unique);
    sources_.at(source).header = header.is_object() ? std::move(header) : nlohmann::json::object();
}

void trace_merger::set_clock_offset(std::size_t source, std::int64_t offset_us,
                                    clock_offset_origin origin) {
    sources_.at(source).clock_offset_us = offset_us;
    sources_.at(source).offset_origin = origin;
}

void trace_merger::push(std::size_t source, event e) {
    // Saturating: an event's time and an offset both come from the other machine.
    if (__builtin_add_overflow(e.t_us, sources_.at(source).clock_offset_us, &e.t_us))
        e.t_us = sources_.at(source).clock_offset_us > 0 ? std::numeric_limits<std::int64_t>::max()
                                                         : std::numeric_limits<std::int64_t>::min();
    // Learnt on arrival, not on release: the other end's first events may come out first.
    learn_endpoint(source, e);
    states_.at(source).held.push_back(std::move(e));
    ++states_[source].pushed;
}

void trace_merger::restart_source(std::size_t source) {
    source_state& st = states_.at(source);
    if (st.session_starts.empty() || st.session_starts.back() != st.pushed)
        st.session_starts.push_back(st.pushed);
}

// The source whose next event is earliest on the merged clock; on a tie the source added first,
// so the merge is the same every time.
std::optional<std::size_t> trace_merger::earliest_source() const {
    std::optional<std::size_t> best;
    for (std::size_t i = 0; i < states_.size(); ++i) {
        if (states_[i].held.empty()) continue;
        if (!best || states_[i].held.front().t_us < states_[*best].held.front().t_us) best = i;
    }
    return best;
}

std::vector<event> trace_merger::release(std::int64_t up_to_us) {
    std::vector<event> out;
    while (auto s = earliest_source()) {
        if (states_[*s].held.front().t_us > up_to_us) break;
        event e = std::move(states_[*s].held.front());
        states_[*s].held.pop_front();
        out.push_back(renumber(*s, std::move(e)));
    }
    return out;
}

std::vector<event> trace_merger::release_all() {
    return release(std::numeric_limits<std::int64_t>::max());
}

void trace_merger::learn_endpoint(std::size_t source, const event& e) {
    if (e.kind != event_kind::tcp || text_field(e, "action") != "connect") return;
    auto client = e.fields.find("client");
    if (client == e.fields.end() || !client->is_string()) return;
    const std::string& address = client->get_ref<const std::string&>();
    // Only a named host's own connection (from is its name, not an address).
    if (e.from.empty() || e.from == address) return;
    endpoints_[address] = {source, e.from};
}

void trace_merger::name_endpoint(std::size_t source, std::string& host, const char* field,
                                 event& e) const {
    auto it = endpoints_.find(host);
    if (it == endpoints_.end() || it->second.source == source) return;
    e.fields[field] = host;
    host = it->second.host;
}

event trace_merger::renumber(std::size_t source, event e) {
    source_state& st = states_[source];
    while (!st.session_starts.empty() && st.session_starts.front() == st.renumbered) {
        st.session_starts.pop_front();
        st.seqs.clear();
        st.conns.clear();
        st.queue_ids.clear();
    }
    ++st.renumbered;
    std::uint64_t merged = next_seq_++;
    st.seqs[e.seq] = merged;
    e.seq = merged;
    // A cause is always an earlier event of the same source, already renumbered; one that is
    // not there (a stream joined late) is dropped rather than pointing at another source's event.
    if (e.cause) {
        auto it = st.seqs.find(*e.cause);
        e.cause = it == st.seqs.end() ? std::nullopt : std::optional<std::uint64_t>(it->second);
    }
    if (e.conn != 0) {
        auto [it, fresh] = st.conns.try_emplace(e.conn, next_conn_);
        if (fresh) ++next_conn_;
        e.conn = it->second;
    }
    if (auto q = e.fields.find("queue_id");
        q != e.fields.end() && q->is_number_integer() && q->get<std::int64_t>() >= 0) {
        auto [it, fresh] = st.queue_ids.try_emplace(q->get<std::uint64_t>(), next_queue_id_);
        if (fresh) ++next_queue_id_;
        *q = it->second;
    }
    name_endpoint(source, e.from, "peer_address", e);
    name_endpoint(source, e.to, "peer_address", e);
    e.fields["source"] = sources_[source].name;
    ++sources_[source].events;
    return e;
}

std::size_t trace_merger::held() const {
    std::size_t n = 0;
    for (const auto& s : states_) n += s.held.size();
    return n;
}

nlohmann::json trace_merger::header() const {
    nlohmann::json h = nlohmann::json::object();
    for (const auto& s : sources_)
        if (!s.header.empty()) {
            h = s.header;
            break;
        }
    for (const char* key : {"publisher", "as", "format", "version", "sources"}) h.erase(key);
    std::string names;
    nlohmann::json list = nlohmann::json::array();
    for (const auto& s : sources_) {
        if (s.header.empty()) continue;  // a stream that never answered: it gave nothing
        names += (names.empty() ? "" : ", ") + s.name;
        list.push_back({{"name", s.name},
                        {"origin", s.origin},
                        {"clock_offset_us", s.clock_offset_us},
                        {"clock_offset", to_string(s.offset_origin)}});
    }
    std::string title = text_field(h, "title");
    h["title"] = fmt::format("merged view of {}{}", names, title.empty() ? "" : " — " + title);
    if (auto zh = h.find("title_zh"); zh != h.end() && zh->is_string())
        *zh = fmt::format("{} 的合并视图 — {}", names, zh->get<std::string>());
    h["mode"] = "merged";
    h["clock"] = "real";
    h["sources"] = std::move(list);
    return h;
}

merged_trace merge_traces(std::vector<merge_input> inputs) {
    trace_merger m;
    for (auto& in : inputs) {
        std::size_t s = m.add_source(source_name(in.header, in.origin), in.origin, in.header);
        if (in.clock_offset_us)
            m.set_clock_offset(s, *in.clock_offset_us, clock_offset_origin::given);
        for (auto& e : in.events) m.push(s, std::move(e));
    }
    merged_trace out;
    out.events = m.release_all();
    out.header = m.header();
    out.sources = m.sources();
    return out;
}

std::string source_name(const nlohmann::json& header, const std::string& fallback) {
    if (!header.is_object()) return fallback;
    for (const char* key : {"as"})
        if (auto it = header.find(key); it != header.end() && it->is_string() && !it->empty())
            return it->get<std::string>();
    if (auto p = header.find("publisher"); p != header.end() && p->is_object())
        if (auto h = p->find("host"); h != p->end() && h->is_string() && !h->empty())
            return h->get<std::string>();
    if (auto it = header.find("scenario"); it != header.end() && it->is_string() && !it->empty())
        return it->get<std::string>();
    return fallback;
}

std::pair<std::string, std::int64_t> parse_clock_offset(std::string_view text) {
    auto eq = text.rfind('=');
    if (eq == std::string_view::npos || eq == 0)
        throw std::invalid_argument(fmt::format(
            "--clock-offset {}: expected HOST=MS (milliseconds to add to that host's times)",
            text));
    std::string number(text.substr(eq + 1));
    std::size_t used = 0;
    double ms = 0;
    try {
        ms = std::stod(number, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    if (number.empty() || used != number.size() || !std::isfinite(ms) || std::fabs(ms) > 1e9)
        throw std::invalid_argument(fmt::format(
            "--clock-offset {}: \"{}\" is not a number of milliseconds", text, number));
    return {std::string(text.substr(0, eq)), static_cast<std::int64_t>(std::llround(ms * 1000))};
}

std::string format_clock_offset(std::int64_t offset_us) {
    if (offset_us == 0) return "0 ms";
    double ms = static_cast<double>(offset_us) / 1000.0;
    if (std::fabs(ms) >= 1000) return fmt::format("{:+.3f} s", ms / 1000.0);
    return fmt::format("{:+.1f} ms", ms);
}

}  // namespace maillab
