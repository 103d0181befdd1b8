// The mail store: users with passwords, their mailboxes, and the messages in them, kept
// byte-exact with IMAP-style UIDs (RFC 3501 2.3.1.1) so POP3 UIDL and IMAP UID can share them.
// Also the outbound queue of mail accepted for other domains.
// In memory by default; given a directory, every mailbox is also a Maildir there (maildir.hpp)
// and a restart finds the same mail, UIDs and UIDVALIDITY.
#pragma once

#include <cstdint>
#include <filesystem>
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
    std::string file_name;  // Maildir file (persistent stores only)
    bool in_cur = false;
};

struct mailbox {
    std::string name;
    std::uint32_t uid_validity = 1;
    std::uint32_t next_uid = 1;
    std::vector<stored_message> messages;  // ascending UID
    std::filesystem::path dir;             // empty when in memory
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
    mail_store() = default;
    // Keeps mail in Maildirs under `root`/<address>/ (created when absent).
    explicit mail_store(std::filesystem::path root) : root_(std::move(root)) {}

    bool persistent() const { return !root_.empty(); }
    const std::filesystem::path& root() const { return root_; }

    // Throws std::invalid_argument if the address is malformed or already present, and
    // std::runtime_error (naming the path) if its Maildir cannot be read.
    void add_user(const std::string& address, const std::string& password);

    // By full address (case-insensitive domain), or by local part when exactly one user has it.
    const user_account* find_user(const std::string& name) const;
    // The canonical address of the user who logs in as `name` with `password`, if any.
    std::optional<std::string> authenticate(const std::string& name,
                                            const std::string& password) const;
    bool has_local_part(const std::string& local_part) const;

    // Appends to the user's mailbox and returns the new UID; with a directory the message is on
    // disk (fsynced) when this returns. Throws if there is no such user or the write fails.
    std::uint32_t deliver(const std::string& address, const std::string& mailbox_name,
                          std::string bytes, std::int64_t now_us);
    // Removes the messages with these UIDs (from disk too); returns the UIDs really removed.
    // Never throws: a message whose file cannot be removed stays, and is missing from the result.
    std::vector<std::uint32_t> expunge(const std::string& address, const std::string& mailbox_name,
                                       const std::vector<std::uint32_t>& uids);

    // RFC 1939 8: a POP3 session holds an exclusive lock on the maildrop while in TRANSACTION.
    bool lock_maildrop(const std::string& address);
    void unlock_maildrop(const std::string& address);
    std::uint64_t enqueue(queued_message message);

    const mailbox* find_mailbox(const std::string& address, const std::string& name) const;
    const std::vector<queued_message>& outbound_queue() const { return queue_; }
    const std::map<std::string, user_account>& users() const { return users_; }

private:
    mailbox& open_mailbox(user_account& user, const std::string& name);

    std::filesystem::path root_;
    std::map<std::string, user_account> users_;
    std::set<std::string> locked_;  // keyed by canonical address
    std::vector<queued_message> queue_;
    std::uint64_t next_queue_id_ = 1;
};

// "Bob@B.Example" -> "bob@b.example". Domains are case-insensitive (RFC 5321 2.4); local parts
// may be case-sensitive by the RFC, but every common server folds them, and so does maillab.
std::string canonical_address(const std::string& address);

}  // namespace maillab
