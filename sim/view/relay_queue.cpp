#include "sim/view/relay_queue.hpp"

#include <algorithm>

#include "sim/core/event_fields.hpp"

namespace maillab::view {
namespace {

constexpr std::string_view queued = "queued";
constexpr std::string_view trying = "trying MX";
constexpr std::string_view deferred = "deferred";
constexpr std::string_view delivered = "delivered";
constexpr std::string_view bounced = "bounced";

std::vector<std::string> strings(const nlohmann::json* j) {
    std::vector<std::string> out;
    if (!j) return out;
    for (const auto& v : *j)
        if (v.is_string())
            out.push_back(v.get<std::string>());
        else if (v.is_object())
            out.push_back(text_field(v, "recipient"));
    return out;
}

void move(queue_entry& q, std::string_view to, std::string trigger) {
    q.previous = q.state;
    q.state = std::string(to);
    q.trigger = std::move(trigger);
}

// One queue event applied to its entry (relay_agent.cpp's actions, in the order it emits them).
void apply(queue_entry& q, const event& e) {
    std::string action = text_field(e, "action");
    if (const auto* r = array_field(e, "recipients")) q.recipients = strings(r);
    q.attempt = static_cast<int>(
        std::max<std::uint64_t>(static_cast<std::uint64_t>(q.attempt),
                                std::min<std::uint64_t>(count_field(e, "attempt"), 1000000)));
    if (action == "enqueue") {
        move(q, queued, "mail accepted for " + q.domain);
    } else if (action == "attempt") {
        move(q, trying,
             q.attempt > 1 ? "retry timer: attempt " + std::to_string(q.attempt)
                           : "attempt 1: DNS MX lookup");
    } else if (action == "connect" || action == "plaintext_fallback") {
        q.mx = text_field(e, "mx", q.mx);
        if (q.state != trying) move(q, trying, "connect to " + q.mx);
    } else if (action == "delivered") {
        for (auto& r : strings(array_field(e, "delivered")))
            q.delivered.push_back(std::move(r));
        q.mx = text_field(e, "mx", q.mx);
        // A partial success keeps the entry trying (the rest may still fail or be deferred).
        if (q.recipients.empty()) move(q, delivered, "250 from " + q.mx);
    } else if (action == "deferred") {
        q.last_error = text_field(e, "last_error");
        q.next_attempt_us = integer_field(e, "next_attempt_us");
        ++q.retries;
        move(q, deferred, q.last_error.empty() ? "temporary failure" : q.last_error);
    } else if (action == "expired") {
        q.last_error = text_field(e, "last_error", q.last_error);
        move(q, bounced, "expired: gave up");
    } else if (action == "bounce" || action == "bounce_dropped") {
        for (auto& r : strings(array_field(e, "failed")))
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

namespace {

// Applies event `i` if it is a queue event. `active` finds the entry an event belongs to (the
// one with its host and queue id not yet removed) in constant time; a linear search over every
// entry ever queued made a big trace's cost quadratic.
void apply_event(const trace_model& model, std::size_t i, std::vector<queue_entry>& out,
                 std::unordered_map<std::string, std::size_t>& active) {
    const event& e = model.at(i);
    if (e.kind != event_kind::queue) return;
    auto id = count_field(e, "queue_id");
    std::string key = e.from + "#" + std::to_string(id);
    auto [it, added] = active.try_emplace(key, out.size());
    if (added) {
        queue_entry q;
        q.host = e.from;
        q.queue_id = id;
        q.domain = text_field(e, "domain");
        q.message_id = text_field(e, "message_id");
        q.first_event = i;
        out.push_back(std::move(q));
    }
    queue_entry& q = out[it->second];
    apply(q, e);
    q.last_event = i;
    if (q.removed) active.erase(it);
}

}  // namespace

std::vector<queue_entry> queue_at(const trace_model& model, std::size_t cursor) {
    std::vector<queue_entry> out;
    std::unordered_map<std::string, std::size_t> active;
    std::size_t end = model.empty() ? 0 : std::min(cursor + 1, model.size());
    for (std::size_t i = 0; i < end; ++i) apply_event(model, i, out, active);
    return out;
}

void queue_tracker::restart(const trace_model& model) {
    first_event_ = model.empty() ? nullptr : &model.at(0);
    next_event_ = 0;
    entries_.clear();
    active_.clear();
    valid_ = true;
}

const std::vector<queue_entry>& queue_tracker::at(const trace_model& model, std::size_t cursor) {
    const event* first = model.empty() ? nullptr : &model.at(0);
    std::size_t end = model.empty() ? 0 : std::min(cursor + 1, model.size());
    // Events are only ever appended to a model; another model (a file opened) has other storage.
    if (!valid_ || first != first_event_ || end < next_event_) restart(model);
    for (; next_event_ < end; ++next_event_) apply_event(model, next_event_, entries_, active_);
    return entries_;
}

}  // namespace maillab::view
