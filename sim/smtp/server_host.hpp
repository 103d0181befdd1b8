// What an SMTP server session asks of the system it runs in: who the local recipients are, who
// may log in, and where accepted mail goes. The session decides protocol; the host decides policy
// and storage. One host serves many sessions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/core/trace.hpp"

namespace maillab::smtp {

enum class recipient_verdict {
    local,         // a mailbox here
    relay,         // another domain, allowed because the client authenticated
    unknown_user,  // a local domain without that user
    relay_denied,  // another domain and the client has not authenticated
};

struct recipient_check {
    recipient_verdict verdict;
    std::string resolved;       // canonical address the mail will go to
    bool domain_added = false;  // the client gave a bare local part and we completed it
};

struct envelope {
    std::string helo;
    bool esmtp = false;
    bool tls = false;
    std::optional<std::string> auth_user;
    std::string peer_address;
    std::string mail_from;
    std::vector<std::string> recipients;  // resolved addresses
};

struct delivery_outcome {
    bool ok = false;
    std::string detail;  // what went where, or why it failed
};

class server_host {
public:
    virtual ~server_host() = default;
    virtual recipient_check check_recipient(std::string_view address, bool authenticated) = 0;
    // The canonical user name when the password is right.
    virtual std::optional<std::string> authenticate(std::string_view user,
                                                    std::string_view password) = 0;
    // Must have stored the message durably when it returns ok: the session answers 250 only
    // after that (RFC 5321 6.1). Store events go to `tracer`, caused by `cause`.
    virtual delivery_outcome deliver(const envelope& env, const std::string& message,
                                     connection_tracer& tracer, std::uint64_t cause) = 0;
};

}  // namespace maillab::smtp
