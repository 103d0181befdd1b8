#include "sim/view/trace_model.hpp"

#include <algorithm>

namespace maillab::view {

trace_model::trace_model(nlohmann::json header, std::vector<event> events)
    : header_(std::move(header)), events_(std::move(events)) {
    // Recordings are written in seq order; a merged or hand-edited file may not be. Checking
    // first matters: stable_sort moves every event through a buffer even when they are sorted,
    // a seventh of opening a million-event recording (docs/performance.md).
    auto by_seq = [](const event& a, const event& b) { return a.seq < b.seq; };
    if (!std::is_sorted(events_.begin(), events_.end(), by_seq))
        std::stable_sort(events_.begin(), events_.end(), by_seq);
    for (std::size_t i = 0; i < events_.size(); ++i) index(i);
}

void trace_model::append(event e) {
    events_.push_back(std::move(e));
    index(events_.size() - 1);
}

void trace_model::index(std::size_t i) {
    const event& e = events_[i];
    for (const std::string* host : {&e.from, &e.to})
        if (!host->empty() && host_index(*host) < 0) hosts_.push_back(*host);
    if (e.conn && known_connections_.insert(e.conn).second) connections_.push_back(e.conn);
    if (!e.proto.empty() &&
        std::find(protocols_.begin(), protocols_.end(), e.proto) == protocols_.end())
        protocols_.push_back(e.proto);
    if (e.kind == event_kind::state) state_events_.push_back(i);
}

std::optional<std::size_t> trace_model::index_of_seq(std::uint64_t seq) const {
    auto it = std::lower_bound(events_.begin(), events_.end(), seq,
                               [](const event& e, std::uint64_t s) { return e.seq < s; });
    if (it == events_.end() || it->seq != seq) return std::nullopt;
    return static_cast<std::size_t>(it - events_.begin());
}

int trace_model::host_index(const std::string& host) const {
    for (std::size_t i = 0; i < hosts_.size(); ++i)
        if (hosts_[i] == host) return static_cast<int>(i);
    return -1;
}

}  // namespace maillab::view
