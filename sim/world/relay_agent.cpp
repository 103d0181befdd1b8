#include "sim/world/relay_agent.hpp"

#include <fmt/format.h>

#include "sim/core/bytes.hpp"
#include "sim/mime/header_lookup.hpp"
#include "sim/smtp/address.hpp"
#include "sim/smtp/client_session.hpp"

namespace maillab::world {
namespace {

std::string reply_text(const smtp::reply& r) {
    std::string text = std::to_string(r.code);
    if (!r.lines.empty()) text += " " + r.lines.back();
    return text;
}

// "5.1.1" from "550 5.1.1 <x>: no such user"; from the code class when the reply has none.
std::string status_of(const smtp::reply& r) {
    if (!r.lines.empty()) {
        std::string_view first = r.lines.back();
        auto space = first.find(' ');
        std::string_view word = first.substr(0, space);
        if (word.size() >= 5 && (word[0] == '4' || word[0] == '5') && word[1] == '.')
            return std::string(word);
    }
    return r.code >= 500 ? "5.0.0" : "4.0.0";
}

}  // namespace

relay_agent::relay_agent(std::string host_name, mail_store& store, smtp::local_delivery& delivery,
                         const dns_zone& dns, relay_settings settings, relay_environment& env)
    : host_(std::move(host_name)),
      store_(store),
      delivery_(delivery),
      dns_(dns),
      settings_(std::move(settings)),
      env_(env) {}

std::uint64_t relay_agent::queue_event(const entry& e, std::string_view action, std::string text,
                                       nlohmann::json extra) {
    event ev;
    ev.kind = event_kind::queue;
    ev.proto = "smtp";
    ev.from = host_;
    ev.cause = e.cause;
    ev.text = std::move(text);
    ev.explain = fmt::format("queue.{}", action);
    ev.fields = {{"action", std::string(action)}, {"queue_id", e.queue_id},
                 {"domain", e.domain},            {"recipients", e.remaining},
                 {"message_id", e.message_id},    {"attempt", e.attempts}};
    for (auto& [k, v] : extra.items()) ev.fields[k] = v;
    return env_.trace_ref().append(std::move(ev));
}

void relay_agent::queued(std::uint64_t queue_id, std::optional<std::uint64_t> cause) {
    const queued_message* q = store_.find_queued(queue_id);
    if (!q) return;
    entry e;
    e.queue_id = queue_id;
    e.mail_from = q->mail_from;
    e.remaining = q->recipients;
    e.domain = q->recipients.empty() ? std::string() : smtp::domain_of(q->recipients.front());
    e.message = q->bytes;
    e.message_id = mime::message_id_of(q->bytes);
    e.queued_at_us = q->queued_at_us;
    e.cause = cause;
    entries_.emplace(queue_id, std::move(e));
    env_.after(0, [this, queue_id] { attempt(queue_id); });
}

void relay_agent::attempt(std::uint64_t id) {
    auto it = entries_.find(id);
    if (it == entries_.end()) return;
    entry& e = it->second;
    ++e.attempts;
    e.cause = queue_event(e, "attempt",
                          fmt::format("queue {}: delivery attempt {} to {} for {} recipient(s)",
                                      e.queue_id, e.attempts, e.domain, e.remaining.size()));
    mx_answer answer = dns_.resolve_mx(env_.trace_ref(), host_, e.domain, e.cause);
    if (!answer.exists || answer.exchangers.empty()) {
        // A domain that does not exist will not exist on retry: permanent (RFC 3463 5.1.2).
        for (const auto& r : e.remaining)
            e.failed.push_back({r, "5.1.2", "",
                                fmt::format("the domain {} does not exist (no MX or address "
                                            "record)",
                                            e.domain)});
        e.remaining.clear();
        return finish(e);
    }
    try_exchanger(id, answer.exchangers, 0);
}

void relay_agent::try_exchanger(std::uint64_t id, std::vector<mx_record> exchangers,
                                std::size_t index) {
    auto it = entries_.find(id);
    if (it == entries_.end()) return;
    entry& e = it->second;
    if (index >= exchangers.size()) return defer(e);
    const mx_record& mx = exchangers[index];
    queue_event(e, "connect",
                fmt::format("queue {}: trying {} (MX preference {}{})", e.queue_id, mx.host,
                            mx.preference,
                            index ? fmt::format(", after {} failed", exchangers[index - 1].host)
                                  : std::string()),
                {{"mx", mx.host}, {"preference", mx.preference}, {"mx_index", index}});
    smtp::client_job job;
    job.helo_name = host_;
    job.mail_from = e.mail_from;
    job.recipients = e.remaining;
    job.message = e.message;
    // Opportunistic: encrypt when the MX offers it (RFC 3207), unless its handshake failed.
    job.use_starttls = !tls_failed_.count(mx.host);
    job.require_tls = false;
    if (!job.use_starttls)
        queue_event(e, "plaintext_fallback",
                    fmt::format("queue {}: the TLS handshake with {} failed before; this attempt "
                                "goes without STARTTLS",
                                e.queue_id, mx.host),
                    {{"mx", mx.host}});
    env_.connect(
        host_, mx.host, "smtp",
        [job](connection_tracer& tracer) -> std::unique_ptr<protocol_session> {
            return std::make_unique<smtp::client_session>(job, tracer);
        },
        [this, id, exchangers, index](bool connected, protocol_session* client) {
            session_ended(id, exchangers, index, connected, client);
        });
}

void relay_agent::session_ended(std::uint64_t id, const std::vector<mx_record>& exchangers,
                                std::size_t index, bool connected, protocol_session* client) {
    auto it = entries_.find(id);
    if (it == entries_.end()) return;
    entry& e = it->second;
    const std::string& mx = exchangers[index].host;
    auto* session = dynamic_cast<smtp::client_session*>(client);
    if (!connected || !session) {
        e.last_error = fmt::format("cannot connect to {}", mx);
        return try_exchanger(id, exchangers, index + 1);
    }
    const smtp::client_result& result = session->result();
    if (result.tls_failed) tls_failed_.insert(mx);
    bool any_recipient_answered = false;
    for (const auto& r : result.recipients) any_recipient_answered |= r.code != 0;
    int code = result.last_reply ? result.last_reply->code : 0;
    if (!result.accepted && !any_recipient_answered && (code == 0 || code / 100 == 4)) {
        // Nothing was decided about any recipient: a busy or broken exchanger (421 greeting, a
        // lost connection). RFC 5321 5.1: try the next one.
        e.last_error = result.last_reply ? fmt::format("{} said: {}", mx, reply_text(*result.last_reply))
                                         : fmt::format("{}: {}", mx, result.error);
        return try_exchanger(id, exchangers, index + 1);
    }
    e.last_remote = mx;
    std::vector<std::string> still;
    std::vector<std::string> delivered;
    for (const auto& r : result.recipients) {
        std::string diagnostic = fmt::format("{} {}", r.code, r.text);
        if (r.code >= 500) {
            std::string status = r.text.size() >= 5 && r.text[1] == '.'
                                     ? r.text.substr(0, r.text.find(' '))
                                     : std::string("5.0.0");
            e.failed.push_back({r.address, status, mx, std::string(trim(diagnostic))});
        } else if (result.accepted && r.code >= 200 && r.code < 300) {
            delivered.push_back(r.address);
        } else if (!result.accepted && code >= 500 && r.code < 300) {
            // The recipient was fine but the transaction failed for good (554 after DATA, 552
            // too big): the mail cannot go to anyone.
            e.failed.push_back({r.address, status_of(*result.last_reply), mx,
                                reply_text(*result.last_reply)});
        } else {
            still.push_back(r.address);
            // The reason is the recipient's own 4xx, or else what ended the transaction (a 451
            // to the ".", a lost connection), not the recipient's earlier 250.
            bool own_reply = r.code >= 400 && r.code < 500;
            e.last_error = own_reply ? fmt::format("{} said: {}", mx, trim(diagnostic))
                           : result.last_reply
                               ? fmt::format("{} said: {}", mx, reply_text(*result.last_reply))
                               : fmt::format("{}: {}", mx, result.error);
        }
    }
    e.remaining = still;
    if (!delivered.empty())
        queue_event(e, "delivered",
                    fmt::format("queue {}: {} accepted the mail for {}", e.queue_id, mx,
                                fmt::join(delivered, ", ")),
                    {{"mx", mx}, {"delivered", delivered}});
    if (e.remaining.empty()) return finish(e);
    defer(e);
}

void relay_agent::defer(entry& e) {
    std::int64_t waited = env_.now_us() - e.queued_at_us;
    if (waited >= settings_.give_up_after_us) {
        queue_event(e, "expired",
                    fmt::format("queue {}: still undelivered after {} minutes; giving up",
                                e.queue_id, waited / 60'000'000),
                    {{"last_error", e.last_error}});
        for (const auto& r : e.remaining)
            e.failed.push_back({r, "4.4.7", e.last_remote,
                                fmt::format("delivery time expired; last error: {}", e.last_error)});
        e.remaining.clear();
        return finish(e);
    }
    const auto& waits = settings_.retry_us;
    std::int64_t wait = waits[std::min<std::size_t>(static_cast<std::size_t>(e.attempts - 1),
                                                    waits.size() - 1)];
    std::int64_t next = env_.now_us() + wait;
    queue_event(e, "deferred",
                fmt::format("queue {}: deferred ({}); next attempt in {} s", e.queue_id,
                            e.last_error, wait / 1'000'000),
                {{"last_error", e.last_error}, {"retry_in_us", wait}, {"next_attempt_us", next}});
    std::uint64_t id = e.queue_id;
    env_.after(wait, [this, id] { attempt(id); });
}

void relay_agent::finish(entry& e) {
    if (!e.failed.empty()) bounce(e);
    queue_event(e, "removed", fmt::format("queue {}: done, removed from the queue", e.queue_id));
    store_.dequeue(e.queue_id);
    entries_.erase(e.queue_id);
}

void relay_agent::bounce(entry& e) {
    nlohmann::json failed = nlohmann::json::array();
    for (const auto& f : e.failed)
        failed.push_back({{"recipient", f.address}, {"status", f.status}, {"diagnostic", f.diagnostic}});
    if (e.mail_from.empty()) {
        // RFC 5321 4.5.5 / 6.1: a message with a null reverse-path is itself a notification and
        // must never cause another one, or two servers could bounce forever.
        queue_event(e, "bounce_dropped",
                    fmt::format("queue {}: a bounce could not be delivered; it is not bounced "
                                "again (null sender)",
                                e.queue_id),
                    {{"failed", failed}});
        return;
    }
    smtp::bounce_request req;
    req.reporting_mta = host_;
    req.to = e.mail_from;
    req.original_message = e.message;
    req.arrival_us = e.queued_at_us;
    req.now_us = env_.now_us();
    req.recipients = e.failed;
    req.message_id = fmt::format("<bounce-{}.{}@{}>", e.queue_id, env_.now_us(), host_);
    std::string dsn = smtp::build_bounce(req);
    ++bounces_sent_;
    std::uint64_t cause = queue_event(
        e, "bounce",
        fmt::format("queue {}: returning the mail to {} with a delivery status notification for "
                    "{} recipient(s)",
                    e.queue_id, e.mail_from, e.failed.size()),
        {{"failed", failed}, {"bounce_message_id", req.message_id}, {"bounce_to", e.mail_from}});

    if (delivery_.is_local_domain(smtp::domain_of(e.mail_from))) {
        std::uint32_t uid = 0;
        try {
            uid = store_.deliver(e.mail_from, "INBOX", dsn, env_.now_us());
        } catch (const std::exception& err) {
            // The sender's address is in our domain but has no mailbox (a forged sender):
            // nobody to tell. Postfix would hand it to the postmaster; we say so in the trace.
            queue_event(e, "bounce_dropped",
                        fmt::format("queue {}: the bounce cannot be stored for {}: {}", e.queue_id,
                                    e.mail_from, err.what()),
                        {{"failed", failed}});
            return;
        }
        event s;
        s.kind = event_kind::store;
        s.proto = "smtp";
        s.from = host_;
        s.cause = cause;
        s.text = fmt::format("delivered the bounce to {} INBOX as UID {} ({} octets)", e.mail_from,
                             uid, dsn.size());
        s.raw = dsn;
        s.explain = "net.store.deliver";
        s.fields = {{"action", "deliver"},          {"user", canonical_address(e.mail_from)},
                    {"mailbox", "INBOX"},           {"uid", uid},
                    {"size", dsn.size()},           {"mail_from", ""},
                    {"message_id", req.message_id}, {"original_message_id", e.message_id}};
        env_.trace_ref().append(std::move(s));
        return;
    }
    queued_message q{0, "", {e.mail_from}, dsn, env_.now_us()};
    std::uint64_t qid = store_.enqueue(std::move(q));
    event s;
    s.kind = event_kind::queue;
    s.proto = "smtp";
    s.from = host_;
    s.cause = cause;
    s.text = fmt::format("queued the bounce as {} for {}", qid, e.mail_from);
    s.explain = "net.store.enqueue";
    s.fields = {{"action", "enqueue"}, {"queue_id", qid}, {"domain", smtp::domain_of(e.mail_from)},
                {"recipients", {e.mail_from}}, {"message_id", req.message_id}, {"mail_from", ""}};
    std::uint64_t seq = env_.trace_ref().append(std::move(s));
    queued(qid, seq);
}

}  // namespace maillab::world
