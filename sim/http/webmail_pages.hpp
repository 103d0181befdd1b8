// The webmail's HTML pages, in English and Chinese. Pure functions from a view model to a
// complete HTML document: no I/O, no mail protocol, no session logic (that is webmail_app).
// Every text that came from a mail or a user is escaped here; the only markup that is not
// written by these functions is the sanitizer's output (sanitized_html), shown inside a
// sandboxed <iframe srcdoc> so that not even its CSS reaches the page.
//
// The pages contain no script at all (the server sends a CSP without script-src), so every
// action is a plain link or a <form method="post"> with the session's CSRF token in a hidden
// field named "csrf". URLs and form field names are the contract with webmail_app.cpp and the
// simulated browser (browser_session.cpp); docs/webmail.md lists them for teachers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "sim/explain/catalog.hpp"

namespace maillab::http::webmail {

// What every page of a logged-in user shows: who, the folders, a one-line notice.
struct page_context {
    language lang = language::en;
    std::string user;                  // "alice@a.example"
    std::string csrf;                  // the session's token, for every form
    std::vector<std::string> folders;  // IMAP names from LIST ("INBOX", "Sent", "Trash")
    std::string current_folder;        // "" on pages outside a folder (compose)
    std::string notice;                // "Mail sent." etc.; "" for none
    std::string self_url;              // this page's target, for the language links
};

struct message_row {
    std::uint32_t uid = 0;
    std::string from;     // decoded display form "Alice <alice@a.example>"
    std::string subject;  // decoded; "(no subject)" is the page's job
    std::string date;     // as shown: "2025-01-06 09:00"
    std::size_t size = 0; // RFC822.SIZE in octets
    bool seen = false;
    bool answered = false;
    bool flagged = false;
};

struct mailbox_view {
    std::vector<message_row> rows;  // this page's rows, newest first
    std::size_t total = 0;          // messages in the folder
    std::size_t unseen = 0;
    unsigned page = 1;              // 1-based
    unsigned pages = 1;
};

struct attachment_view {
    std::string part;          // IMAP section number "2" or "1.2"
    std::string filename;      // decoded (RFC 2231 / 2047), "" when the part has none
    std::string content_type;  // "application/pdf"
    std::size_t size = 0;      // decoded octets
};

struct message_view {
    std::string folder;
    std::uint32_t uid = 0;
    std::string from, to, cc, date, subject;  // decoded
    std::string message_id;
    bool seen = true;
    std::string text;                 // the text/plain body (or the HTML's text), decoded
    bool has_html = false;
    std::string sanitized_html;       // a fragment from sanitize_html; shown when has_html
    std::vector<std::string> removed; // what the sanitizer removed (quoted input: escape it)
    std::vector<attachment_view> attachments;
    std::vector<std::string> problems;  // MIME defects found while reading the mail
};

struct compose_view {
    std::string to, cc, subject, body;
    std::string in_reply_to, references;  // hidden fields for a reply
    std::string error;                    // why the last try was refused; "" for none
};

// GET /login and a failed POST /login. `csrf` is the pre-session token (cookie "ml_pre").
std::string login_page(language lang, const std::string& csrf, const std::string& user,
                       const std::string& error);
// GET /mailbox?folder=F&page=N: the list with links to /message?folder=F&uid=U, paging links,
// and per row a form POST /flag (folder, uid, action=read|unread|delete, csrf, back).
std::string mailbox_page(const page_context& ctx, const mailbox_view& view);
// GET /message?folder=F&uid=U: headers, the body, attachments as links to
// /part?folder=F&uid=U&part=P&download=1, and forms POST /flag (action read|unread|delete) and a
// link to /compose?reply=U&folder=F.
std::string message_page(const page_context& ctx, const message_view& view);
// GET /compose: a <form method="post" action="/send" enctype="multipart/form-data"> with fields
// to, cc, subject, body, attachment (type=file, multiple), in_reply_to, references, csrf.
std::string compose_page(const page_context& ctx, const compose_view& view);
// Any error: status line text, what went wrong, a link back. `what` is plain text.
std::string error_page(language lang, unsigned status, const std::string& what);

// GET /style.css: the one stylesheet (the CSP allows styles from 'self' only).
std::string stylesheet();

// The text of a page element in the language (buttons, headings...) by English key, for
// notices the app composes ("Mail sent." -> "邮件已发送。"). Unknown keys come back as given.
std::string ui(language lang, const std::string& english);

}  // namespace maillab::http::webmail
