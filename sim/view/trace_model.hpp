// The GUI's model of a trace: the events in seq order plus the indexes every panel needs
// (hosts as lifelines, connections, protocols, state events). Plain C++, no ImGui: tested with
// doctest and shared by the GUI and headless tools. Live runs append; recordings load at once.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/core/event.hpp"

namespace maillab::view {

class trace_model {
public:
    trace_model() = default;
    trace_model(nlohmann::json header, std::vector<event> events);

    void append(event e);

    const std::vector<event>& events() const { return events_; }
    std::size_t size() const { return events_.size(); }
    bool empty() const { return events_.empty(); }
    const event& at(std::size_t index) const { return events_[index]; }
    const nlohmann::json& header() const { return header_; }

    // Position of the event with this seq, if present.
    std::optional<std::size_t> index_of_seq(std::uint64_t seq) const;

    // Hosts in order of first appearance: the lifelines of the sequence diagram.
    const std::vector<std::string>& hosts() const { return hosts_; }
    int host_index(const std::string& host) const;
    const std::vector<std::uint64_t>& connections() const { return connections_; }
    const std::vector<std::string>& protocols() const { return protocols_; }
    // Indices of the `state` events, ascending.
    const std::vector<std::size_t>& state_events() const { return state_events_; }

private:
    void index(std::size_t i);

    nlohmann::json header_ = nlohmann::json::object();
    std::vector<event> events_;
    std::vector<std::string> hosts_;
    std::vector<std::uint64_t> connections_;
    std::unordered_set<std::uint64_t> known_connections_;  // a class trace has thousands
    std::vector<std::string> protocols_;
    std::vector<std::size_t> state_events_;
};

}  // namespace maillab::view
