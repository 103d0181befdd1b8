#include "sim/http/browser_session.hpp"

#include <cctype>
#include <regex>

#include <fmt/format.h>

#include "sim/http/form.hpp"

namespace maillab::http {

namespace beast_http = boost::beast::http;

namespace {

std::string decode_entities(std::string_view text) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '&') {
            out += text[i];
            continue;
        }
        std::size_t semi = text.find(';', i);
        if (semi == std::string_view::npos || semi - i > 8) {
            out += '&';
            continue;
        }
        std::string_view name = text.substr(i + 1, semi - i - 1);
        if (name == "amp") out += '&';
        else if (name == "lt") out += '<';
        else if (name == "gt") out += '>';
        else if (name == "quot") out += '"';
        else if (name == "#39" || name == "#x27" || name == "apos") out += '\'';
        else {
            out += text.substr(i, semi - i + 1);
        }
        i = semi;
    }
    return out;
}

std::string strip_tags(std::string_view html) {
    std::string out;
    bool in_tag = false;
    for (char ch : html) {
        if (ch == '<') in_tag = true;
        else if (ch == '>') in_tag = false;
        else if (!in_tag) out += ch;
    }
    return decode_entities(out);
}

std::string param_of(const std::string& url, std::string_view name) {
    return parse_query(url).value(name);
}

// A multipart/form-data body (RFC 7578) with a boundary that none of the values contains.
std::pair<std::string, std::string> multipart(
    const std::vector<std::pair<std::string, std::string>>& fields, const std::vector<upload>& files) {
    std::string boundary = "maillab-browser-boundary";
    auto clashes = [&](const std::string& b) {
        for (const auto& f : fields)
            if (f.second.find(b) != std::string::npos) return true;
        for (const auto& f : files)
            if (f.bytes.find(b) != std::string::npos) return true;
        return false;
    };
    for (int n = 1; clashes(boundary); ++n) boundary = fmt::format("maillab-browser-boundary-{}", n);
    std::string body;
    for (const auto& [name, value] : fields)
        body += fmt::format("--{}\r\nContent-Disposition: form-data; name=\"{}\"\r\n\r\n{}\r\n",
                            boundary, name, value);
    for (const auto& f : files)
        body += fmt::format("--{}\r\nContent-Disposition: form-data; name=\"attachment\"; "
                            "filename=\"{}\"\r\nContent-Type: {}\r\n\r\n{}\r\n",
                            boundary, f.filename, f.content_type, f.bytes);
    body += "--" + boundary + "--\r\n";
    return {"multipart/form-data; boundary=" + boundary, body};
}

std::string urlencoded(const std::vector<std::pair<std::string, std::string>>& fields) {
    std::string body;
    for (const auto& [name, value] : fields)
        body += (body.empty() ? "" : "&") + name + "=" + percent_encode(value);
    return body;
}

// filename*=UTF-8''... (RFC 8187) when present, else filename="...".
std::string disposition_filename(std::string_view header) {
    std::size_t star = header.find("filename*=UTF-8''");
    if (star != std::string_view::npos) {
        std::string_view rest = header.substr(star + 17);
        rest = rest.substr(0, rest.find(';'));
        if (auto decoded = percent_decode(rest, false)) return *decoded;
    }
    std::size_t plain = header.find("filename=\"");
    if (plain == std::string_view::npos) return "";
    std::string_view rest = header.substr(plain + 10);
    return std::string(rest.substr(0, rest.find('"')));
}

}  // namespace

std::string_view to_string(web_step::kind k) {
    switch (k) {
        case web_step::kind::login: return "log in";
        case web_step::kind::inbox: return "open the inbox";
        case web_step::kind::send: return "write and send a mail";
        case web_step::kind::read: return "open a mail";
        case web_step::kind::download: return "download an attachment";
        case web_step::kind::mark_unread: return "mark the mail unread";
        case web_step::kind::mark_read: return "mark the mail read";
        case web_step::kind::remove: return "delete the mail";
        case web_step::kind::logout: return "log out";
    }
    return "?";
}

void cookie_jar::take(const response& res) {
    // RFC 6265 5.2: "name=value" up to the first ';', then attributes, names in any case. A
    // Max-Age of zero or less removes the cookie; Expires is not read (the simulated browser
    // has no calendar: the webmail uses Max-Age).
    auto trim = [](std::string_view t) {
        while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.remove_prefix(1);
        while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) t.remove_suffix(1);
        return t;
    };
    auto [first, last] = res.equal_range(beast_http::field::set_cookie);
    for (auto it = first; it != last; ++it) {
        std::string_view value(it->value().data(), it->value().size());
        std::size_t semi = value.find(';');
        std::string_view pair = value.substr(0, semi);
        std::size_t eq = pair.find('=');
        if (eq == std::string_view::npos) continue;
        std::string name(trim(pair.substr(0, eq)));
        if (name.empty()) continue;
        bool remove = false;
        std::string_view attributes = semi == std::string_view::npos ? "" : value.substr(semi + 1);
        while (!attributes.empty()) {
            std::size_t next = attributes.find(';');
            std::string_view attr = trim(attributes.substr(0, next));
            attributes = next == std::string_view::npos ? "" : attributes.substr(next + 1);
            std::size_t aeq = attr.find('=');
            std::string key(attr.substr(0, aeq));
            for (auto& ch : key) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
            if (key != "max-age" || aeq == std::string_view::npos) continue;
            std::string_view number = trim(attr.substr(aeq + 1));
            bool negative = !number.empty() && number.front() == '-';
            if (negative) number.remove_prefix(1);
            bool digits = !number.empty() && number.find_first_not_of("0123456789") == std::string_view::npos;
            if (digits && (negative || number.find_first_not_of('0') == std::string_view::npos))
                remove = true;
        }
        if (remove) cookies.erase(name);
        else cookies[name] = std::string(trim(pair.substr(eq + 1)));
    }
}

std::string cookie_jar::header() const {
    std::string out;
    for (const auto& [name, value] : cookies) out += (out.empty() ? "" : "; ") + name + "=" + value;
    return out;
}

std::vector<page_link> links_on(const std::string& html) {
    static const std::regex anchor(R"re(<a\s[^>]*href="([^"]*)"[^>]*>([\s\S]*?)</a>)re");
    std::vector<page_link> out;
    for (auto it = std::sregex_iterator(html.begin(), html.end(), anchor); it != std::sregex_iterator(); ++it)
        out.push_back({decode_entities((*it)[1].str()), strip_tags((*it)[2].str())});
    return out;
}

std::optional<std::string> input_value(const std::string& html, const std::string& name) {
    // The name as literal text in the pattern, and only as the attribute "name" itself (not
    // data-name).
    std::string literal;
    for (char ch : name) {
        if (std::string_view(R"(\^$.|?*+()[]{}/)").find(ch) != std::string_view::npos) literal += '\\';
        literal += ch;
    }
    std::regex input("<input[^>]*\\sname=\"" + literal + "\"[^>]*value=\"([^\"]*)\"");
    std::smatch m;
    if (!std::regex_search(html, m, input)) return std::nullopt;
    return decode_entities(m[1].str());
}

browser_session::browser_session(browser_job job, cookie_jar& jar, connection_tracer& tracer)
    : job_(std::move(job)), jar_(jar), tracer_(tracer) {}

void browser_session::start() { begin_step(); }

void browser_session::connection_lost() {
    if (!done_) fail("the webmail closed the connection");
}

void browser_session::begin_step() {
    if (step_ >= job_.steps.size()) {
        result_.completed = true;
        done_ = true;
        return;
    }
    const web_step& s = job_.steps[step_];
    phase_ = 0;
    nlohmann::json fields = {{"step", std::string(to_string(s.what))}, {"user", job_.user}};
    if (!s.match.empty()) fields["match"] = s.match;
    tracer_.note("browser.step",
                 fmt::format("{} at the browser: {}{}", job_.user, to_string(s.what),
                             s.match.empty() ? "" : " (\"" + s.match + "\")"),
                 fields, std::nullopt);
    using k = web_step::kind;
    switch (s.what) {
        case k::login: return get("/login");
        case k::inbox: return get("/mailbox");
        case k::send: return get("/compose");
        case k::read: return get("/mailbox");
        case k::download: {
            for (const auto& link : links_on(page_))
                if (link.href.rfind("/part?", 0) == 0 && link.text.find(s.match) != std::string::npos) {
                    shown_url_ = url_;
                    shown_page_ = page_;
                    return get(link.href);
                }
            return fail(fmt::format("no attachment link \"{}\" on the page {}", s.match, url_));
        }
        case k::mark_unread:
        case k::mark_read:
        case k::remove: {
            std::string uid = param_of(url_, "uid");
            if (path_of(url_) != "/message" || uid.empty())
                return fail("this step needs an open mail (a read step before it)");
            std::string action = s.what == k::remove ? "delete" : s.what == k::mark_read ? "read" : "unread";
            std::string folder = param_of(url_, "folder");
            return post("/flag", "application/x-www-form-urlencoded",
                        urlencoded({{"folder", folder.empty() ? "INBOX" : folder}, {"uid", uid},
                                    {"action", action}, {"back", url_}, {"csrf", csrf_on_page()}}));
        }
        case k::logout:
            return post("/logout", "application/x-www-form-urlencoded",
                        urlencoded({{"csrf", csrf_on_page()}}));
    }
}

std::string browser_session::csrf_on_page() const { return input_value(page_, "csrf").value_or(""); }

void browser_session::get(const std::string& target) {
    request req{beast_http::verb::get, target, 11};
    send_request(std::move(req));
}

void browser_session::post(const std::string& target, const std::string& content_type, std::string body) {
    request req{beast_http::verb::post, target, 11};
    req.set(beast_http::field::content_type, content_type);
    req.body() = std::move(body);
    send_request(std::move(req));
}

void browser_session::send_request(request req) {
    req.set(beast_http::field::host, job_.site);
    req.set(beast_http::field::user_agent, "maillab-browser/1 (simulated)");
    req.set(beast_http::field::accept, "text/html,*/*");
    req.set(beast_http::field::accept_language, job_.lang == "zh" ? "zh-CN,zh;q=0.9" : "en");
    std::string cookies = jar_.header();
    if (!cookies.empty()) req.set(beast_http::field::cookie, cookies);
    req.keep_alive(true);
    req.prepare_payload();
    if (req.method() == beast_http::verb::get) url_ = std::string(req.target());
    last_request_ = fmt::format("{} {}", std::string(req.method_string()), std::string(req.target()));
    out_ += serialize(req);
}

void browser_session::receive(std::string_view bytes) {
    in_.append(bytes);
    while (!in_.empty() && !done_) {
        if (!parser_) {
            parser_ = std::make_unique<beast_http::response_parser<beast_http::string_body>>();
            parser_->body_limit(64 * 1024 * 1024);
            parser_->eager(true);
        }
        boost::beast::error_code ec;
        std::size_t used = parser_->put(boost::asio::buffer(in_.data(), in_.size()), ec);
        in_.erase(0, used);
        if (ec == beast_http::error::need_more) return;
        if (ec) return fail("the webmail's answer could not be read: " + ec.message());
        if (!parser_->is_done()) {
            if (used == 0) return;
            continue;
        }
        response res = parser_->release();
        parser_.reset();
        on_response(std::move(res));
    }
}

void browser_session::on_response(response res) {
    jar_.take(res);
    unsigned status = res.result_int();
    if (status == 301 || status == 302 || status == 303) {
        if (++redirects_ > 5) return fail("more than 5 redirects");
        std::string location(res[beast_http::field::location]);
        return get(location);
    }
    redirects_ = 0;
    last_ = res;
    page_ = res.body();
    page_loaded(status);
}

void browser_session::page_loaded(unsigned status) {
    const web_step& s = job_.steps[step_];
    using k = web_step::kind;
    std::string path = path_of(url_);
    auto expect_ok = [&]() {
        if (status != 200) {
            fail(fmt::format("{} answered {}", last_request_, status));
            return false;
        }
        return true;
    };
    switch (s.what) {
        case k::login:
            if (phase_ == 0) {
                if (!expect_ok()) return;
                phase_ = 1;
                return post("/login", "application/x-www-form-urlencoded",
                            urlencoded({{"user", job_.user}, {"password", job_.password},
                                        {"csrf", csrf_on_page()}}));
            }
            if (path != "/mailbox") return fail("the log in was refused (still on " + url_ + ")");
            if (!expect_ok()) return;
            return step_done();
        case k::send: {
            if (phase_ == 0) {
                if (!expect_ok()) return;
                if (path != "/compose") return fail("not logged in (the compose page led to " + url_ + ")");
                phase_ = 1;
                std::vector<std::pair<std::string, std::string>> fields = {
                    {"to", s.to}, {"cc", s.cc}, {"subject", s.subject}, {"body", s.text},
                    {"in_reply_to", ""}, {"references", ""}};
                if (!s.forged) fields.insert(fields.begin(), {"csrf", csrf_on_page()});
                auto [type, body] = multipart(fields, s.attachments);
                return post("/send", type, std::move(body));
            }
            if (status != 200 || path != "/mailbox")
                return fail(fmt::format("the mail was not sent: {} answered {}", last_request_, status));
            return step_done();
        }
        case k::read:
            if (phase_ == 0) {
                if (path != "/mailbox") return fail("not logged in (the inbox led to " + url_ + ")");
                if (!expect_ok()) return;
                for (const auto& link : links_on(page_))
                    if (link.href.rfind("/message?", 0) == 0 &&
                        link.text.find(s.match) != std::string::npos) {
                        phase_ = 1;
                        return get(link.href);
                    }
                return fail(fmt::format("no mail \"{}\" in the inbox", s.match));
            }
            if (!expect_ok()) return;
            return step_done();
        case k::download: {
            if (!expect_ok()) return;
            browser_download d;
            d.filename = disposition_filename(std::string(last_[beast_http::field::content_disposition]));
            d.content_type = std::string(last_[beast_http::field::content_type]);
            d.bytes = page_;
            result_.downloads.push_back(std::move(d));
            // The page on screen is still the message: the download went to a file.
            url_ = shown_url_;
            page_ = shown_page_;
            return step_done();
        }
        case k::logout:
            if (path != "/login") return fail("still logged in after log out (" + url_ + ")");
            return step_done();
        case k::inbox:
            if (path != "/mailbox") return fail("not logged in (the inbox led to " + url_ + ")");
            if (!expect_ok()) return;
            return step_done();
        case k::mark_read:
        case k::mark_unread:
        case k::remove:
            if (!expect_ok()) return;
            return step_done();
    }
}

void browser_session::step_done() {
    ++result_.steps_done;
    ++step_;
    begin_step();
}

void browser_session::fail(std::string why) {
    if (done_) return;
    result_.error = fmt::format("browser step {} ({}): {}", step_ + 1,
                                step_ < job_.steps.size() ? to_string(job_.steps[step_].what) : "",
                                why);
    tracer_.note("browser.step", "the browser gave up: " + result_.error,
                 {{"step", "failed"}, {"error", result_.error}}, std::nullopt);
    done_ = true;
}

}  // namespace maillab::http
