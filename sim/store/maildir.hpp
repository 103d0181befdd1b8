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

// Writes a new message durably and returns its file name in new/ (write_message(), no flags).
std::string deliver(const std::filesystem::path& dir, std::uint32_t uid, std::string_view bytes,
                    std::int64_t now_us);

// Writes a message durably: tmp/, fsync, rename, fsync of the directory. The file's modification
// time is set to `internal_date_us`, which is where open() finds the internal date again. A
// message whose flags have a Maildir letter goes to cur/ with its info, any other to new/.
// Returns the entry without its bytes. Throws std::runtime_error naming the path.
entry write_message(const std::filesystem::path& dir, std::uint32_t uid, std::string_view bytes,
                    std::int64_t internal_date_us, const std::set<std::string>& flags);

// Renames a message into cur/ with the info of `flags` ("<base>:2,<letters>") and returns its new
// name; nothing happens when it is there under that name already. The data is untouched, so only
// the directories are fsynced, and only when `sync` is set (a caller moving many files syncs once).
std::string move_to_cur(const std::filesystem::path& dir, const entry& e,
                        const std::set<std::string>& flags, bool sync = true);

// "1736154000.M1P2Q3.maillab,U=7,S=9:2,FS" -> "1736154000.M1P2Q3.maillab,U=7,S=9".
std::string base_name(std::string_view file_name);

// Records the next UID durably (before the UID is used by anyone).
void save_uidlist(const std::filesystem::path& dir, std::uint32_t uid_validity,
                  std::uint32_t next_uid);

// Replaces dir/name by `bytes` durably: written to dir/tmp/ and fsynced, renamed over the old
// file, then the directory fsynced. A reader sees the old file or the new one, never a mix.
void replace_file(const std::filesystem::path& dir, const std::string& name,
                  std::string_view bytes);

// Removes the file (one already gone counts as removed); throws on other I/O errors.
void remove(const std::filesystem::path& dir, const entry& e);

// A rename or a new directory entry is durable only once its directory is fsynced.
void sync_dir(const std::filesystem::path& dir);

// Maildir++ folders of the Maildir `user_dir`: the names of its ".Name" subdirectories, without
// the dot, sorted; the caller decides which names are valid. Also finishes deletions that a crash
// cut short (remove_folder()).
std::vector<std::string> scan_folders(const std::filesystem::path& user_dir);

// Deletes the folder directory `folder_dir` inside `user_dir`. Crash-safe: the folder is first
// renamed out of sight ("maillab-deleting.*", which scan_folders() never lists and removes), then
// removed; so after a crash the folder is either all there or gone, never half-empty.
void remove_folder(const std::filesystem::path& user_dir, const std::filesystem::path& folder_dir);

// ":2,FS" <-> {"\\Flagged", "\\Seen"} (Maildir info letters, sorted as the spec asks).
std::string flags_to_info(const std::set<std::string>& flags);
std::set<std::string> info_to_flags(std::string_view info);

}  // namespace maillab::maildir
