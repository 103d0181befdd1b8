// The mail servers behind the webmail in the HTTP fuzz target: each IMAP or submission leg the
// webmail asks for is a real client session (imap::command_client, smtp::client_session)
// talking to a real server session over the same in-memory store, byte for byte, with no
// socket. Legs run when the target calls run_pending(), after receive() returned, as they do
// later on the scheduler in a scenario: the webmail never sees its callback run inside its call.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <string>

#include <fmt/format.h>

#include "sim/core/clock.hpp"
#include "sim/core/trace.hpp"
#include "sim/http/webmail_backend.hpp"
#include "sim/imap/server_session.hpp"
#include "sim/smtp/local_delivery.hpp"
#include "sim/smtp/server_session.hpp"
#include "session_driver.hpp"
#include "sim/store/mail_store.hpp"

namespace maillab::fuzz {

// Moves bytes between a client and a server session until both are quiet or one closes.
inline void converse(protocol_session& client, protocol_session& server) {
    tls_info tls{"TLSv1.3", "TLS_AES_256_GCM_SHA384"};
    server.start();
    client.start();
    for (int round = 0; round < 10000; ++round) {
        std::string to_client = server.take_output();
        std::string to_server = client.take_output();
        if (!to_client.empty()) client.receive(to_client);
        if (!to_server.empty()) server.receive(to_server);
        if (server.wants_tls() && client.wants_tls()) {
            server.tls_established(tls);
            client.tls_established(tls);
            continue;
        }
        if (client.wants_close() || server.wants_close()) break;
        if (to_client.empty() && to_server.empty()) break;
    }
    client.connection_lost();
    server.connection_lost();
}

class memory_mail_backend final : public http::mail_backend {
public:
    memory_mail_backend(trace& t, virtual_clock& clock, mail_store& store)
        : trace_(t), clock_(clock), store_(store), delivery_(store, local_domains()) {}

    void run_imap(imap::command_job job, std::uint64_t cause, imap_done done) override {
        pending_.push_back([this, job = std::move(job), cause, done = std::move(done)]() mutable {
            std::uint64_t conn = next_conn_++;
            connection_tracer client_side(trace_, conn, "imap", host_, imap_host_);
            connection_tracer server_side(trace_, conn, "imap", imap_host_, host_);
            client_side.set_default_cause(cause);
            imap::command_client client(std::move(job), client_side);
            imap::server_session server(imap::server_config{}, store_, server_side);
            converse(client, server);
            done(client.result());
        });
    }

    void submit(smtp::client_job job, std::uint64_t cause, smtp_done done) override {
        pending_.push_back([this, job = std::move(job), cause, done = std::move(done)]() mutable {
            std::uint64_t conn = next_conn_++;
            connection_tracer client_side(trace_, conn, "smtp", host_, imap_host_);
            connection_tracer server_side(trace_, conn, "smtp", imap_host_, host_);
            client_side.set_default_cause(cause);
            smtp::client_session client(std::move(job), client_side);
            smtp::server_config config;
            config.require_auth = true;
            smtp::server_session server(config, delivery_, server_side);
            converse(client, server);
            done(client.result());
        });
    }

    // Runs the legs asked for so far, and those their callbacks ask for; bounded, in case a
    // page kept asking for another leg.
    void run_pending() {
        for (int n = 0; n < 64 && !pending_.empty(); ++n) {
            auto leg = std::move(pending_.front());
            pending_.pop_front();
            leg();
        }
    }

    std::int64_t now_us() const override { return clock_.now_us(); }
    std::string random_token() override { return fmt::format("token{:04}", ++tokens_); }
    const std::string& host_name() const override { return host_; }
    const std::string& imap_server() const override { return imap_host_; }
    const std::string& submission_server() const override { return imap_host_; }

private:
    trace& trace_;
    virtual_clock& clock_;
    mail_store& store_;
    smtp::local_delivery delivery_;
    std::deque<std::function<void()>> pending_;
    std::uint64_t next_conn_ = 2;
    unsigned tokens_ = 0;
    std::string host_ = "webmail.example.org";
    std::string imap_host_ = "mail.example.org";
};

}  // namespace maillab::fuzz
