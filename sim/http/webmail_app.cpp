// The webmail's front door: routing, language, sessions, CSRF, log in and log out, and the
// headers every answer carries. Reading is in webmail_reading.cpp, sending in
// webmail_sending.cpp.
#include "sim/http/webmail_app.hpp"

#include <cctype>

#include <fmt/format.h>

#include "sim/http/webmail_call.hpp"

namespace maillab::http::webmail {

namespace {

constexpr std::string_view language_cookie = "ml_lang";

// No script may run on any page: the pages have none, and a mail's script must not either.
// Images only from the webmail itself (a mail's inline parts) or data: URLs; no plugins, no
// framing by other sites, forms only to the webmail. Inline styles are allowed because the
// mail's frame (srcdoc) inherits this policy and the sanitizer keeps harmless style
// attributes (a mail's colours); CSS cannot run script.
constexpr std::string_view content_security_policy =
    "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'";

std::string cookie_header(const request& req) {
    auto it = req.find(beast_http::field::cookie);
    return it == req.end() ? std::string{} : std::string(it->value());
}

language language_of(const request& req, const form_data& query, std::string& chosen) {
    std::string asked = query.value("lang");
    if (asked == "en" || asked == "zh") {
        chosen = asked;
        return asked == "zh" ? language::zh : language::en;
    }
    if (auto kept = cookie_value(cookie_header(req), language_cookie)) {
        if (*kept == "zh") return language::zh;
        if (*kept == "en") return language::en;
    }
    // Accept-Language: "zh-CN,zh;q=0.9,en;q=0.8" -> the first listed language wins.
    auto it = req.find(beast_http::field::accept_language);
    if (it != req.end() && it->value().substr(0, 2) == "zh") return language::zh;
    return language::en;
}

std::string set_cookie(std::string_view name, std::string_view value, bool remove = false) {
    // HttpOnly: no script can read it. SameSite=Strict: a request started from another site
    // does not carry it, the first defence against CSRF (the token is the second).
    return fmt::format("{}={}; Path=/; HttpOnly; SameSite=Strict{}", name, value,
                       remove ? "; Max-Age=0" : "");
}

}  // namespace

std::uint64_t webmail_app::call::note(std::string_view key, std::string text,
                                      nlohmann::json fields, std::optional<std::uint64_t> cause) {
    event e;
    e.kind = event_kind::note;
    e.proto = "http";
    e.conn = conn;
    e.from = server_host;
    e.text = std::move(text);
    e.explain = std::string(key);
    e.fields = std::move(fields);
    e.cause = cause ? cause : std::optional<std::uint64_t>(request_seq);
    return trace_ptr->append(std::move(e));
}

void webmail_app::call::answer(response res) {
    if (answered) return;
    answered = true;
    res.version(11);
    res.set(beast_http::field::server, "maillab-webmail");
    if (!res.count("Content-Security-Policy"))
        res.set("Content-Security-Policy", content_security_policy);
    res.set("X-Content-Type-Options", "nosniff");
    res.set("X-Frame-Options", "DENY");
    res.set("Referrer-Policy", "no-referrer");
    if (!res.count(beast_http::field::cache_control))
        res.set(beast_http::field::cache_control, "no-store");
    if (!lang_cookie.empty()) res.insert(beast_http::field::set_cookie, set_cookie(language_cookie, lang_cookie));
    res.keep_alive(req.keep_alive());
    res.prepare_payload();
    respond(std::move(res));
}

void webmail_app::call::html(unsigned status, std::string body) {
    response res{static_cast<beast_http::status>(status), 11};
    res.set(beast_http::field::content_type, "text/html; charset=utf-8");
    res.body() = std::move(body);
    answer(std::move(res));
}

void webmail_app::call::redirect(const std::string& location) {
    // 303 See Other after every POST: reloading the page that follows does not post again.
    response res{beast_http::status::see_other, 11};
    res.set(beast_http::field::location, location);
    res.set(beast_http::field::content_type, "text/plain; charset=utf-8");
    res.body() = "See " + location + "\n";
    answer(std::move(res));
}

void webmail_app::call::error(unsigned status, const std::string& what) {
    html(status, error_page(lang, status, what));
}

bool breaks_header(std::string_view value) {
    return value.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos;
}

std::string local_url(std::string_view url, std::string_view fallback) {
    // "//evil.example/x" and "/\evil.example" would leave the site in a browser.
    if (url.size() < 1 || url[0] != '/' || (url.size() > 1 && (url[1] == '/' || url[1] == '\\')) ||
        breaks_header(url))
        return std::string(fallback);
    return std::string(url);
}

std::string url_with(std::string_view path,
                     std::initializer_list<std::pair<std::string_view, std::string>> params) {
    std::string out(path);
    char sep = '?';
    for (const auto& [name, value] : params) {
        out += sep;
        out += name;
        out += '=';
        out += percent_encode(value);
        sep = '&';
    }
    return out;
}

std::string folder_param(const form_data& data) {
    std::string folder = data.value("folder");
    if (folder.empty()) return "INBOX";
    return folder;
}

std::string imap_quoted(std::string_view text) {
    std::string out = "\"";
    for (char ch : text) {
        if (ch == '"' || ch == '\\') out += '\\';
        out += ch;
    }
    out += '"';
    return out;
}

namespace {

// Cookies belong to a host name, not to a port (RFC 6265 8.5): two webmails served on
// 127.0.0.1 under `maillab serve` would overwrite each other's session in one browser. Each
// webmail's cookies carry its own name: ml_session_webmail_a_example.
std::string cookie_name(std::string_view base, std::string_view host) {
    std::string name(base);
    name += '_';
    for (char ch : host) name += std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
    return name;
}

}  // namespace

webmail_app::webmail_app(webmail_config config, mail_backend& backend)
    : config_(std::move(config)),
      backend_(backend),
      sessions_(config_.idle_timeout_us),
      session_cookie_(cookie_name("ml_session", backend.host_name())),
      pre_session_cookie_(cookie_name("ml_pre", backend.host_name())) {}

webmail_app::~webmail_app() = default;

void webmail_app::handle(const request& req, std::uint64_t request_seq, connection_tracer& tracer,
                         std::function<void(response)> respond) {
    auto c = std::make_shared<call>();
    c->req = req;
    c->request_seq = request_seq;
    c->trace_ptr = &tracer.trace_ref();
    c->conn = tracer.conn();
    c->server_host = tracer.local_host();
    c->browser_host = tracer.peer_host();
    c->respond = std::move(respond);
    std::string target(req.target());
    c->path = path_of(target);
    c->query = parse_query(target);
    c->lang = language_of(req, c->query, c->lang_cookie);
    if (req.method() == beast_http::verb::post) {
        auto type = req.find(beast_http::field::content_type);
        std::string content_type = type == req.end() ? std::string{} : std::string(type->value());
        c->form = parse_form(content_type, req.body());
        if (!c->form.error.empty())
            return c->error(400, ui(c->lang, "The form could not be read: ") + c->form.error);
    }
    route(c);
}

void webmail_app::route(const call_ptr& c) {
    using beast_http::verb;
    verb method = c->req.method();
    const std::string& p = c->path;
    struct entry {
        std::string_view path;
        verb method;
        bool needs_session;
        void (webmail_app::*run)(const call_ptr&);
    };
    static const entry routes[] = {
        {"/login", verb::post, false, &webmail_app::post_login},
        {"/logout", verb::post, true, &webmail_app::post_logout},
        {"/mailbox", verb::get, true, &webmail_app::get_mailbox},
        {"/message", verb::get, true, &webmail_app::get_message},
        {"/part", verb::get, true, &webmail_app::get_part},
        {"/flag", verb::post, true, &webmail_app::post_flag},
        {"/compose", verb::get, true, &webmail_app::get_compose},
        {"/send", verb::post, true, &webmail_app::post_send},
    };
    if (p == "/style.css" && method == verb::get) {
        response res{beast_http::status::ok, 11};
        res.set(beast_http::field::content_type, "text/css; charset=utf-8");
        res.set(beast_http::field::cache_control, "max-age=3600");
        res.body() = stylesheet();
        return c->answer(std::move(res));
    }
    if (p == "/" && method == verb::get) {
        web_session* s = nullptr;
        auto id = cookie_value(cookie_header(c->req), session_cookie_);
        bool in = id && sessions_.find(*id, backend_.now_us(), &s) == session_table::lookup::found;
        return c->redirect(in ? "/mailbox" : "/login");
    }
    if (p == "/login" && method == verb::get) return get_login(c, "", "");
    for (const entry& e : routes) {
        if (e.path != p) continue;
        if (e.method != method) {
            response res{beast_http::status::method_not_allowed, 11};
            res.set(beast_http::field::allow, std::string(beast_http::to_string(e.method)));
            res.set(beast_http::field::content_type, "text/html; charset=utf-8");
            res.body() = error_page(c->lang, 405, ui(c->lang, "This address does not take that method."));
            return c->answer(std::move(res));
        }
        if (e.needs_session && !require_session(c)) return;
        if (method == verb::post && !check_csrf(c)) return;
        return (this->*e.run)(c);
    }
    c->error(404, ui(c->lang, "There is no such page."));
}

bool webmail_app::require_session(const call_ptr& c) {
    auto id = cookie_value(cookie_header(c->req), session_cookie_);
    web_session* s = nullptr;
    session_table::lookup found =
        id ? sessions_.find(*id, backend_.now_us(), &s) : session_table::lookup::unknown;
    if (found == session_table::lookup::found) {
        c->session_id = s->id;
        c->user = s->user;
        c->password = s->password;
        c->csrf = s->csrf;
        return true;
    }
    if (found == session_table::lookup::expired) {
        c->note("webmail.session.expired",
                config_.idle_timeout_us >= 60'000'000
                    ? fmt::format("the session had no request for {} minutes: it has ended",
                                  config_.idle_timeout_us / 60'000'000)
                    : fmt::format("the session had no request for {:g} seconds: it has ended",
                                  config_.idle_timeout_us / 1e6),
                {{"minutes", config_.idle_timeout_us / 60'000'000}});
        c->redirect("/login?expired=1");
        return false;
    }
    c->redirect("/login");
    return false;
}

bool webmail_app::check_csrf(const call_ptr& c) {
    std::string expected = c->csrf;
    if (c->path == "/login")
        expected = cookie_value(cookie_header(c->req), pre_session_cookie_).value_or("");
    if (same_token(c->form.value("csrf"), expected)) return true;
    c->note("webmail.csrf.refused",
            fmt::format("POST {} without the right CSRF token: refused", c->path),
            {{"path", c->path}, {"token_present", c->form.find("csrf") != nullptr}});
    c->error(403, ui(c->lang, "The form has expired. Please try again."));
    return false;
}

void webmail_app::get_login(const call_ptr& c, const std::string& error, const std::string& user) {
    // The login form's CSRF token lives in a cookie of its own until there is a session: a
    // form posted from another site cannot know it.
    std::string token = cookie_value(cookie_header(c->req), pre_session_cookie_).value_or("");
    bool fresh = token.size() < 16;
    if (fresh) token = backend_.random_token();
    std::string message = error;
    if (message.empty() && c->query.value("expired") == "1")
        message = ui(c->lang, "Your session has expired. Please log in again.");
    if (message.empty() && c->query.value("bye") == "1") message = ui(c->lang, "Logged out.");
    response res{error.empty() ? beast_http::status::ok : beast_http::status::forbidden, 11};
    res.set(beast_http::field::content_type, "text/html; charset=utf-8");
    if (fresh) res.insert(beast_http::field::set_cookie, set_cookie(pre_session_cookie_, token));
    res.body() = login_page(c->lang, token, user, message);
    c->answer(std::move(res));
}

void webmail_app::post_login(const call_ptr& c) {
    std::string user = c->form.value("user");
    std::string password = c->form.value("password");
    if (user.empty() || breaks_header(user) || breaks_header(password))
        return get_login(c, ui(c->lang, "Wrong user name or password."), user);
    // The webmail sends as the user: it needs the whole address for MAIL FROM and From:.
    if (user.find('@') == std::string::npos)
        return get_login(c, ui(c->lang, "Log in with your whole address, like bob@example.org."), user);
    c->user = user;
    c->password = password;
    // The password is checked where it lives: the webmail logs in to IMAP with it.
    imap::command_job job;
    imap_leg(c, std::move(job), "check the password", [this, c](const imap::command_result& r) {
        if (!r.logged_in) {
            if (r.error.find("login refused") == std::string::npos) return fail_leg(c, r.error);
            c->note("webmail.login.failed", fmt::format("{} could not log in: {}", c->user, r.error),
                    {{"user", c->user}});
            return get_login(c, ui(c->lang, "Wrong user name or password."), c->user);
        }
        std::string id = backend_.random_token();
        web_session& s =
            sessions_.create(id, c->user, c->password, backend_.random_token(), backend_.now_us());
        c->note("webmail.login.ok",
                fmt::format("{} logged in: new session, cookie {} (HttpOnly, SameSite=Strict)",
                            c->user, session_cookie_),
                {{"user", c->user}});
        response res{beast_http::status::see_other, 11};
        res.set(beast_http::field::location, "/mailbox");
        res.insert(beast_http::field::set_cookie, set_cookie(session_cookie_, s.id));
        res.insert(beast_http::field::set_cookie, set_cookie(pre_session_cookie_, "", true));
        res.set(beast_http::field::content_type, "text/plain; charset=utf-8");
        res.body() = "See /mailbox\n";
        c->answer(std::move(res));
    });
}

void webmail_app::post_logout(const call_ptr& c) {
    sessions_.remove(c->session_id);
    c->note("webmail.logout", fmt::format("{} logged out: the session is gone", c->user),
            {{"user", c->user}});
    response res{beast_http::status::see_other, 11};
    res.set(beast_http::field::location, "/login?bye=1");
    res.insert(beast_http::field::set_cookie, set_cookie(session_cookie_, "", true));
    res.set(beast_http::field::content_type, "text/plain; charset=utf-8");
    res.body() = "See /login?bye=1\n";
    c->answer(std::move(res));
}

void webmail_app::imap_leg(const call_ptr& c, imap::command_job job, const std::string& purpose,
                           mail_backend::imap_done done) {
    job.user = c->user;
    job.password = c->password;
    job.use_starttls = config_.use_starttls;
    std::uint64_t seq = c->note(
        "webmail.leg.imap",
        fmt::format("the webmail opens its own IMAP connection to {} as {} to {}",
                    backend_.imap_server(), c->user, purpose),
        {{"server", backend_.imap_server()}, {"user", c->user}, {"purpose", purpose}});
    backend_.run_imap(std::move(job), seq, std::move(done));
}

page_context webmail_app::context_for(const call_ptr& c, std::vector<std::string> folders) {
    page_context ctx;
    ctx.lang = c->lang;
    ctx.user = c->user;
    ctx.csrf = c->csrf;
    ctx.folders = std::move(folders);
    ctx.self_url = std::string(c->req.target());
    web_session* s = nullptr;
    if (sessions_.find(c->session_id, backend_.now_us(), &s) == session_table::lookup::found)
        ctx.notice = std::exchange(s->notice, {});
    return ctx;
}

void webmail_app::fail_leg(const call_ptr& c, const std::string& what) {
    c->error(502, ui(c->lang, "The mail server did not answer as expected: ") + what);
}

}  // namespace maillab::http::webmail
