#include "sim/store/mail_store.hpp"

#include <algorithm>
#include <chrono>
#include <stdexcept>

#include "sim/core/bytes.hpp"
#include "sim/store/maildir.hpp"

namespace maillab {

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
    user_account account{key, password, {}};
    open_mailbox(account, "INBOX");
    users_.emplace(key, std::move(account));
}

mailbox& mail_store::open_mailbox(user_account& user, const std::string& name) {
    auto [it, created] = user.mailboxes.try_emplace(name);
    mailbox& box = it->second;
    if (!created) return box;
    box.name = name;
    if (!persistent()) return box;
    // Maildir++: INBOX is the user's directory itself, other folders are ".Name" inside it.
    box.dir = root_ / user.address;
    if (name != "INBOX") box.dir /= "." + name;
    auto now = std::chrono::system_clock::now().time_since_epoch();
    auto files = maildir::open(
        box.dir, static_cast<std::uint32_t>(
                     std::chrono::duration_cast<std::chrono::seconds>(now).count()));
    box.uid_validity = files.uid_validity;
    box.next_uid = files.next_uid;
    for (auto& e : files.entries)
        box.messages.push_back({e.uid, std::move(e.bytes), std::move(e.flags),
                                e.internal_date_us, std::move(e.file_name), e.in_cur});
    return box;
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

bool mail_store::has_local_part(const std::string& local_part) const {
    return find_user(local_part) != nullptr;
}

std::uint32_t mail_store::deliver(const std::string& address, const std::string& mailbox_name,
                                  std::string bytes, std::int64_t now_us) {
    auto it = users_.find(canonical_address(address));
    if (it == users_.end()) throw std::invalid_argument("no such user: " + address);
    mailbox& box = open_mailbox(it->second, mailbox_name);
    std::uint32_t uid = box.next_uid;
    stored_message message{uid, std::move(bytes), {}, now_us, "", false};
    if (!box.dir.empty()) {
        message.file_name = maildir::deliver(box.dir, uid, message.bytes, now_us);
        maildir::save_uidlist(box.dir, box.uid_validity, uid + 1);
    }
    box.next_uid = uid + 1;
    box.messages.push_back(std::move(message));
    return uid;
}

std::vector<std::uint32_t> mail_store::expunge(const std::string& address,
                                               const std::string& mailbox_name,
                                               const std::vector<std::uint32_t>& uids) {
    std::vector<std::uint32_t> removed;
    auto user = users_.find(canonical_address(address));
    if (user == users_.end()) return removed;
    auto it = user->second.mailboxes.find(mailbox_name);
    if (it == user->second.mailboxes.end()) return removed;
    mailbox& box = it->second;
    for (std::uint32_t uid : uids) {
        auto m = std::find_if(box.messages.begin(), box.messages.end(),
                              [uid](const stored_message& s) { return s.uid == uid; });
        if (m == box.messages.end()) continue;
        if (!box.dir.empty()) {
            try {
                maildir::remove(box.dir, {m->uid, m->file_name, m->in_cur, {}, 0, {}});
            } catch (const std::exception&) {
                continue;  // kept: the caller sees it missing from the result
            }
        }
        box.messages.erase(m);
        removed.push_back(uid);
    }
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

const mailbox* mail_store::find_mailbox(const std::string& address,
                                        const std::string& name) const {
    auto it = users_.find(canonical_address(address));
    if (it == users_.end()) return nullptr;
    auto box = it->second.mailboxes.find(name);
    return box == it->second.mailboxes.end() ? nullptr : &box->second;
}

}  // namespace maillab
