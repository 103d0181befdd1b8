// The server_host of a single mail server: mail for its own domains goes into the store's
// mailboxes; mail an authenticated user sends elsewhere goes into the outbound queue (relayed
// by the world's relay, sim/world). Nobody else may relay (no open relay, RFC 5321 7.1).
#pragma once

#include <functional>
#include <set>
#include <string>
#include <vector>

#include "sim/smtp/server_host.hpp"
#include "sim/store/mail_store.hpp"

namespace maillab::smtp {

class local_delivery final : public server_host {
public:
    local_delivery(mail_store& store, std::vector<std::string> local_domains);

    recipient_check check_recipient(std::string_view address, bool authenticated) override;
    std::optional<std::string> authenticate(std::string_view user,
                                            std::string_view password) override;
    delivery_outcome deliver(const envelope& env, const std::string& message,
                             connection_tracer& tracer, std::uint64_t cause) override;

    bool is_local_domain(std::string_view domain) const;

    // Called after a message was queued for another domain (queue id, the queue event's seq),
    // so a relay can start on it. Without it the mail waits in the queue.
    void set_on_enqueued(std::function<void(std::uint64_t queue_id, std::uint64_t seq)> callback) {
        on_enqueued_ = std::move(callback);
    }

private:
    mail_store& store_;
    std::set<std::string, std::less<>> domains_;
    std::function<void(std::uint64_t, std::uint64_t)> on_enqueued_;
};

}  // namespace maillab::smtp
