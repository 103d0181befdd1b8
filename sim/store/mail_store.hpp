// The mail store: users with passwords, their mailboxes, and the messages in them, kept
// byte-exact with IMAP-style UIDs (RFC 3501 2.3.1.1) so POP3 UIDL and IMAP UID can share them.
// Also the outbound queue of mail accepted for other domains.
// In memory by default; given a directory, every mailbox is also a Maildir there (maildir.hpp)
// and a restart finds the same mail, UIDs and UIDVALIDITY.
//
// Mailbox names are IMAP names (RFC 3501 5.1): "INBOX" in any case is the user's primary mailbox,
// every other name is case-sensitive, and "." separates hierarchy levels ("Archive.2024" is a
// child of "Archive"). On disk that is Maildir++: INBOX is DIR/<address>/ itself, "Archive.2024"
// is DIR/<address>/.Archive.2024/. docs/store-format.md describes the files.
//
// Errors: a request that cannot be done (no such user, mailbox or message, a bad name) returns
// false / nullopt, or throws std::invalid_argument where the comment says so. A failing disk
// throws std::runtime_error naming the path; memory never runs ahead of the disk (a change is in
// memory only once it is on disk), though a multi-step change (RENAME with children, CREATE with
// superiors) may stop part-way.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
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
    // The size with every bare LF counted as CRLF: IMAP's RFC822.SIZE (RFC 3501 2.3.4). Set by
    // the store when the message is added or read, so FETCH 1:* of a big mailbox does not scan
    // every message again.
    std::size_t wire_size = 0;
};

struct mailbox {
    std::string name;
    std::uint32_t uid_validity = 1;
    std::uint32_t next_uid = 1;
    // What the Maildir's uidlist says next_uid is. A delivery does not rewrite the uidlist (two
    // fsyncs a message): the file name's ",U=" carries the UID and maildir::open() takes the
    // highest one. Only a removal could hide a spent UID, so it brings the uidlist up first.
    std::uint32_t uidlist_next_uid = 1;
    std::vector<stored_message> messages;  // ascending UID
    std::filesystem::path dir;             // empty when in memory
    // RFC 3501 2.3.2: messages with uid >= this are \Recent for the next session that claims
    // them (mail_store::claim_recent()). Not a flag: it is never in stored_message::flags.
    std::uint32_t first_recent_uid = 1;
};

struct user_account {
    std::string address;   // "bob@b.example", lower-case domain
    std::string password;
    std::map<std::string, mailbox> mailboxes;  // "INBOX" always present
    std::set<std::string> subscriptions;       // RFC 3501 6.3.6: names, existing or not
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

    // Appends to the user's mailbox and returns the new UID; with a directory the message is on
    // disk (fsynced) when this returns. A mailbox that does not exist is created first (as
    // create_mailbox() does). Throws std::invalid_argument if there is no such user or the name
    // is not valid for create_mailbox(), std::runtime_error if the write fails.
    std::uint32_t deliver(const std::string& address, const std::string& mailbox_name,
                          std::string bytes, std::int64_t now_us);
    // Removes the messages with these UIDs (from disk too); returns the UIDs really removed.
    // Never throws: a message whose file cannot be removed stays, and is missing from the result.
    std::vector<std::uint32_t> expunge(const std::string& address, const std::string& mailbox_name,
                                       const std::vector<std::uint32_t>& uids);

    // Mailboxes of a user, INBOX first, then the others in name order (byte order); empty for an
    // unknown user.
    std::vector<std::string> mailbox_names(const std::string& address) const;
    // false (and nothing changes) when it exists already, the user is unknown, or the name is
    // empty, starts or ends with '.', has '/', "..", a control character, is longer than 254
    // octets, or is INBOX (any case). RFC 3501 6.3.3: one trailing '.' is dropped first ("A."
    // creates "A"), and missing superior names are created too ("A.b" also creates "A"); the
    // change callback fires for each mailbox created.
    bool create_mailbox(const std::string& address, const std::string& name);
    // false for INBOX or a mailbox that does not exist. Removes its messages and (persistent) its
    // directory. Its children ("A.x" of "A") and the subscription to it stay (RFC 3501 6.3.4,
    // 6.3.9).
    bool delete_mailbox(const std::string& address, const std::string& name);
    // RFC 3501 6.3.5. Renaming a mailbox renames its children ("A" -> "B" also renames "A.x" to
    // "B.x"); messages and UIDs stay, and every renamed mailbox gets a new UIDVALIDITY. Renaming
    // INBOX moves all its messages (with their UIDs) into the new mailbox and leaves INBOX empty,
    // with its own UIDVALIDITY and next UID; children of INBOX stay. Missing superiors of `to`
    // are created. false (nothing changes) if `from` is missing, `to` or a child's new name
    // exists, or a new name is not valid for create_mailbox(). The callback fires for the old and
    // the new name of each renamed mailbox (and for superiors created).
    bool rename_mailbox(const std::string& address, const std::string& from, const std::string& to);

    // Replaces the flags of one message ("\\Recent" is dropped: it is not stored); false if there
    // is no such message. Persistent stores move the file to cur/ with the Maildir info
    // ":2,<letters>"; flags without a Maildir letter (keywords such as "$Label1") live in memory
    // only and are gone after a restart. The callback fires on every true return, even if the
    // flags were the same (an unsolicited FETCH too many is harmless, RFC 3501 5.2).
    //
    // While a flag_batch lives, set_flags() leaves the directories unsynced and the batch syncs
    // each of them once when it ends: a STORE on 5,000 messages costs two fsyncs, not 10,000.
    // Whoever holds the batch ends it before acknowledging the change (IMAP: before the OK).
    class flag_batch {
    public:
        explicit flag_batch(mail_store& store) : store_(store) { ++store_.flag_batches_; }
        ~flag_batch();
        flag_batch(const flag_batch&) = delete;
        flag_batch& operator=(const flag_batch&) = delete;

    private:
        mail_store& store_;
    };
    bool set_flags(const std::string& address, const std::string& mailbox, std::uint32_t uid,
                   std::set<std::string> flags);
    // APPEND (RFC 3501 6.3.11): like deliver, with flags (minus "\\Recent") and an internal date;
    // returns the new UID. Throws std::invalid_argument if the user or the mailbox does not exist
    // (IMAP answers NO [TRYCREATE]); std::runtime_error if the write fails.
    std::uint32_t append(const std::string& address, const std::string& mailbox, std::string bytes,
                         std::set<std::string> flags, std::int64_t internal_date_us);
    // COPY one message to another mailbox of the same user (or the same one), keeping flags and
    // internal date (RFC 3501 6.4.7); the new UID, or nullopt if the source message or the target
    // mailbox does not exist. Throws std::runtime_error if the write fails.
    std::optional<std::uint32_t> copy(const std::string& address, const std::string& from_mailbox,
                                      std::uint32_t uid, const std::string& to_mailbox);

    // Subscriptions (RFC 3501 6.3.6-6.3.9): names, whether the mailbox exists or not ("inbox"
    // becomes "INBOX"). Persisted in DIR/<address>/subscriptions, one name per line. subscribe()
    // is false if already subscribed, or for an empty name or one with a control character (it
    // could not be a line of that file); unsubscribe() is false if not subscribed. They do not
    // call the change callback: no mailbox changes.
    bool subscribe(const std::string& address, const std::string& name);
    bool unsubscribe(const std::string& address, const std::string& name);
    // In name order (byte order); empty for an unknown user.
    std::vector<std::string> subscriptions(const std::string& address) const;

    // \Recent (RFC 3501 2.3.2): the first session that selects a mailbox after a message arrived
    // sees it as recent. Returns the lowest UID that is recent for this caller (messages with
    // uid >= it) and moves the mark to next_uid, so the next caller sees none of them as recent;
    // 0 if there is no such mailbox. Call it for SELECT, not EXAMINE (RFC 3501 6.3.2: EXAMINE
    // must not take \Recent away). Persistent stores also move the files still in new/ to cur/,
    // the Maildir way of saying "a client has seen this"; after a restart the mail from the
    // oldest file still in new/ on is recent. Never throws (a file that cannot be moved stays in
    // new/).
    std::uint32_t claim_recent(const std::string& address, const std::string& mailbox);

    // Every change (deliver, append, copy, expunge, set_flags, create/delete/rename) calls this
    // with the user's canonical address and the mailbox changed (its canonical name: "INBOX"),
    // after the change is complete, so the callback may read the store; open IMAP sessions can
    // tell their clients (untagged EXISTS/EXPUNGE/FETCH) and IDLE can wake up. An expunge that
    // removed nothing does not call it. The callback must not throw: the change has happened.
    void set_on_change(
        std::function<void(const std::string& address, const std::string& mailbox)> callback);

    // RFC 1939 8: a POP3 session holds an exclusive lock on the maildrop while in TRANSACTION.
    bool lock_maildrop(const std::string& address);
    void unlock_maildrop(const std::string& address);
    std::uint64_t enqueue(queued_message message);
    // The queue entry with this id, or nullptr (delivered, bounced or never there).
    const queued_message* find_queued(std::uint64_t id) const;
    // Removes an entry once the relay is done with it; false if there is none.
    bool dequeue(std::uint64_t id);

    // "inbox" in any case finds INBOX; nullptr for an unknown user or mailbox.
    const mailbox* find_mailbox(const std::string& address, const std::string& name) const;
    const std::vector<queued_message>& outbound_queue() const { return queue_; }
    const std::map<std::string, user_account>& users() const { return users_; }

private:
    // Adds the mailbox `name` (valid, not yet in user.mailboxes), reading its Maildir when the
    // store is persistent (creating it when absent). Nothing is added if that throws.
    mailbox& open_mailbox(user_account& user, const std::string& name);
    // Writes box.next_uid to the Maildir's uidlist if it is behind (mailbox::uidlist_next_uid).
    void persist_next_uid(mailbox& box);
    // Opens the missing superiors of `name` ("A" and "A.b" for "A.b.c"), appending their names.
    void open_superiors(user_account& user, const std::string& name,
                        std::vector<std::string>& opened);
    user_account* user_of(const std::string& address);
    const user_account* user_of(const std::string& address) const;
    mailbox* mailbox_of(user_account& user, const std::string& name);
    std::filesystem::path mailbox_dir(const user_account& user, const std::string& name) const;
    std::uint32_t next_uid_validity() const;  // what new_uid_validity() would hand out
    std::uint32_t new_uid_validity();
    // The common part of deliver, append and copy: next UID, file, uidlist, memory.
    std::uint32_t add_message(mailbox& box, std::string bytes, std::set<std::string> flags,
                              std::int64_t internal_date_us);
    bool rename_inbox(user_account& user, const std::string& to);
    void load_subscriptions(user_account& user);
    void save_subscriptions(const user_account& user);
    void changed(const std::string& address, const std::string& mailbox) const;

    std::filesystem::path root_;
    int flag_batches_ = 0;                           // flag_batch objects alive
    std::set<std::filesystem::path> dirs_to_sync_;  // what they left unsynced
    std::map<std::string, user_account> users_;
    std::function<void(const std::string&, const std::string&)> on_change_;
    // The highest UIDVALIDITY handed out or read, so a new one is always greater (RFC 3501
    // 2.3.1.1). In memory every INBOX has 1 and other mailboxes count up from 2.
    std::uint32_t last_uid_validity_ = 1;
    std::set<std::string> locked_;  // keyed by canonical address
    std::vector<queued_message> queue_;
    std::uint64_t next_queue_id_ = 1;
};

// "Bob@B.Example" -> "bob@b.example". Domains are case-insensitive (RFC 5321 2.4); local parts
// may be case-sensitive by the RFC, but every common server folds them, and so does maillab.
std::string canonical_address(const std::string& address);

}  // namespace maillab
