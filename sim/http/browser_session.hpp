// The simulated web browser of a scenario: a person at pc.alice who logs in to the webmail,
// writes a mail with an attachment, reads the inbox, opens a mail, downloads an attachment, logs
// out. It speaks real HTTP/1.1 (one keep-alive connection, cookies, forms with their CSRF
// token, redirects followed), so the webmail cannot tell it from Chromium; it only reads the
// pages the way a person does: by the links and forms on them.
//
// Sans-I/O like every session. The webmail's server session traces every request and response;
// the browser adds one note per step ("browser.step") so the trace says what the person did.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/beast/http.hpp>

#include "sim/core/session.hpp"
#include "sim/core/trace.hpp"
#include "sim/http/server_session.hpp"

namespace maillab::http {

// The cookies of one browser for one site, kept across connections (a later step of the
// script finds itself still logged in).
struct cookie_jar {
    std::map<std::string, std::string> cookies;
    void take(const response& res);  // Set-Cookie headers (Max-Age=0 removes)
    std::string header() const;      // "a=1; b=2"
};

struct upload {
    std::string filename;
    std::string content_type = "application/octet-stream";
    std::string bytes;
};

struct web_step {
    enum class kind { login, inbox, send, read, download, mark_unread, mark_read, remove, logout };
    kind what = kind::inbox;
    // send
    std::string to, cc, subject, text;
    std::vector<upload> attachments;
    // send the form the way a page on another site would make the browser send it: without the
    // CSRF token it cannot read (a browser that ignores SameSite still sends the cookie)
    bool forged = false;
    // read: the first mail in the inbox whose subject contains this; download: the attachment
    // link whose text contains this file name
    std::string match;
};
std::string_view to_string(web_step::kind k);

struct browser_job {
    std::string site;  // the Host header: "webmail.a.example"
    std::string user;
    std::string password;
    std::string lang = "en";  // Accept-Language
    std::vector<web_step> steps;
};

struct browser_download {
    std::string filename;  // from Content-Disposition
    std::string content_type;
    std::string bytes;
};

struct browser_result {
    bool completed = false;  // every step did what it should
    std::string error;       // the step that did not, and why
    std::size_t steps_done = 0;
    std::vector<browser_download> downloads;
};

class browser_session final : public protocol_session {
public:
    browser_session(browser_job job, cookie_jar& jar, connection_tracer& tracer);

    void start() override;
    void receive(std::string_view bytes) override;
    void tls_established(const tls_info&) override {}
    void connection_lost() override;
    std::string take_output() override { return std::exchange(out_, {}); }
    bool wants_tls() const override { return false; }
    bool wants_close() const override { return done_; }

    const browser_result& result() const { return result_; }

private:
    void begin_step();
    void get(const std::string& target);
    void post(const std::string& target, const std::string& content_type, std::string body);
    void send_request(request req);
    void on_response(response res);
    void page_loaded(unsigned status);
    void step_done();
    void fail(std::string why);
    std::string csrf_on_page() const;

    browser_job job_;
    cookie_jar& jar_;
    connection_tracer& tracer_;
    std::string in_;
    std::string out_;
    std::unique_ptr<boost::beast::http::response_parser<boost::beast::http::string_body>> parser_;
    std::size_t step_ = 0;
    int phase_ = 0;            // where in its step the browser is
    std::string url_;          // the page shown (after redirects)
    std::string last_request_; // "POST /send": what the last answer answered
    std::string page_;         // its HTML
    std::string shown_url_;    // the page under a download (a download does not replace it)
    std::string shown_page_;
    response last_;            // the last response (headers of a download)
    int redirects_ = 0;
    bool done_ = false;
    browser_result result_;
};

// The links on a page: href (entities decoded) and the link's text (tags removed, entities
// decoded), in page order. Enough for maillab's own pages; not a general HTML parser.
struct page_link {
    std::string href;
    std::string text;
};
std::vector<page_link> links_on(const std::string& html);
// The value of the first <input name="NAME" value="..."> on the page, entities decoded.
std::optional<std::string> input_value(const std::string& html, const std::string& name);

}  // namespace maillab::http
