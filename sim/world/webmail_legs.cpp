#include "sim/world/webmail_legs.hpp"

#include <memory>
#include <stdexcept>

#include <fmt/format.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

namespace maillab::world {

namespace {

std::string hex(const unsigned char* bytes, std::size_t n) {
    std::string out;
    for (std::size_t i = 0; i < n; ++i) out += fmt::format("{:02x}", bytes[i]);
    return out;
}

}  // namespace

std::function<std::string()> random_tokens() {
    return [] {
        unsigned char bytes[16];
        if (RAND_bytes(bytes, sizeof bytes) != 1)
            throw std::runtime_error("OpenSSL RAND_bytes failed: no session token can be made");
        return hex(bytes, sizeof bytes);
    };
}

std::function<std::string()> seeded_tokens(std::string seed) {
    auto counter = std::make_shared<std::uint64_t>(0);
    return [seed = std::move(seed), counter] {
        std::string input = fmt::format("{}#{}", seed, ++*counter);
        unsigned char digest[SHA256_DIGEST_LENGTH];
        SHA256(reinterpret_cast<const unsigned char*>(input.data()), input.size(), digest);
        return hex(digest, 16);
    };
}

webmail_legs::webmail_legs(relay_environment& env, std::string host, std::string imap_server,
                           std::string submission_server, std::function<std::string()> tokens)
    : env_(env),
      host_(std::move(host)),
      imap_server_(std::move(imap_server)),
      submission_server_(std::move(submission_server)),
      tokens_(std::move(tokens)) {}

void webmail_legs::run_imap(imap::command_job job, std::uint64_t cause, imap_done done) {
    env_.connect(
        host_, imap_server_, "imap",
        [job = std::move(job), cause](connection_tracer& tracer) -> std::unique_ptr<protocol_session> {
            tracer.set_default_cause(cause);
            return std::make_unique<imap::command_client>(job, tracer);
        },
        [done = std::move(done), server = imap_server_](bool connected, protocol_session* client) {
            if (!connected || !client) {
                imap::command_result r;
                r.error = fmt::format("no connection to the IMAP server {}", server);
                return done(r);
            }
            done(static_cast<imap::command_client*>(client)->result());
        });
}

void webmail_legs::submit(smtp::client_job job, std::uint64_t cause, smtp_done done) {
    env_.connect(
        host_, submission_server_, "submission",
        [job = std::move(job), cause](connection_tracer& tracer) -> std::unique_ptr<protocol_session> {
            tracer.set_default_cause(cause);
            return std::make_unique<smtp::client_session>(job, tracer);
        },
        [done = std::move(done), server = submission_server_](bool connected, protocol_session* client) {
            if (!connected || !client) {
                smtp::client_result r;
                r.error = fmt::format("no connection to the submission server {}", server);
                return done(r);
            }
            done(static_cast<smtp::client_session*>(client)->result());
        });
}

}  // namespace maillab::world
