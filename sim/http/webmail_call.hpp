// Inside the webmail (not for other users of sim/http): one request being answered, and the
// helpers the route files share (webmail_app.cpp, webmail_reading.cpp, webmail_sending.cpp).
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "sim/core/trace.hpp"
#include "sim/http/form.hpp"
#include "sim/http/webmail_app.hpp"

namespace maillab::http::webmail {

struct webmail_app::call {
    request req;
    std::uint64_t request_seq = 0;
    // Where notes go: the HTTP connection's number and ends. Copied, not the tracer itself,
    // because an IMAP leg may finish after the browser has closed the connection.
    trace* trace_ptr = nullptr;
    std::uint64_t conn = 0;
    std::string server_host;
    std::string browser_host;
    std::function<void(response)> respond;
    bool answered = false;

    language lang = language::en;
    std::string lang_cookie;  // set when ?lang= chose a language
    std::string path;         // "/mailbox"
    form_data query;
    form_data form;           // POST body
    // The logged-in session (copied: the table may change while a leg runs).
    std::string session_id;
    std::string user;
    std::string password;
    std::string csrf;

    // A note on the HTTP connection, caused by the request (or `cause`). Returns its seq.
    std::uint64_t note(std::string_view key, std::string text, nlohmann::json fields,
                       std::optional<std::uint64_t> cause = std::nullopt);
    // Sends the answer (once) with the security headers every response carries.
    void answer(response res);
    void html(unsigned status, std::string body);
    void redirect(const std::string& location);
    void error(unsigned status, const std::string& what);
};

// True when a form value that becomes a header field holds CR or LF (or NUL).
bool breaks_header(std::string_view value);

// A "back" URL from a form: only a path of this site ("/mailbox?..."), else `fallback`.
std::string local_url(std::string_view url, std::string_view fallback);

// "/mailbox?folder=INBOX&page=2" from a path and name/value pairs (values percent-encoded).
std::string url_with(std::string_view path,
                     std::initializer_list<std::pair<std::string_view, std::string>> params);

// Parses a folder name from the query or form, checking it is a usable IMAP name.
std::string folder_param(const form_data& data);
// The quoted IMAP string for a mailbox name ("Sent" -> "\"Sent\"").
std::string imap_quoted(std::string_view text);

}  // namespace maillab::http::webmail
