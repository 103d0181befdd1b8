// The webmail: the application behind the HTTP server (server_session), a mail client for
// browsers. For every request it logs in to the mail server with its own IMAP connection (and,
// to send, its own authenticated SMTP submission connection) through a mail_backend, then
// answers with a page from webmail_pages. Seeds 000 and 001: browser -> HTTP -> webmail ->
// SMTP ... IMAP -> webmail -> HTTP -> browser.
//
// Routes (docs/webmail.md has them for teachers):
//   GET  /login, POST /login        log in (user, password, csrf)
//   POST /logout                    (csrf)
//   GET  /mailbox?folder=F&page=N   the list, newest first
//   GET  /message?folder=F&uid=U    one mail (fetching it sets \Seen, as IMAP does)
//   GET  /part?folder=F&uid=U&part=P[&download=1]   one MIME part, fetched alone
//   POST /flag                      folder, uid, action=read|unread|delete, back, csrf
//   GET  /compose[?reply=U&folder=F]
//   POST /send                      multipart/form-data: to, cc, subject, body, attachment...,
//                                   in_reply_to, references, csrf
//   GET  /style.css, GET /          (/ goes to the inbox or the login page)
//   ?lang=en|zh on any GET          chooses the language (kept in a cookie)
//
// Security: every POST needs the CSRF token of its session (the login form: the pre-session
// cookie's token); CR or LF in a field that becomes a mail header is refused; pages carry a
// Content-Security-Policy without any script source; HTML mail is sanitized and shown in a
// sandboxed iframe; a part is served as an attachment with a safe file name unless it is an
// image type browsers cannot run; sessions end after `idle_timeout_us` without a request.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "sim/http/server_session.hpp"
#include "sim/http/webmail_backend.hpp"
#include "sim/http/webmail_pages.hpp"
#include "sim/http/webmail_sessions.hpp"

namespace maillab::http::webmail {

struct webmail_config {
    std::size_t page_size = 20;
    std::int64_t idle_timeout_us = 30LL * 60 * 1'000'000;
    bool use_starttls = false;  // on the IMAP and submission legs, when offered
    std::string sent_folder = "Sent";
    std::string trash_folder = "Trash";
};

class webmail_app final : public request_handler {
public:
    webmail_app(webmail_config config, mail_backend& backend);
    ~webmail_app() override;

    void handle(const request& req, std::uint64_t request_seq, connection_tracer& tracer,
                std::function<void(response)> respond) override;

    std::size_t sessions() const { return sessions_.size(); }

    // One request being answered; shared with the callbacks of its IMAP and SMTP legs.
    struct call;

private:
    using call_ptr = std::shared_ptr<call>;

    void route(const call_ptr& c);
    bool check_csrf(const call_ptr& c);
    bool require_session(const call_ptr& c);

    void get_login(const call_ptr& c, const std::string& error, const std::string& user);
    void post_login(const call_ptr& c);
    void post_logout(const call_ptr& c);
    // webmail_reading.cpp
    void get_mailbox(const call_ptr& c);
    void get_message(const call_ptr& c);
    void get_part(const call_ptr& c);
    void post_flag(const call_ptr& c);
    // webmail_sending.cpp
    void get_compose(const call_ptr& c);
    void post_send(const call_ptr& c);
    void show_compose(const call_ptr& c, const compose_view& view, unsigned status);

    // Starts an IMAP leg for the call's user with `job.commands`; a note in the trace says
    // what for, and the leg's events point at it.
    void imap_leg(const call_ptr& c, imap::command_job job, const std::string& purpose,
                  mail_backend::imap_done done);
    page_context context_for(const call_ptr& c, std::vector<std::string> folders);
    void fail_leg(const call_ptr& c, const std::string& what);

    webmail_config config_;
    mail_backend& backend_;
    session_table sessions_;
    std::string session_cookie_;      // ml_session_<host>
    std::string pre_session_cookie_;  // ml_pre_<host>: the login form's CSRF token
};

}  // namespace maillab::http::webmail
