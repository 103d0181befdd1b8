// What a POP3 server session asks of the mail system: who may log in, the lock on a maildrop,
// its messages, and the deletions made in the UPDATE state.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/core/trace.hpp"

namespace maillab::pop3 {

struct maildrop_entry {
    std::uint32_t uid = 0;
    std::size_t size = 0;      // octets as stored
    std::string unique_id;     // UIDL value: stable across sessions and restarts (RFC 1939 7)
};

class maildrop_host {
public:
    virtual ~maildrop_host() = default;
    // The canonical user name when the password is right.
    virtual std::optional<std::string> authenticate(std::string_view user,
                                                    std::string_view password) = 0;
    // RFC 1939 7 APOP: the digest is MD5(timestamp + shared secret), in lower-case hex.
    virtual std::optional<std::string> authenticate_apop(std::string_view user,
                                                         std::string_view timestamp,
                                                         std::string_view digest) = 0;
    virtual bool lock(const std::string& user) = 0;
    virtual void unlock(const std::string& user) = 0;
    virtual std::vector<maildrop_entry> list(const std::string& user) = 0;
    virtual std::optional<std::string> message(const std::string& user, std::uint32_t uid) = 0;
    // UPDATE state: removes the messages and traces each removal; returns the UIDs removed
    // (never throws: one that cannot be removed is missing from the result).
    virtual std::vector<std::uint32_t> remove(const std::string& user,
                                              const std::vector<std::uint32_t>& uids,
                                              connection_tracer& tracer,
                                              std::optional<std::uint64_t> cause) = 0;
};

// MD5 of timestamp+secret as 32 lower-case hex digits (what APOP sends).
std::string apop_digest(std::string_view timestamp, std::string_view secret);

}  // namespace maillab::pop3
