#include "sim/smtp/local_delivery.hpp"

#include <map>

#include <fmt/format.h>

#include "sim/core/bytes.hpp"
#include "sim/mime/header_lookup.hpp"
#include "sim/smtp/address.hpp"

namespace maillab::smtp {

local_delivery::local_delivery(mail_store& store, std::vector<std::string> local_domains)
    : store_(store) {
    for (auto& d : local_domains) domains_.insert(to_lower(d));
}

bool local_delivery::is_local_domain(std::string_view domain) const {
    return domains_.count(to_lower(domain)) > 0;
}

recipient_check local_delivery::check_recipient(std::string_view address, bool authenticated) {
    std::string addr(address);
    if (addr.find('@') == std::string::npos) {
        // A bare local part: complete it the way Postfix appends $myorigin, when the user is
        // unambiguous here.
        const user_account* user = store_.find_user(addr);
        if (!user) return {recipient_verdict::unknown_user, addr, false};
        return {recipient_verdict::local, user->address, true};
    }
    std::string domain = domain_of(addr);
    if (is_local_domain(domain)) {
        const user_account* user = store_.find_user(addr);
        if (!user) return {recipient_verdict::unknown_user, addr, false};
        return {recipient_verdict::local, user->address, false};
    }
    if (!authenticated) return {recipient_verdict::relay_denied, addr, false};
    return {recipient_verdict::relay, canonical_address(addr), false};
}

std::optional<std::string> local_delivery::authenticate(std::string_view user,
                                                        std::string_view password) {
    return store_.authenticate(std::string(user), std::string(password));
}

delivery_outcome local_delivery::deliver(const envelope& env, const std::string& message,
                                         connection_tracer& tracer, std::uint64_t cause) {
    std::string message_id = mime::message_id_of(message);
    std::vector<std::string> parts;
    std::vector<std::pair<std::string, std::uint32_t>> delivered;
    std::map<std::string, std::vector<std::string>> foreign;  // domain -> recipients
    for (const auto& rcpt : env.recipients) {
        if (!is_local_domain(domain_of(rcpt))) {
            foreign[domain_of(rcpt)].push_back(rcpt);
            continue;
        }
        std::uint32_t uid = 0;
        try {
            uid = store_.deliver(rcpt, "INBOX", message, tracer.now_us());
        } catch (const std::exception& err) {
            // 451: the client keeps the mail and retries, so take back the copies already
            // stored for earlier recipients, or they would get it twice.
            for (const auto& [who, stored_uid] : delivered) {
                store_.expunge(who, "INBOX", {stored_uid});
                event e;
                e.kind = event_kind::store;
                e.cause = cause;
                e.text = fmt::format("took back UID {} from {} INBOX: delivery to {} failed",
                                     stored_uid, who, rcpt);
                e.explain = "net.store.expunge";
                e.fields = {{"action", "expunge"}, {"user", who}, {"mailbox", "INBOX"},
                            {"uid", stored_uid}, {"reason", "rolled back"}};
                tracer.local(std::move(e));
            }
            return {false, err.what()};
        }
        delivered.emplace_back(rcpt, uid);
        event e;
        e.kind = event_kind::store;
        e.cause = cause;
        e.text = fmt::format("delivered to {} INBOX as UID {} ({} octets)", rcpt, uid,
                             message.size());
        e.raw = message;
        e.explain = "net.store.deliver";
        e.fields = {{"action", "deliver"}, {"user", rcpt}, {"mailbox", "INBOX"},
                    {"uid", uid},          {"size", message.size()}, {"mail_from", env.mail_from},
                    {"message_id", message_id}};
        tracer.local(std::move(e));
        parts.push_back(fmt::format("delivered to {} (UID {})", rcpt, uid));
    }
    for (auto& [domain, rcpts] : foreign) {
        queued_message q{0, env.mail_from, rcpts, message, tracer.now_us()};
        std::uint64_t id = store_.enqueue(std::move(q));
        event e;
        e.kind = event_kind::queue;
        e.cause = cause;
        e.text = fmt::format("queued as {} for relay to {} ({} recipient(s))", id, domain,
                             rcpts.size());
        e.raw = message;
        e.explain = "net.store.enqueue";
        e.fields = {{"action", "enqueue"}, {"queue_id", id},       {"domain", domain},
                    {"recipients", rcpts}, {"size", message.size()}, {"mail_from", env.mail_from},
                    {"message_id", message_id}};
        std::uint64_t seq = tracer.local(std::move(e));
        tracer.note("smtp.note.queued_for_relay",
                    fmt::format("the message waits in the outbound queue for {}", domain),
                    {{"domain", domain}}, cause);
        parts.push_back(fmt::format("queued for {} (queue id {})", domain, id));
        if (on_enqueued_) on_enqueued_(id, seq);
    }
    std::string detail;
    for (const auto& p : parts) detail += (detail.empty() ? "" : "; ") + p;
    return {true, detail};
}

}  // namespace maillab::smtp
