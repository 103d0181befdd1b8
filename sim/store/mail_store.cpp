// Theory of operation: everything lives in memory (users_ -> mailboxes -> messages); a
// persistent store writes every change through to its Maildirs before it returns, so memory is
// never ahead of the disk (maildir.hpp has the crash-safe file operations). Each change then
// calls the change callback, which IMAP sessions use for unsolicited responses.
//
// RFC 3501 parts implemented here: 2.3.1.1 (UID, UIDVALIDITY), 2.3.2 (\Recent), 5.1 (INBOX),
// 6.3.3-6.3.9 (CREATE, DELETE, RENAME, SUBSCRIBE, UNSUBSCRIBE, LSUB's list), 6.3.11 (APPEND),
// 6.4.6-6.4.7 (STORE, COPY; the flags part).
#include "sim/store/mail_store.hpp"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "sim/core/bytes.hpp"
#include "sim/store/maildir.hpp"

namespace maillab {
namespace fs = std::filesystem;
namespace {

constexpr const char* inbox_name = "INBOX";
constexpr char hierarchy_delimiter = '.';
constexpr const char* subscriptions_file = "subscriptions";

// RFC 3501 5.1: "INBOX" is case-insensitive; every other name is taken as it is.
std::string canonical_mailbox(const std::string& name) {
    return iequals(name, inbox_name) ? std::string(inbox_name) : name;
}

bool has_control(const std::string& name) {
    return std::any_of(name.begin(), name.end(), [](char c) {
        return static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
    });
}

// A name that create_mailbox() may give a new mailbox. On disk it becomes the directory
// ".<name>", so no '/' and no "..", and the whole must fit in NAME_MAX (255). A leading or
// trailing delimiter, or two together, would mean an empty hierarchy level. Control characters
// (NUL above all) have no place in a file name or in a line of the subscriptions file.
bool valid_new_name(const std::string& name) {
    if (name.empty() || name.size() > 254 || iequals(name, inbox_name)) return false;
    if (name.front() == hierarchy_delimiter || name.back() == hierarchy_delimiter) return false;
    if (name.find("..") != std::string::npos || name.find('/') != std::string::npos) return false;
    return !has_control(name);
}

// The size with each LF not preceded by CR counted as CRLF (stored_message::wire_size).
std::size_t size_with_crlf(const std::string& bytes) {
    std::size_t size = bytes.size();
    for (std::size_t from = 0; from < bytes.size();) {
        const void* hit = std::memchr(bytes.data() + from, '\n', bytes.size() - from);
        if (!hit) break;
        std::size_t lf = static_cast<std::size_t>(static_cast<const char*>(hit) - bytes.data());
        if (lf == 0 || bytes[lf - 1] != '\r') ++size;
        from = lf + 1;
    }
    return size;
}

maildir::entry entry_of(const stored_message& m) {
    return {m.uid, m.file_name, m.in_cur, {}, 0, {}};
}

std::string read_text(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    if (!in) throw std::runtime_error(p.string() + ": cannot read");
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

}  // namespace

std::string canonical_address(const std::string& address) { return to_lower(address); }

void mail_store::add_user(const std::string& address, const std::string& password) {
    auto at = address.rfind('@');
    if (at == std::string::npos || at == 0 || at + 1 == address.size())
        throw std::invalid_argument("user address must look like name@domain: \"" + address +
                                    "\"");
    if (address.find('/') != std::string::npos || address.front() == '.')
        throw std::invalid_argument("user address must not contain '/' or start with '.': \"" +
                                    address + "\"");
    std::string key = canonical_address(address);
    if (users_.count(key)) throw std::invalid_argument("user defined twice: " + key);
    user_account account{key, password, {}, {}};
    open_mailbox(account, inbox_name);
    if (persistent()) {
        // The folders a previous run created (or a teacher made by hand). A directory whose name
        // create_mailbox() would refuse (".INBOX", ".a..b") is left alone and not read.
        for (const auto& name : maildir::scan_folders(root_ / key))
            if (valid_new_name(name)) open_mailbox(account, name);
        load_subscriptions(account);
    }
    users_.emplace(key, std::move(account));
}

fs::path mail_store::mailbox_dir(const user_account& user, const std::string& name) const {
    // Maildir++: INBOX is the user's directory itself, other folders are ".Name" inside it.
    fs::path dir = root_ / user.address;
    if (name != inbox_name) dir /= "." + name;
    return dir;
}

std::uint32_t mail_store::next_uid_validity() const {
    // RFC 3501 2.3.1.1: a mailbox that gets a name used before (deleted and created again,
    // renamed) needs a UIDVALIDITY it never had, or a client would take the new mailbox's UIDs
    // for the old one's. Persistent: the creation time, as the RFC suggests, but always above
    // anything handed out or read so far (two in the same second). In memory: a counter, so a
    // simulation stays deterministic.
    std::uint32_t next = last_uid_validity_ + 1;
    if (persistent()) {
        auto now = std::chrono::system_clock::now().time_since_epoch();
        next = std::max(next, static_cast<std::uint32_t>(
                                  std::chrono::duration_cast<std::chrono::seconds>(now).count()));
    }
    return next;
}

std::uint32_t mail_store::new_uid_validity() {
    last_uid_validity_ = next_uid_validity();
    return last_uid_validity_;
}

void mail_store::persist_next_uid(mailbox& box) {
    if (box.dir.empty() || box.uidlist_next_uid == box.next_uid) return;
    maildir::save_uidlist(box.dir, box.uid_validity, box.next_uid);
    box.uidlist_next_uid = box.next_uid;
}

mail_store::flag_batch::~flag_batch() {
    if (--store_.flag_batches_ > 0) return;
    for (const auto& dir : store_.dirs_to_sync_) {
        try {
            maildir::sync_dir(dir);
        } catch (const std::exception&) {
            // A directory gone since (its folder deleted) has nothing left to make durable.
        }
    }
    store_.dirs_to_sync_.clear();
}

mailbox& mail_store::open_mailbox(user_account& user, const std::string& name) {
    mailbox box;
    box.name = name;
    if (!persistent()) {
        // In memory INBOX keeps UIDVALIDITY 1, as it always had (POP3 UIDLs "1.<uid>").
        if (name != inbox_name) box.uid_validity = new_uid_validity();
    } else {
        box.dir = mailbox_dir(user, name);
        // The offered value is taken only by a Maildir without a uidlist; either way the value
        // in use now counts as handed out.
        auto files = maildir::open(box.dir, next_uid_validity());
        last_uid_validity_ = std::max(last_uid_validity_, files.uid_validity);
        box.uid_validity = files.uid_validity;
        box.next_uid = files.next_uid;
        box.uidlist_next_uid = files.next_uid;  // maildir::open() wrote it
        // RFC 3501 2.3.2 across a restart: Maildir's new/ holds the mail no client has seen
        // (claim_recent() moves the rest to cur/), so recent starts at the oldest file there.
        box.first_recent_uid = box.next_uid;
        for (auto& e : files.entries) {
            if (!e.in_cur) box.first_recent_uid = std::min(box.first_recent_uid, e.uid);
            box.messages.push_back({e.uid, std::move(e.bytes), std::move(e.flags),
                                    e.internal_date_us, std::move(e.file_name), e.in_cur});
            box.messages.back().wire_size = size_with_crlf(box.messages.back().bytes);
        }
    }
    return user.mailboxes.emplace(name, std::move(box)).first->second;
}

void mail_store::open_superiors(user_account& user, const std::string& name,
                                std::vector<std::string>& opened) {
    for (auto dot = name.find(hierarchy_delimiter); dot != std::string::npos;
         dot = name.find(hierarchy_delimiter, dot + 1)) {
        std::string superior = name.substr(0, dot);
        if (user.mailboxes.count(superior)) continue;
        open_mailbox(user, superior);
        opened.push_back(superior);
    }
}

user_account* mail_store::user_of(const std::string& address) {
    auto it = users_.find(canonical_address(address));
    return it == users_.end() ? nullptr : &it->second;
}

const user_account* mail_store::user_of(const std::string& address) const {
    auto it = users_.find(canonical_address(address));
    return it == users_.end() ? nullptr : &it->second;
}

mailbox* mail_store::mailbox_of(user_account& user, const std::string& name) {
    auto it = user.mailboxes.find(canonical_mailbox(name));
    return it == user.mailboxes.end() ? nullptr : &it->second;
}

void mail_store::changed(const std::string& address, const std::string& mailbox) const {
    if (on_change_) on_change_(address, mailbox);
}

void mail_store::set_on_change(
    std::function<void(const std::string& address, const std::string& mailbox)> callback) {
    on_change_ = std::move(callback);
}

const user_account* mail_store::find_user(const std::string& name) const {
    if (name.find('@') != std::string::npos) {
        auto it = users_.find(canonical_address(name));
        return it == users_.end() ? nullptr : &it->second;
    }
    const user_account* found = nullptr;
    for (const auto& [address, account] : users_) {
        if (address.substr(0, address.rfind('@')) == to_lower(name)) {
            if (found) return nullptr;  // ambiguous: the same local part in two domains
            found = &account;
        }
    }
    return found;
}

std::optional<std::string> mail_store::authenticate(const std::string& name,
                                                    const std::string& password) const {
    const user_account* user = find_user(name);
    if (!user || user->password != password) return std::nullopt;
    return user->address;
}

std::uint32_t mail_store::add_message(mailbox& box, std::string bytes,
                                      std::set<std::string> flags,
                                      std::int64_t internal_date_us) {
    std::uint32_t uid = box.next_uid;
    stored_message message{uid, std::move(bytes), std::move(flags), internal_date_us, "", false};
    message.wire_size = size_with_crlf(message.bytes);
    if (!box.dir.empty()) {
        // The file's name holds the UID, so once it is in new/ or cur/ the UID is spent across
        // a restart too (maildir::open()); the uidlist catches up before a removal.
        maildir::entry e =
            maildir::write_message(box.dir, uid, message.bytes, internal_date_us, message.flags);
        message.file_name = std::move(e.file_name);
        message.in_cur = e.in_cur;
    }
    box.next_uid = uid + 1;
    box.messages.push_back(std::move(message));
    return uid;
}

std::uint32_t mail_store::deliver(const std::string& address, const std::string& mailbox_name,
                                  std::string bytes, std::int64_t now_us) {
    user_account* user = user_of(address);
    if (!user) throw std::invalid_argument("no such user: " + address);
    std::string name = canonical_mailbox(mailbox_name);
    mailbox* box = mailbox_of(*user, name);
    if (!box && valid_new_name(name) && create_mailbox(user->address, name))
        box = mailbox_of(*user, name);
    if (!box) throw std::invalid_argument("not a valid mailbox name: \"" + mailbox_name + "\"");
    std::uint32_t uid = add_message(*box, std::move(bytes), {}, now_us);
    changed(user->address, name);
    return uid;
}

std::uint32_t mail_store::append(const std::string& address, const std::string& mailbox_name,
                                 std::string bytes, std::set<std::string> flags,
                                 std::int64_t internal_date_us) {
    user_account* user = user_of(address);
    if (!user) throw std::invalid_argument("no such user: " + address);
    mailbox* box = mailbox_of(*user, mailbox_name);
    // RFC 3501 6.3.11: APPEND never creates the mailbox; the client gets NO [TRYCREATE].
    if (!box) throw std::invalid_argument("no such mailbox: " + mailbox_name);
    flags.erase("\\Recent");  // RFC 3501 2.3.2: the server's to set, never stored
    std::uint32_t uid = add_message(*box, std::move(bytes), std::move(flags), internal_date_us);
    changed(user->address, box->name);
    return uid;
}

std::optional<std::uint32_t> mail_store::copy(const std::string& address,
                                              const std::string& from_mailbox, std::uint32_t uid,
                                              const std::string& to_mailbox) {
    user_account* user = user_of(address);
    if (!user) return std::nullopt;
    mailbox* from = mailbox_of(*user, from_mailbox);
    mailbox* to = mailbox_of(*user, to_mailbox);
    if (!from || !to) return std::nullopt;
    auto m = std::find_if(from->messages.begin(), from->messages.end(),
                          [uid](const stored_message& s) { return s.uid == uid; });
    if (m == from->messages.end()) return std::nullopt;
    // RFC 3501 6.4.7: flags and internal date SHOULD be kept; \Recent is set on the copy by
    // its new UID being at or above to->first_recent_uid. Copied out first: when from == to,
    // the push_back in add_message() moves the vector `m` points into.
    std::string bytes = m->bytes;
    std::set<std::string> flags = m->flags;
    std::int64_t date = m->internal_date_us;
    std::uint32_t new_uid = add_message(*to, std::move(bytes), std::move(flags), date);
    changed(user->address, to->name);
    return new_uid;
}

bool mail_store::set_flags(const std::string& address, const std::string& mailbox_name,
                           std::uint32_t uid, std::set<std::string> flags) {
    user_account* user = user_of(address);
    if (!user) return false;
    mailbox* box = mailbox_of(*user, mailbox_name);
    if (!box) return false;
    auto m = std::find_if(box->messages.begin(), box->messages.end(),
                          [uid](const stored_message& s) { return s.uid == uid; });
    if (m == box->messages.end()) return false;
    flags.erase("\\Recent");  // RFC 3501 2.3.2: a session's view, not a stored flag
    if (!box->dir.empty()) {
        // Keywords have no Maildir letter: flags_to_info() leaves them out, memory keeps them.
        bool batched = flag_batches_ > 0;
        m->file_name = maildir::move_to_cur(box->dir, entry_of(*m), flags, !batched);
        if (batched) {
            dirs_to_sync_.insert(box->dir / "cur");
            if (!m->in_cur) dirs_to_sync_.insert(box->dir / "new");
        }
        m->in_cur = true;
    }
    m->flags = std::move(flags);
    changed(user->address, box->name);
    return true;
}

std::uint32_t mail_store::claim_recent(const std::string& address,
                                       const std::string& mailbox_name) {
    user_account* user = user_of(address);
    if (!user) return 0;
    mailbox* box = mailbox_of(*user, mailbox_name);
    if (!box) return 0;
    std::uint32_t first = box->first_recent_uid;
    box->first_recent_uid = box->next_uid;
    if (!box->dir.empty()) {
        bool moved = false;
        for (auto& m : box->messages) {
            if (m.in_cur) continue;
            try {
                m.file_name = maildir::move_to_cur(box->dir, entry_of(m), m.flags, false);
                m.in_cur = true;
                moved = true;
            } catch (const std::exception&) {
                // Stays in new/: it is recent again after a restart, nothing worse.
            }
        }
        if (moved) {
            try {
                maildir::sync_dir(box->dir / "new");
                maildir::sync_dir(box->dir / "cur");
            } catch (const std::exception&) {
            }
        }
    }
    return first;
}

std::vector<std::string> mail_store::mailbox_names(const std::string& address) const {
    std::vector<std::string> names;
    const user_account* user = user_of(address);
    if (!user) return names;
    names.push_back(inbox_name);
    for (const auto& [name, box] : user->mailboxes)
        if (name != inbox_name) names.push_back(name);
    return names;
}

bool mail_store::create_mailbox(const std::string& address, const std::string& name) {
    user_account* user = user_of(address);
    if (!user) return false;
    std::string wanted = name;
    // RFC 3501 6.3.3: a trailing delimiter only says the client means to create children under
    // the name; the mailbox created is the name without it.
    if (!wanted.empty() && wanted.back() == hierarchy_delimiter) wanted.pop_back();
    if (!valid_new_name(wanted) || user->mailboxes.count(wanted)) return false;
    std::vector<std::string> created;
    // RFC 3501 6.3.3: the server SHOULD create superior hierarchical names that are missing, so
    // every name a LIST shows is a real mailbox.
    open_superiors(*user, wanted, created);
    open_mailbox(*user, wanted);
    created.push_back(wanted);
    if (persistent()) maildir::sync_dir(root_ / user->address);  // the new ".Name" entries
    for (const auto& c : created) changed(user->address, c);
    return true;
}

bool mail_store::delete_mailbox(const std::string& address, const std::string& name) {
    user_account* user = user_of(address);
    if (!user) return false;
    std::string key = canonical_mailbox(name);
    // RFC 3501 6.3.4: it is an error to attempt to delete INBOX.
    if (key == inbox_name) return false;
    auto it = user->mailboxes.find(key);
    if (it == user->mailboxes.end()) return false;
    // Children stay: RFC 3501 6.3.4 deletes only the name given. Subscriptions stay too: RFC
    // 3501 6.3.9 forbids the server to drop a subscription because the mailbox went away.
    if (!it->second.dir.empty()) maildir::remove_folder(root_ / user->address, it->second.dir);
    user->mailboxes.erase(it);
    changed(user->address, key);
    return true;
}

bool mail_store::rename_mailbox(const std::string& address, const std::string& from,
                                const std::string& to) {
    user_account* user = user_of(address);
    if (!user) return false;
    std::string source = canonical_mailbox(from);
    if (!user->mailboxes.count(source)) return false;
    if (!valid_new_name(to) || user->mailboxes.count(to)) return false;
    if (source == inbox_name) return rename_inbox(*user, to);

    // RFC 3501 6.3.5: inferior hierarchical names are renamed too ("A.x" -> "B.x"). Every new
    // name is checked before anything moves, and none may exist yet (nor its directory), so
    // no rename below can land on another mailbox, whatever the order.
    std::vector<std::pair<std::string, std::string>> moves;
    std::string child_prefix = source + hierarchy_delimiter;
    for (const auto& [name, box] : user->mailboxes)
        if (name == source || name.rfind(child_prefix, 0) == 0)
            moves.emplace_back(name, to + name.substr(source.size()));
    for (const auto& [old_name, new_name] : moves) {
        if (!valid_new_name(new_name) || user->mailboxes.count(new_name)) return false;
        if (persistent() && fs::exists(mailbox_dir(*user, new_name))) return false;
    }

    for (const auto& [old_name, new_name] : moves) {
        mailbox& box = user->mailboxes.at(old_name);
        // RFC 3501 2.3.1.1: a (UIDVALIDITY, UID) pair must never name two messages "in the
        // mailbox or any subsequent mailbox with the same name". `to` may have existed before
        // with UIDs like these, so the renamed mailbox gets a new UIDVALIDITY (RFC 3501 lets the
        // server change it whenever it must; clients then reload their cache). Its messages and
        // UIDs stay.
        std::uint32_t validity = new_uid_validity();
        fs::path new_dir;
        if (!box.dir.empty()) {
            // The uidlist first: a crash before the rename leaves the old name with a new
            // UIDVALIDITY, which costs clients a reload and nothing else.
            maildir::save_uidlist(box.dir, validity, box.next_uid);
            box.uidlist_next_uid = box.next_uid;
            box.uid_validity = validity;  // memory follows the disk, should the rename fail
            new_dir = mailbox_dir(*user, new_name);
            fs::rename(box.dir, new_dir);
        }
        auto node = user->mailboxes.extract(old_name);
        node.key() = new_name;
        node.mapped().name = new_name;
        node.mapped().uid_validity = validity;
        node.mapped().dir = new_dir;
        user->mailboxes.insert(std::move(node));
    }
    std::vector<std::string> created;
    // RFC 3501 6.3.5: superiors of the new name SHOULD be created, as for CREATE.
    open_superiors(*user, to, created);
    if (persistent()) maildir::sync_dir(root_ / user->address);
    for (const auto& [old_name, new_name] : moves) {
        changed(user->address, old_name);
        changed(user->address, new_name);
    }
    for (const auto& c : created) changed(user->address, c);
    return true;
}

bool mail_store::rename_inbox(user_account& user, const std::string& to) {
    // RFC 3501 6.3.5: renaming INBOX moves all its messages to a new mailbox with the given name
    // and leaves INBOX empty; INBOX's own children are not affected. INBOX keeps its UIDVALIDITY
    // and its next UID, so its UIDs are never reused. The new mailbox takes the messages with
    // their UIDs, and a new UIDVALIDITY (see rename_mailbox()).
    if (persistent() && fs::exists(mailbox_dir(user, to))) return false;
    std::vector<std::string> created;
    open_superiors(user, to, created);
    mailbox& inbox = user.mailboxes.at(inbox_name);
    // INBOX keeps its next UID with no file left to show it: the uidlist must say it first.
    persist_next_uid(inbox);
    mailbox fresh;
    fresh.name = to;
    fresh.uid_validity = new_uid_validity();
    fresh.next_uid = inbox.next_uid;
    fresh.first_recent_uid = inbox.first_recent_uid;
    if (persistent()) {
        fresh.dir = mailbox_dir(user, to);
        maildir::open(fresh.dir, fresh.uid_validity);
        maildir::save_uidlist(fresh.dir, fresh.uid_validity, fresh.next_uid);
        fresh.uidlist_next_uid = fresh.next_uid;
        maildir::sync_dir(root_ / user.address);
    }
    mailbox& target = user.mailboxes.emplace(to, std::move(fresh)).first->second;
    // File by file: each rename is atomic, so a crash (or an error) part-way leaves every
    // message in exactly one of the two mailboxes, and memory follows the disk.
    std::size_t moved = 0;
    try {
        for (auto& m : inbox.messages) {
            if (!inbox.dir.empty()) {
                const char* sub = m.in_cur ? "cur" : "new";
                fs::rename(inbox.dir / sub / m.file_name, target.dir / sub / m.file_name);
            }
            target.messages.push_back(std::move(m));
            ++moved;
        }
    } catch (...) {
        inbox.messages.erase(inbox.messages.begin(),
                             inbox.messages.begin() + static_cast<std::ptrdiff_t>(moved));
        changed(user.address, inbox_name);
        changed(user.address, to);
        throw;
    }
    inbox.messages.clear();
    if (persistent()) {
        for (const char* sub : {"new", "cur"}) {
            maildir::sync_dir(inbox.dir / sub);
            maildir::sync_dir(target.dir / sub);
        }
    }
    changed(user.address, inbox_name);
    changed(user.address, to);
    for (const auto& c : created) changed(user.address, c);
    return true;
}

void mail_store::load_subscriptions(user_account& user) {
    fs::path file = root_ / user.address / subscriptions_file;
    if (!fs::exists(file)) return;
    std::istringstream in(read_text(file));
    for (std::string line; std::getline(in, line);) {
        if (!line.empty() && line.back() == '\r') line.pop_back();  // edited on Windows
        if (!line.empty()) user.subscriptions.insert(canonical_mailbox(line));
    }
}

void mail_store::save_subscriptions(const user_account& user) {
    std::string text;
    for (const auto& name : user.subscriptions) text += name + "\n";
    maildir::replace_file(root_ / user.address, subscriptions_file, text);
}

bool mail_store::subscribe(const std::string& address, const std::string& name) {
    user_account* user = user_of(address);
    if (!user || name.empty() || has_control(name)) return false;
    // RFC 3501 6.3.6: the mailbox need not exist (a server MAY refuse, maillab does not: a
    // client may subscribe to a shared name before it is created).
    std::string key = canonical_mailbox(name);
    if (!user->subscriptions.insert(key).second) return false;
    if (persistent()) {
        try {
            save_subscriptions(*user);
        } catch (...) {
            user->subscriptions.erase(key);
            throw;
        }
    }
    return true;
}

bool mail_store::unsubscribe(const std::string& address, const std::string& name) {
    user_account* user = user_of(address);
    if (!user) return false;
    std::string key = canonical_mailbox(name);
    if (!user->subscriptions.erase(key)) return false;
    if (persistent()) {
        try {
            save_subscriptions(*user);
        } catch (...) {
            user->subscriptions.insert(key);
            throw;
        }
    }
    return true;
}

std::vector<std::string> mail_store::subscriptions(const std::string& address) const {
    const user_account* user = user_of(address);
    if (!user) return {};
    return {user->subscriptions.begin(), user->subscriptions.end()};
}

std::vector<std::uint32_t> mail_store::expunge(const std::string& address,
                                               const std::string& mailbox_name,
                                               const std::vector<std::uint32_t>& uids) {
    std::vector<std::uint32_t> removed;
    user_account* user = user_of(address);
    if (!user) return removed;
    mailbox* found = mailbox_of(*user, mailbox_name);
    if (!found) return removed;
    mailbox& box = *found;
    try {
        persist_next_uid(box);  // the highest UID's file may be about to go
    } catch (const std::exception&) {
        return removed;  // all kept: the caller sees none removed
    }
    for (std::uint32_t uid : uids) {
        auto m = std::find_if(box.messages.begin(), box.messages.end(),
                              [uid](const stored_message& s) { return s.uid == uid; });
        if (m == box.messages.end()) continue;
        if (!box.dir.empty()) {
            try {
                maildir::remove(box.dir, entry_of(*m));
            } catch (const std::exception&) {
                continue;  // kept: the caller sees it missing from the result
            }
        }
        box.messages.erase(m);
        removed.push_back(uid);
    }
    if (!removed.empty()) changed(user->address, box.name);
    return removed;
}

bool mail_store::lock_maildrop(const std::string& address) {
    return locked_.insert(canonical_address(address)).second;
}

void mail_store::unlock_maildrop(const std::string& address) {
    locked_.erase(canonical_address(address));
}

std::uint64_t mail_store::enqueue(queued_message message) {
    message.id = next_queue_id_++;
    queue_.push_back(std::move(message));
    return queue_.back().id;
}

const queued_message* mail_store::find_queued(std::uint64_t id) const {
    for (const auto& q : queue_)
        if (q.id == id) return &q;
    return nullptr;
}

bool mail_store::dequeue(std::uint64_t id) {
    auto it = std::find_if(queue_.begin(), queue_.end(),
                           [id](const queued_message& q) { return q.id == id; });
    if (it == queue_.end()) return false;
    queue_.erase(it);
    return true;
}

const mailbox* mail_store::find_mailbox(const std::string& address,
                                        const std::string& name) const {
    const user_account* user = user_of(address);
    if (!user) return nullptr;
    auto box = user->mailboxes.find(canonical_mailbox(name));
    return box == user->mailboxes.end() ? nullptr : &box->second;
}

}  // namespace maillab
