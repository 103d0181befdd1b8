#include "sim/pop3/store_maildrop.hpp"

#include <algorithm>

#include <openssl/evp.h>

#include <fmt/format.h>

#include "sim/core/bytes.hpp"

namespace maillab::pop3 {

std::string apop_digest(std::string_view timestamp, std::string_view secret) {
    std::string input = std::string(timestamp) + std::string(secret);
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_Digest(input.data(), input.size(), md, &len, EVP_md5(), nullptr);
    std::string hex;
    for (unsigned int i = 0; i < len; ++i) hex += fmt::format("{:02x}", md[i]);
    return hex;
}

std::optional<std::string> store_maildrop::authenticate(std::string_view user,
                                                        std::string_view password) {
    return store_.authenticate(std::string(user), std::string(password));
}

std::optional<std::string> store_maildrop::authenticate_apop(std::string_view user,
                                                             std::string_view timestamp,
                                                             std::string_view digest) {
    const user_account* account = store_.find_user(std::string(user));
    if (!account) return std::nullopt;
    if (apop_digest(timestamp, account->password) != to_lower(digest)) return std::nullopt;
    return account->address;
}

std::vector<maildrop_entry> store_maildrop::list(const std::string& user) {
    std::vector<maildrop_entry> out;
    const mailbox* box = store_.find_mailbox(user, "INBOX");
    if (!box) return out;
    for (const auto& m : box->messages) {
        // RFC 1939 11: sizes count every line end as CRLF, as the message will be sent; the
        // store keeps that size (scanning every message at each login was 30% of a POP3 load).
        out.push_back({m.uid, m.wire_size, fmt::format("{}.{}", box->uid_validity, m.uid)});
    }
    return out;
}

std::optional<std::string> store_maildrop::message(const std::string& user, std::uint32_t uid) {
    const mailbox* box = store_.find_mailbox(user, "INBOX");
    if (!box) return std::nullopt;
    // Messages are in ascending UID order.
    auto it = std::lower_bound(box->messages.begin(), box->messages.end(), uid,
                               [](const stored_message& m, std::uint32_t u) { return m.uid < u; });
    if (it != box->messages.end() && it->uid == uid) return it->bytes;
    return std::nullopt;
}

std::vector<std::uint32_t> store_maildrop::remove(const std::string& user,
                                                  const std::vector<std::uint32_t>& uids,
                                                  connection_tracer& tracer,
                                                  std::optional<std::uint64_t> cause) {
    std::vector<std::uint32_t> removed = store_.expunge(user, "INBOX", uids);
    for (std::uint32_t uid : removed) {
        event e;
        e.kind = event_kind::store;
        e.cause = cause;
        e.text = fmt::format("removed UID {} from {} INBOX", uid, user);
        e.explain = "net.store.expunge";
        e.fields = {{"action", "expunge"}, {"user", user}, {"mailbox", "INBOX"}, {"uid", uid}};
        tracer.local(std::move(e));
    }
    return removed;
}

}  // namespace maillab::pop3
