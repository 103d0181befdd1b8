#include "sim/view/side_by_side.hpp"

#include <algorithm>
#include <set>

#include "sim/core/event_fields.hpp"

namespace maillab::view {

bool belongs_in_lane(const event& e) {
    switch (e.kind) {
        case event_kind::command:
        case event_kind::reply:
        case event_kind::data:
        case event_kind::store:
        case event_kind::tls:
        case event_kind::http:
            return true;
        case event_kind::tcp: {
            std::string action = text_field(e, "action");
            return action == "connect" || action == "close" || action == "connect_failed";
        }
        default:
            return false;
    }
}

std::vector<lane_row> align_lanes(const trace_model& model, std::uint64_t left_conn,
                                  std::uint64_t right_conn, lane_clock clock) {
    std::vector<std::size_t> left, right;
    for (std::size_t i = 0; i < model.size(); ++i) {
        const event& e = model.at(i);
        if (!e.conn || !belongs_in_lane(e)) continue;
        // A connection compared with itself fills both lanes alike.
        if (e.conn == left_conn) left.push_back(i);
        if (e.conn == right_conn) right.push_back(i);
    }
    auto start = [&](const std::vector<std::size_t>& lane) -> std::int64_t {
        if (clock == lane_clock::absolute || lane.empty()) return 0;
        return model.at(lane.front()).t_us;
    };
    std::int64_t left0 = start(left), right0 = start(right);
    std::vector<lane_row> rows;
    std::size_t l = 0, r = 0;
    while (l < left.size() || r < right.size()) {
        std::optional<std::int64_t> lt, rt;
        if (l < left.size()) lt = model.at(left[l]).t_us - left0;
        if (r < right.size()) rt = model.at(right[r]).t_us - right0;
        lane_row row;
        if (lt && rt && *lt == *rt) {
            row = {*lt, left[l++], right[r++]};
        } else if (lt && (!rt || *lt < *rt)) {
            row = {*lt, left[l++], std::nullopt};
        } else {
            row = {*rt, std::nullopt, right[r++]};
        }
        rows.push_back(row);
    }
    return rows;
}

std::pair<std::uint64_t, std::uint64_t> default_lanes(const trace_model& model,
                                                      const std::vector<connection_info>& conns) {
    if (conns.size() < 2) return {0, 0};
    // A webmail's legs are IMAP connections too, but its client is a server of the trace.
    std::set<std::string> servers;
    for (const auto& c : conns) servers.insert(c.server);
    auto user_agent = [&](const connection_info& c) { return !servers.count(c.client); };
    auto store_changes = [&](const connection_info& c) {
        std::size_t n = 0;
        for (std::size_t i = c.first_event; i <= c.last_event && i < model.size(); ++i)
            n += model.at(i).conn == c.conn && model.at(i).kind == event_kind::store;
        return n;
    };
    const connection_info *pop3 = nullptr, *imap = nullptr;
    std::size_t imap_changes = 0;
    for (const auto& c : conns) {
        if (!user_agent(c)) continue;
        if (c.proto == "pop3" && !pop3) pop3 = &c;
        if (c.proto == "imap") {
            std::size_t changes = store_changes(c);
            if (!imap || changes > imap_changes) {
                imap = &c;
                imap_changes = changes;
            }
        }
    }
    if (pop3 && imap) return {pop3->conn, imap->conn};
    std::vector<std::uint64_t> retrieval;
    for (const auto& c : conns)
        if ((c.proto == "pop3" || c.proto == "imap") && user_agent(c)) retrieval.push_back(c.conn);
    if (retrieval.size() >= 2) return {retrieval[0], retrieval[1]};
    return {conns[0].conn, conns[1].conn};
}

lane_summary summarize_lane(const trace_model& model, std::uint64_t conn, std::size_t cursor) {
    lane_summary s;
    std::set<std::string> fetched;
    for (std::size_t i = 0; i <= cursor && i < model.size(); ++i) {
        const event& e = model.at(i);
        if (e.conn != conn) continue;
        switch (e.kind) {
            case event_kind::command:
                ++s.commands;
                break;
            case event_kind::reply: {
                if (e.raw) s.octets_received += e.raw->size();
                std::string id = text_field(e, "message_id");
                if (!id.empty()) fetched.insert(id);
                break;
            }
            case event_kind::store: {
                std::string action = text_field(e, "action");
                if (action == "flags") ++s.flags_changed;
                if (action == "expunge") ++s.removed;
                break;
            }
            default:
                break;
        }
    }
    s.messages_fetched = fetched.size();
    return s;
}

}  // namespace maillab::view
