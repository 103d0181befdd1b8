// The mail store: users with passwords, their mailboxes, and the messages in them, kept
// byte-exact with IMAP-style UIDs (RFC 3501 2.3.1.1) so POP3 UIDL and IMAP UID can share them.
// Also the outbound queue of mail accepted for other domains. In memory for now.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace maillab {

struct stored_message {
    std::uint32_t uid = 0;
    std::string bytes;                // exactly as delivered (Received: header included)
    std::set<std::string> flags;      // "\\Seen", "\\Deleted", ...
    std::int64_t internal_date_us = 0;
};

struct mailbox {
    std::string name;
    std::uint32_t uid_validity = 1;
    std::uint32_t next_uid = 1;
    std::vector<stored_message> messages;
};

struct user_account {
    std::string address;   // "bob@b.example", lower-case domain
    std::string password;
    std::map<std::string, mailbox> mailboxes;  // "INBOX" always present
};

struct queued_message {
    std::uint64_t id = 0;
    std::string mail_from;
    std::vector<std::string> recipients;
    std::string bytes;
    std::int64_t queued_at_us = 0;
};

class mail_store {
public:
    // Throws std::invalid_argument if the address is malformed or already present.
    void add_user(const std::string& address, const std::string& password);

    // By full address (case-insensitive domain), or by local part when exactly one user has it.
    const user_account* find_user(const std::string& name) const;
    // The canonical address of the user who logs in as `name` with `password`, if any.
    std::optional<std::string> authenticate(const std::string& name,
                                            const std::string& password) const;
    bool has_local_part(const std::string& local_part) const;

    // Appends to the user's mailbox and returns the new UID. Throws if there is no such user.
    std::uint32_t deliver(const std::string& address, const std::string& mailbox_name,
                          std::string bytes, std::int64_t now_us);
    std::uint64_t enqueue(queued_message message);

    const mailbox* find_mailbox(const std::string& address, const std::string& name) const;
    const std::vector<queued_message>& outbound_queue() const { return queue_; }
    const std::map<std::string, user_account>& users() const { return users_; }

private:
    std::map<std::string, user_account> users_;  // keyed by canonical address
    std::vector<queued_message> queue_;
    std::uint64_t next_queue_id_ = 1;
};

// "Bob@B.Example" -> "Bob@b.example": the domain is case-insensitive (RFC 5321 2.4), the local
// part is kept as written.
std::string canonical_address(const std::string& address);

}  // namespace maillab
