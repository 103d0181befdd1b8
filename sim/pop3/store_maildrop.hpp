// The maildrop_host over maillab's mail store: POP3 sees each user's INBOX.
#pragma once

#include "sim/pop3/maildrop_host.hpp"
#include "sim/store/mail_store.hpp"

namespace maillab::pop3 {

class store_maildrop final : public maildrop_host {
public:
    explicit store_maildrop(mail_store& store) : store_(store) {}

    std::optional<std::string> authenticate(std::string_view user,
                                            std::string_view password) override;
    std::optional<std::string> authenticate_apop(std::string_view user,
                                                 std::string_view timestamp,
                                                 std::string_view digest) override;
    bool lock(const std::string& user) override { return store_.lock_maildrop(user); }
    void unlock(const std::string& user) override { store_.unlock_maildrop(user); }
    std::vector<maildrop_entry> list(const std::string& user) override;
    std::optional<std::string> message(const std::string& user, std::uint32_t uid) override;
    std::vector<std::uint32_t> remove(const std::string& user,
                                      const std::vector<std::uint32_t>& uids,
                                      connection_tracer& tracer,
                                      std::optional<std::uint64_t> cause) override;

private:
    mail_store& store_;
};

}  // namespace maillab::pop3
