#include "sim/core/event.hpp"

#include <array>
#include <utility>

namespace maillab {
namespace {
constexpr std::array<std::pair<event_kind, std::string_view>, 12> kind_names{{
    {event_kind::tcp, "tcp"},
    {event_kind::tls, "tls"},
    {event_kind::bytes, "bytes"},
    {event_kind::command, "command"},
    {event_kind::reply, "reply"},
    {event_kind::data, "data"},
    {event_kind::state, "state"},
    {event_kind::store, "store"},
    {event_kind::queue, "queue"},
    {event_kind::dns, "dns"},
    {event_kind::http, "http"},
    {event_kind::note, "note"},
}};
}  // namespace

std::string_view to_string(event_kind kind) {
    for (const auto& [k, name] : kind_names)
        if (k == kind) return name;
    return "note";
}

std::optional<event_kind> event_kind_from_string(std::string_view name) {
    for (const auto& [k, n] : kind_names)
        if (n == name) return k;
    return std::nullopt;
}

}  // namespace maillab
