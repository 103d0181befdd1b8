// The webmail's login sessions: which browser is logged in as whom. A session is found by the
// random id in its cookie and ends after `idle_timeout` without a request (or at log out).
// Each session has its own CSRF token, written into every form and checked on every POST.
//
// The password is kept for the session's lifetime, in memory only, because the webmail logs in
// to IMAP and SMTP anew for each request, as real webmail does (Roundcube keeps it encrypted in
// its session store).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace maillab::http::webmail {

struct web_session {
    std::string id;       // the cookie value
    std::string user;     // "alice@a.example"
    std::string password;
    std::string csrf;     // the token every form of this session carries
    std::int64_t last_seen_us = 0;
    std::string notice;   // shown once on the next page ("Mail sent."), after a redirect
};

class session_table {
public:
    explicit session_table(std::int64_t idle_timeout_us) : idle_timeout_us_(idle_timeout_us) {}

    web_session& create(std::string id, std::string user, std::string password, std::string csrf,
                        std::int64_t now_us);

    enum class lookup { found, unknown, expired };
    // The session with this id, its last_seen moved to now; an expired one is removed (and
    // reported as expired once, so the page can say why the user must log in again).
    lookup find(std::string_view id, std::int64_t now_us, web_session** out);
    void remove(std::string_view id);

    std::size_t size() const { return sessions_.size(); }
    std::int64_t idle_timeout_us() const { return idle_timeout_us_; }

private:
    std::int64_t idle_timeout_us_;
    std::map<std::string, web_session, std::less<>> sessions_;
};

// The value of cookie `name` in a Cookie header ("a=1; ml_session=xyz"), or nothing.
std::optional<std::string> cookie_value(std::string_view cookie_header, std::string_view name);

// Compares two tokens in time that does not depend on where they differ.
bool same_token(std::string_view a, std::string_view b);

}  // namespace maillab::http::webmail
