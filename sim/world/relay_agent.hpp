// The relay of one mail host: the queue runner that takes mail accepted for other domains and
// delivers it, the way an MTA such as Postfix does (RFC 5321 4.5.4 and 5). For each queued
// message (one per destination domain): look up the domain's MX records, try them in preference
// order, speak SMTP as a client to the first that answers, and act on the replies:
//   2xx for a recipient: delivered;  5xx: give up on it and bounce (RFC 3464);
//   4xx, no answer, no MX reachable: keep it queued and retry after the next backoff wait;
//   queued longer than give_up_after: bounce with status 4.4.7.
// Every step is a `queue` or `dns` event carrying the Message-ID, so one mail can be followed.
// The agent is sans-I/O towards the network: the world (in-memory pipes on the virtual clock)
// or a live server (real sockets) provides connections and timers through relay_environment.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "sim/core/session.hpp"
#include "sim/core/trace.hpp"
#include "sim/smtp/dsn.hpp"
#include "sim/smtp/local_delivery.hpp"
#include "sim/store/mail_store.hpp"
#include "sim/world/dns_zone.hpp"
#include "sim/world/scenario.hpp"

namespace maillab::world {

class relay_environment {
public:
    using client_factory = std::function<std::unique_ptr<protocol_session>(connection_tracer&)>;
    // connected: whether a connection was made at all; client: the session, after it ended.
    using connection_done = std::function<void(bool connected, protocol_session* client)>;

    virtual ~relay_environment() = default;
    virtual trace& trace_ref() = 0;
    virtual std::int64_t now_us() const = 0;
    virtual void after(std::int64_t delay_us, std::function<void()> action) = 0;
    // Connects `from_host` to `to_host` on the port named `port` ("smtp" = 25) and runs the
    // session `make_client` builds until the connection ends, then calls `done`.
    virtual void connect(const std::string& from_host, const std::string& to_host,
                         const std::string& port, client_factory make_client,
                         connection_done done) = 0;
};

class relay_agent {
public:
    relay_agent(std::string host_name, mail_store& store, smtp::local_delivery& delivery,
                const dns_zone& dns, relay_settings settings, relay_environment& env);

    // The store's queue entry `queue_id` is new: try it now.
    void queued(std::uint64_t queue_id, std::optional<std::uint64_t> cause);

    std::size_t pending() const { return entries_.size(); }
    std::size_t bounces_sent() const { return bounces_sent_; }

private:
    struct entry {
        std::uint64_t queue_id = 0;
        std::string domain;
        std::string mail_from;
        std::vector<std::string> remaining;
        std::string message;
        std::string message_id;
        std::int64_t queued_at_us = 0;
        int attempts = 0;
        std::vector<smtp::failed_recipient> failed;
        std::string last_error;      // for the expiry bounce
        std::string last_remote;     // the last MX that answered
        std::optional<std::uint64_t> cause;
    };

    void attempt(std::uint64_t id);
    void try_exchanger(std::uint64_t id, std::vector<mx_record> exchangers, std::size_t index);
    void session_ended(std::uint64_t id, const std::vector<mx_record>& exchangers,
                       std::size_t index, bool connected, protocol_session* client);
    void defer(entry& e);
    void finish(entry& e);
    void bounce(entry& e);
    std::uint64_t queue_event(const entry& e, std::string_view action, std::string text,
                              nlohmann::json extra = nlohmann::json::object());

    std::string host_;
    mail_store& store_;
    smtp::local_delivery& delivery_;
    const dns_zone& dns_;
    relay_settings settings_;
    relay_environment& env_;
    std::map<std::uint64_t, entry> entries_;
    // Exchangers whose TLS handshake failed: the next attempt goes without STARTTLS, as
    // opportunistic TLS does (RFC 7435; Postfix's "may" level).
    std::set<std::string> tls_failed_;
    std::size_t bounces_sent_ = 0;
};

}  // namespace maillab::world
