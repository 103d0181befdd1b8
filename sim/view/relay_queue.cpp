#include "sim/view/relay_queue.hpp"

#include <algorithm>

namespace maillab::view {
namespace {

constexpr std::string_view queued = "queued";
constexpr std::string_view trying = "trying MX";
constexpr std::string_view deferred = "deferred";
constexpr std::string_view delivered = "delivered";
constexpr std::string_view bounced = "bounced";

std::vector<std::string> strings(const nlohmann::json& j) {
    std::vector<std::string> out;
    if (!j.is_array()) return out;
    for (const auto& v : j)
        if (v.is_string())
            out.push_back(v.get<std::string>());
        else if (v.is_object())
            out.push_back(v.value("recipient", ""));
    return out;
}

void move(queue_entry& q, std::string_view to, std::string trigger) {
    q.previous = q.state;
    q.state = std::string(to);
    q.trigger = std::move(trigger);
}

// One queue event applied to its entry (relay_agent.cpp's actions, in the order it emits them).
void apply(queue_entry& q, const event& e) {
    std::string action = e.fields.value("action", "");
    if (e.fields.contains("recipients")) q.recipients = strings(e.fields["recipients"]);
    q.attempt = std::max(q.attempt, e.fields.value("attempt", 0));
    if (action == "enqueue") {
        move(q, queued, "mail accepted for " + q.domain);
    } else if (action == "attempt") {
        move(q, trying,
             q.attempt > 1 ? "retry timer: attempt " + std::to_string(q.attempt)
                           : "attempt 1: DNS MX lookup");
    } else if (action == "connect" || action == "plaintext_fallback") {
        q.mx = e.fields.value("mx", q.mx);
        if (q.state != trying) move(q, trying, "connect to " + q.mx);
    } else if (action == "delivered") {
        for (auto& r : strings(e.fields.value("delivered", nlohmann::json::array())))
            q.delivered.push_back(std::move(r));
        q.mx = e.fields.value("mx", q.mx);
        // A partial success keeps the entry trying (the rest may still fail or be deferred).
        if (q.recipients.empty()) move(q, delivered, "250 from " + q.mx);
    } else if (action == "deferred") {
        q.last_error = e.fields.value("last_error", "");
        q.next_attempt_us = e.fields.value("next_attempt_us", std::int64_t{0});
        ++q.retries;
        move(q, deferred, q.last_error.empty() ? "temporary failure" : q.last_error);
    } else if (action == "expired") {
        q.last_error = e.fields.value("last_error", q.last_error);
        move(q, bounced, "expired: gave up");
    } else if (action == "bounce" || action == "bounce_dropped") {
        for (auto& r : strings(e.fields.value("failed", nlohmann::json::array())))
            q.failed.push_back(std::move(r));
        if (q.state != bounced)
            move(q, bounced,
                 action == "bounce" ? "permanent failure: bounce to sender"
                                    : "permanent failure: bounce dropped");
    } else if (action == "removed") {
        q.removed = true;
    }
}

}  // namespace

const state_machine_spec& queue_machine() {
    static const state_machine_spec spec{
        "smtp.queue",
        "Relay queue entry",
        {queued, trying, deferred, delivered, bounced},
        {{0, 0}, {1, 0}, {1, 1}, {2, 0}, {2, 1}},
        {
            {queued, trying, "attempt: DNS MX lookup"},
            {trying, deferred, "4xx / no answer"},
            {deferred, trying, "retry timer"},
            {trying, delivered, "250 after DATA"},
            {trying, bounced, "5xx / expired"},
        },
        nullptr,
    };
    return spec;
}

std::vector<queue_entry> queue_at(const trace_model& model, std::size_t cursor) {
    std::vector<queue_entry> out;
    std::size_t end = model.empty() ? 0 : std::min(cursor + 1, model.size());
    for (std::size_t i = 0; i < end; ++i) {
        const event& e = model.at(i);
        if (e.kind != event_kind::queue) continue;
        auto id = e.fields.value("queue_id", std::uint64_t{0});
        auto it = std::find_if(out.begin(), out.end(), [&](const queue_entry& q) {
            return q.queue_id == id && q.host == e.from && !q.removed;
        });
        if (it == out.end()) {
            queue_entry q;
            q.host = e.from;
            q.queue_id = id;
            q.domain = e.fields.value("domain", "");
            q.message_id = e.fields.value("message_id", "");
            q.first_event = i;
            out.push_back(std::move(q));
            it = out.end() - 1;
        }
        apply(*it, e);
        it->last_event = i;
    }
    return out;
}

}  // namespace maillab::view
