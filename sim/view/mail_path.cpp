#include "sim/view/mail_path.hpp"

#include <algorithm>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "sim/core/event_fields.hpp"
#include "sim/mime/message.hpp"
#include "sim/view/connections.hpp"
#include "sim/view/mailbox_state.hpp"

namespace maillab::view {
namespace {

struct location {
    std::string host, user, mailbox;
    std::uint32_t uid;
    bool operator<(const location& o) const {
        return std::tie(host, user, mailbox, uid) < std::tie(o.host, o.user, o.mailbox, o.uid);
    }
};

std::uint32_t uid_field(const event& e, const char* key) {
    return static_cast<std::uint32_t>(count_field(e, key));
}

// Where a hop is: its connection, or the host of a connection-less event (the relay's queue),
// or the DNS lookup.
std::string hop_key(const event& e) {
    if (e.conn) return "conn:" + std::to_string(e.conn);
    if (e.kind == event_kind::dns)
        return "dns:" + std::min(e.from, e.to) + "|" + std::max(e.from, e.to);
    return "host:" + e.from;
}

}  // namespace

bool mail_path::contains(std::size_t event_index) const {
    return std::binary_search(events.begin(), events.end(), event_index);
}

std::size_t mail_path::hop_number(std::size_t event_index) const {
    auto it = std::lower_bound(events.begin(), events.end(), event_index);
    if (it == events.end() || *it != event_index) return 0;
    auto position = static_cast<std::size_t>(it - events.begin());
    return static_cast<std::size_t>(
        std::upper_bound(hop_starts.begin(), hop_starts.end(), position) - hop_starts.begin());
}

std::size_t mail_path::hop_at_or_before(std::size_t cursor) const {
    auto it = std::upper_bound(events.begin(), events.end(), cursor);
    if (it == events.begin()) return 0;
    return hop_number(*(it - 1));
}

std::optional<std::size_t> mail_path::next_hop(std::size_t cursor) const {
    for (std::size_t start : hop_starts)
        if (events[start] > cursor) return events[start];
    return std::nullopt;
}

std::optional<std::size_t> mail_path::previous_hop(std::size_t cursor) const {
    // The hop the cursor is in (or last passed), then the one before it.
    std::optional<std::size_t> current, before;
    for (std::size_t start : hop_starts) {
        if (events[start] > cursor) break;
        before = current;
        current = start;
    }
    if (current && events[*current] < cursor) return events[*current];
    if (before) return events[*before];
    return std::nullopt;
}

std::string message_id_of(const event& e) {
    std::string id = text_field(e, "message_id");
    if (!id.empty() || e.kind != event_kind::store || !e.raw) return id;
    // A copy kept by APPEND carries the mail without naming it in a field.
    mime::message m(*e.raw);
    id = mime::unfold(m.header_raw(m.root(), "Message-ID").value_or(""));
    id.erase(0, id.find_first_not_of(" \t"));
    while (!id.empty() && (id.back() == ' ' || id.back() == '\t')) id.pop_back();
    return id;
}

mail_path follow_mail(const trace_model& model, const std::string& message_id) {
    mail_path path;
    path.message_id = message_id;
    if (message_id.empty()) return path;
    std::set<std::size_t> chosen;
    std::unordered_set<std::uint64_t> chosen_seqs;
    std::set<location> copies;
    auto choose = [&](std::size_t i) {
        if (chosen.insert(i).second) chosen_seqs.insert(model.at(i).seq);
    };
    auto cause_chosen = [&](const event& e) { return e.cause && chosen_seqs.count(*e.cause); };

    // 1. The events that name the mail, the copies it left, the DNS lookups made for it, all in
    // one forward pass (each follows what caused it).
    for (std::size_t i = 0; i < model.size(); ++i) {
        const event& e = model.at(i);
        if (e.kind == event_kind::store) {
            std::string action = text_field(e, "action");
            location here{e.from, text_field(e, "user"), text_field(e, "mailbox"),
                          uid_field(e, "uid")};
            location source{e.from, here.user, "", 0};
            if (action == "append" && !e.raw)
                if (auto origin = copy_source(model, i)) {
                    source.mailbox = origin->mailbox;
                    source.uid = origin->uid;
                }
            // A bounce returning the mail is part of its story too.
            bool names_it = (action == "deliver" || action == "append") &&
                            (message_id_of(e) == message_id ||
                             text_field(e, "original_message_id") == message_id);
            bool copies_it = action == "append" && copies.count(source);
            if (names_it || copies_it) {
                copies.insert(here);
                choose(i);
            } else if ((action == "flags" || action == "expunge") && copies.count(here)) {
                choose(i);
                if (action == "expunge") copies.erase(here);
            }
            continue;
        }
        if (text_field(e, "message_id") == message_id)
            choose(i);
        else if (e.kind == event_kind::dns && cause_chosen(e))
            choose(i);
    }

    // 2. A webmail's legs: the note that opened the leg and the HTTP request behind it, with its
    // response, for every connection of the path and every event caused by a request.
    std::unordered_map<std::uint64_t, const connection_info*> by_conn;
    auto connections = list_connections(model);
    for (const auto& c : connections) by_conn[c.conn] = &c;
    auto add_request = [&](std::size_t request) {
        choose(request);
        std::uint64_t seq = model.at(request).seq;
        for (std::size_t j = request + 1; j < model.size(); ++j) {
            const event& r = model.at(j);
            if (r.kind == event_kind::http && r.cause == seq) {
                choose(j);
                break;
            }
        }
    };
    // Walks up the cause chain from an event to the HTTP request that started it (a few links
    // at most: leg connect -> leg note -> request).
    auto climb = [&](std::size_t from) {
        std::optional<std::size_t> at = from;
        for (int step = 0; step < 4 && at; ++step) {
            const event& e = model.at(*at);
            if (e.kind == event_kind::http && text_field(e, "direction") == "request") {
                add_request(*at);
                return;
            }
            if (e.kind == event_kind::note && e.explain.rfind("webmail.leg.", 0) == 0) choose(*at);
            if (!e.cause) return;
            at = model.index_of_seq(*e.cause);
        }
    };
    std::set<std::uint64_t> conns;
    std::vector<std::size_t> first_pass(chosen.begin(), chosen.end());
    for (std::size_t i : first_pass) {
        const event& e = model.at(i);
        if (e.conn) conns.insert(e.conn);
        if (e.cause)
            if (auto c = model.index_of_seq(*e.cause)) climb(*c);
    }
    for (std::uint64_t conn : conns) {
        auto it = by_conn.find(conn);
        if (it != by_conn.end() && it->second->connect_event) climb(*it->second->connect_event);
    }

    path.events.assign(chosen.begin(), chosen.end());
    std::string previous;
    for (std::size_t k = 0; k < path.events.size(); ++k) {
        std::string key = hop_key(model.at(path.events[k]));
        if (k == 0 || key != previous) path.hop_starts.push_back(k);
        previous = std::move(key);
    }
    return path;
}

std::vector<std::string> message_ids(const trace_model& model) {
    std::vector<std::string> out;
    std::unordered_set<std::string> seen;
    for (const auto& e : model.events()) {
        if (e.kind != event_kind::store && e.kind != event_kind::data &&
            e.kind != event_kind::queue && !e.fields.contains("message_id"))
            continue;
        std::string id = message_id_of(e);
        if (!id.empty() && seen.insert(id).second) out.push_back(std::move(id));
    }
    return out;
}

}  // namespace maillab::view
