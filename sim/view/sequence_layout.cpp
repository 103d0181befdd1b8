#include "sim/view/sequence_layout.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "sim/core/event_fields.hpp"

namespace maillab::view {
namespace {
std::string cut(std::string s, std::size_t max) {
    if (s.size() <= max) return s;
    // Do not cut a UTF-8 sequence in half.
    std::size_t n = max;
    while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
    s.resize(n);
    return s + "…";
}
}  // namespace

bool belongs_in_sequence(const event& e) {
    switch (e.kind) {
        case event_kind::command:
        case event_kind::reply:
        case event_kind::data:
        case event_kind::tcp:
        case event_kind::tls:
        case event_kind::state:
        case event_kind::store:
        case event_kind::queue:
        case event_kind::dns:
        case event_kind::http: return true;
        case event_kind::bytes:
        case event_kind::note: return false;
    }
    return false;
}

sequence_layout layout_sequence(const trace_model& model, const std::vector<std::size_t>& indices,
                                std::size_t max_label) {
    sequence_layout layout;
    extend_sequence(layout, model, indices, 0, max_label);
    return layout;
}

void extend_sequence(sequence_layout& layout, const trace_model& model,
                     const std::vector<std::size_t>& indices, std::size_t first,
                     std::size_t max_label) {
    // trace_model only ever appends hosts, so the old lanes are a prefix of the new ones.
    layout.lanes = model.hosts();
    for (std::size_t k = first; k < indices.size(); ++k) {
        std::size_t index = indices[k];
        const event& e = model.at(index);
        if (!belongs_in_sequence(e)) continue;
        int from = model.host_index(e.from);
        int to = e.to.empty() ? from : model.host_index(e.to);
        if (from < 0) continue;
        bool arrow = to != from &&
                     (e.kind == event_kind::command || e.kind == event_kind::reply ||
                      e.kind == event_kind::data || e.kind == event_kind::http ||
                      (e.kind == event_kind::tcp && text_field(e, "action") == "connect"));
        std::string label;
        switch (e.kind) {
            case event_kind::state:
                label = fmt::format("{} → {}", text_field(e, "from_state"),
                                    text_field(e, "to_state"));
                break;
            case event_kind::tcp:
                label = fmt::format("TCP {}", text_field(e, "action"));
                break;
            default: label = e.text;
        }
        layout.rows.push_back({index, from, arrow ? to : from,
                               arrow ? row_shape::arrow : row_shape::marker,
                               cut(std::move(label), max_label)});
    }
}

std::optional<std::size_t> sequence_layout::row_at_or_before(std::size_t event_index) const {
    auto it = std::upper_bound(rows.begin(), rows.end(), event_index,
                               [](std::size_t i, const sequence_row& r) { return i < r.event_index; });
    if (it == rows.begin()) return std::nullopt;
    return static_cast<std::size_t>(it - rows.begin()) - 1;
}

std::optional<std::size_t> sequence_layout::row_of(std::size_t event_index) const {
    auto r = row_at_or_before(event_index);
    if (r && rows[*r].event_index == event_index) return r;
    return std::nullopt;
}

}  // namespace maillab::view
