// One mailbox kept on disk in Maildir layout (tmp/ new/ cur/), the format Postfix, Dovecot and
// mutt share, so a teacher can look at the files. Delivery is crash-safe: the message is written
// to tmp/, fsynced, then renamed into new/, so a reader never sees half a message and a message
// acknowledged after deliver() returns survives a power cut.
//
// maillab bookkeeping for IMAP and POP3: each file name carries its UID (",U=17"), and the file
// maillab-uidlist holds UIDVALIDITY and the next UID, so UIDs and UIDLs never change and are
// never reused across restarts.
#pragma once

#include <cstdint>
#include <filesystem>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace maillab::maildir {

struct entry {
    std::uint32_t uid = 0;
    std::string file_name;        // base name inside new/ or cur/
    bool in_cur = false;
    std::set<std::string> flags;  // IMAP names: "\\Seen", "\\Deleted", ...
    std::int64_t internal_date_us = 0;
    std::string bytes;
};

struct mailbox_files {
    std::uint32_t uid_validity = 0;
    std::uint32_t next_uid = 1;
    std::vector<entry> entries;  // ascending UID
};

// Opens (creating when absent) the Maildir at `dir` and reads every message. Leftovers in tmp/
// (a delivery cut off by a crash, never acknowledged) are removed. Files without a UID (put there
// by hand) get the next UIDs. Throws std::runtime_error naming the path on an I/O error.
mailbox_files open(const std::filesystem::path& dir, std::uint32_t new_uid_validity);

// Writes a new message durably and returns its file name in new/.
std::string deliver(const std::filesystem::path& dir, std::uint32_t uid, std::string_view bytes,
                    std::int64_t now_us);

// Records the next UID durably (before the UID is used by anyone).
void save_uidlist(const std::filesystem::path& dir, std::uint32_t uid_validity,
                  std::uint32_t next_uid);

// Removes the file (one already gone counts as removed); throws on other I/O errors.
void remove(const std::filesystem::path& dir, const entry& e);

// ":2,FS" <-> {"\\Flagged", "\\Seen"} (Maildir info letters, sorted as the spec asks).
std::string flags_to_info(const std::set<std::string>& flags);
std::set<std::string> info_to_flags(std::string_view info);

}  // namespace maillab::maildir
