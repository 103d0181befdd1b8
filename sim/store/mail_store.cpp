#include "sim/store/mail_store.hpp"

#include <stdexcept>

#include "sim/core/bytes.hpp"

namespace maillab {

std::string canonical_address(const std::string& address) {
    auto at = address.rfind('@');
    if (at == std::string::npos) return address;
    return address.substr(0, at + 1) + to_lower(address.substr(at + 1));
}

void mail_store::add_user(const std::string& address, const std::string& password) {
    auto at = address.rfind('@');
    if (at == std::string::npos || at == 0 || at + 1 == address.size())
        throw std::invalid_argument("user address must look like name@domain: \"" + address +
                                    "\"");
    std::string key = canonical_address(address);
    if (users_.count(key)) throw std::invalid_argument("user defined twice: " + key);
    user_account account{key, password, {}};
    account.mailboxes["INBOX"] = mailbox{"INBOX", 1, 1, {}};
    users_.emplace(key, std::move(account));
}

const user_account* mail_store::find_user(const std::string& name) const {
    if (name.find('@') != std::string::npos) {
        auto it = users_.find(canonical_address(name));
        return it == users_.end() ? nullptr : &it->second;
    }
    const user_account* found = nullptr;
    for (const auto& [address, account] : users_) {
        if (address.substr(0, address.rfind('@')) == name) {
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
    mailbox& box = it->second.mailboxes[mailbox_name];
    if (box.name.empty()) box.name = mailbox_name;
    stored_message message{box.next_uid++, std::move(bytes), {}, now_us};
    box.messages.push_back(std::move(message));
    return box.messages.back().uid;
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
