#include "sim/view/event_filter.hpp"

#include <algorithm>
#include <stdexcept>

#include "sim/core/bytes.hpp"

namespace maillab::view {
namespace {
bool contains_folded(std::string_view haystack, std::string_view needle_lower) {
    auto it = std::search(haystack.begin(), haystack.end(), needle_lower.begin(),
                          needle_lower.end(), [](char a, char b) {
                              return std::tolower(static_cast<unsigned char>(a)) == b;
                          });
    return it != haystack.end();
}
}  // namespace

bool event_filter::matches(const event& e) const {
    if (!protos.empty() && !protos.count(e.proto)) return false;
    if (!hosts.empty() && !hosts.count(e.from) && !hosts.count(e.to)) return false;
    if (!conns.empty() && !conns.count(e.conn)) return false;
    if (!kinds.empty() && !kinds.count(e.kind)) return false;
    if (from_seq && e.seq < *from_seq) return false;
    if (to_seq && e.seq > *to_seq) return false;
    if (!text.empty()) {
        std::string needle = to_lower(text);
        if (!contains_folded(e.text, needle) && !(e.raw && contains_folded(*e.raw, needle)))
            return false;
    }
    return true;
}

std::set<event_kind> kinds_from_names(const std::vector<std::string>& names) {
    std::set<event_kind> kinds;
    for (const auto& name : names) {
        if (auto k = event_kind_from_string(name)) {
            kinds.insert(*k);
            continue;
        }
        std::string valid;
        // `note` is the last kind of the enum (sim/core/event.hpp).
        for (int i = 0; i <= static_cast<int>(event_kind::note); ++i)
            valid += (valid.empty() ? "" : ", ") +
                     std::string(to_string(static_cast<event_kind>(i)));
        throw std::invalid_argument("unknown event kind \"" + name + "\" (kinds: " + valid + ")");
    }
    return kinds;
}

bool filtered_index::update(const trace_model& model, const event_filter& filter) {
    bool changed = false;
    if (!valid_ || !(filter == filter_) || scanned_ > model.size()) {
        filter_ = filter;
        indices_.clear();
        scanned_ = 0;
        valid_ = true;
        changed = true;
    }
    for (; scanned_ < model.size(); ++scanned_) {
        if (filter_.matches(model.at(scanned_))) {
            indices_.push_back(scanned_);
            changed = true;
        }
    }
    return changed;
}

std::optional<std::size_t> filtered_index::position_at_or_before(std::size_t event_index) const {
    auto it = std::upper_bound(indices_.begin(), indices_.end(), event_index);
    if (it == indices_.begin()) return std::nullopt;
    return static_cast<std::size_t>(it - indices_.begin()) - 1;
}

}  // namespace maillab::view
