// The mail legs of a webmail host in a scenario world: its IMAP and submission connections go
// through the world's relay_environment, so they are in-memory links on the virtual clock in a
// simulation and real TCP connections under `maillab serve SCENARIO.json`, like the relays'.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "sim/http/webmail_backend.hpp"
#include "sim/world/relay_agent.hpp"

namespace maillab::world {

// Session and CSRF tokens. Live: 128 bits from OpenSSL's RAND_bytes. In a simulation: derived
// from a seed and a counter (SHA-256), so a scenario's trace is the same on every run; they are
// unguessable only to someone who does not know the scenario, which is all a lesson needs.
std::function<std::string()> random_tokens();
std::function<std::string()> seeded_tokens(std::string seed);

class webmail_legs final : public http::mail_backend {
public:
    webmail_legs(relay_environment& env, std::string host, std::string imap_server,
                 std::string submission_server, std::function<std::string()> tokens);

    void run_imap(imap::command_job job, std::uint64_t cause, imap_done done) override;
    void submit(smtp::client_job job, std::uint64_t cause, smtp_done done) override;
    std::int64_t now_us() const override { return env_.now_us(); }
    std::string random_token() override { return tokens_(); }
    const std::string& host_name() const override { return host_; }
    const std::string& imap_server() const override { return imap_server_; }
    const std::string& submission_server() const override { return submission_server_; }

private:
    relay_environment& env_;
    std::string host_;
    std::string imap_server_;
    std::string submission_server_;
    std::function<std::string()> tokens_;
};

}  // namespace maillab::world
