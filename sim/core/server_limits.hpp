// The limits a mail server session enforces on its peer, whatever the protocol: how many
// commands one session may send, how many recipients one message may have, how many header
// fields a message may carry, and how failed logins are slowed down and cut off. One struct so
// `maillab serve`, a scenario's hosts and the simulation hand the same numbers to every engine.
// docs/security.md lists each one with its default, option and test.
#pragma once

#include <cstddef>
#include <cstdint>

namespace maillab {

struct server_limits {
    // After this many commands a session is ended politely (SMTP 421, POP3 -ERR, IMAP BYE):
    // a script stuck in a loop cannot hold a connection for ever.
    std::size_t max_commands = 10000;
    // RFC 5321 4.5.3.1.8: a server must accept at least 100 recipients; more get 452.
    std::size_t max_recipients = 100;
    // Header fields of one message (per MIME part for the parser): a message made of
    // a million tiny fields costs memory and time far beyond its size.
    std::size_t max_header_fields = 1000;
    // Failed logins (AUTH, LOGIN, USER/PASS, APOP) on one connection before it is closed.
    unsigned max_auth_failures = 3;
    // The reply to the n-th failed login is held back delay * 2^(n-1) milliseconds (on real
    // sockets; the simulation's virtual clock does not wait), so guessing passwords is slow.
    std::uint32_t auth_failure_delay_ms = 1000;
};

// Counts failed logins on one connection and says what the engine should do about the latest.
class auth_failure_counter {
public:
    struct verdict {
        std::uint32_t delay_ms = 0;  // hold the reply this long
        bool close = false;          // and then end the connection
    };
    // However many failures, a reply is never held longer than this.
    static constexpr std::uint64_t max_delay_ms = 60 * 1000;
    explicit auth_failure_counter(const server_limits& limits) : limits_(limits) {}

    verdict record_failure() {
        ++failures_;
        verdict v;
        unsigned shift = failures_ - 1 < 16 ? failures_ - 1 : 16;
        std::uint64_t delay = std::uint64_t(limits_.auth_failure_delay_ms) << shift;
        v.delay_ms = static_cast<std::uint32_t>(delay < max_delay_ms ? delay : max_delay_ms);
        v.close = limits_.max_auth_failures > 0 && failures_ >= limits_.max_auth_failures;
        return v;
    }
    unsigned failures() const { return failures_; }

private:
    const server_limits& limits_;
    unsigned failures_ = 0;
};

}  // namespace maillab
