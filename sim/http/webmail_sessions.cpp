#include "sim/http/webmail_sessions.hpp"

#include <openssl/crypto.h>

namespace maillab::http::webmail {

web_session& session_table::create(std::string id, std::string user, std::string password,
                                   std::string csrf, std::int64_t now_us) {
    // Forget sessions that ran out meanwhile, so the table does not grow with every login.
    for (auto it = sessions_.begin(); it != sessions_.end();) {
        if (now_us - it->second.last_seen_us > idle_timeout_us_) it = sessions_.erase(it);
        else ++it;
    }
    web_session s{id, std::move(user), std::move(password), std::move(csrf), now_us};
    auto [it, inserted] = sessions_.insert_or_assign(std::move(id), std::move(s));
    return it->second;
}

session_table::lookup session_table::find(std::string_view id, std::int64_t now_us,
                                          web_session** out) {
    *out = nullptr;
    auto it = sessions_.find(id);
    if (it == sessions_.end()) return lookup::unknown;
    if (now_us - it->second.last_seen_us > idle_timeout_us_) {
        sessions_.erase(it);
        return lookup::expired;
    }
    it->second.last_seen_us = now_us;
    *out = &it->second;
    return lookup::found;
}

void session_table::remove(std::string_view id) {
    auto it = sessions_.find(id);
    if (it != sessions_.end()) sessions_.erase(it);
}

std::optional<std::string> cookie_value(std::string_view header, std::string_view name) {
    // RFC 6265 5.4: "name=value" pairs separated by "; ".
    while (!header.empty()) {
        std::size_t end = header.find(';');
        std::string_view pair = header.substr(0, end);
        header = end == std::string_view::npos ? std::string_view{} : header.substr(end + 1);
        while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
        std::size_t eq = pair.find('=');
        if (eq == std::string_view::npos) continue;
        if (pair.substr(0, eq) == name) return std::string(pair.substr(eq + 1));
    }
    return std::nullopt;
}

bool same_token(std::string_view a, std::string_view b) {
    return a.size() == b.size() && !a.empty() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace maillab::http::webmail
