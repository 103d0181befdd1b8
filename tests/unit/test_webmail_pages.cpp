#include <doctest/doctest.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "sim/http/html_sanitizer.hpp"
#include "sim/http/webmail_pages.hpp"

using namespace maillab;
using namespace maillab::http::webmail;

namespace {

// ---- reading the pages back ----------------------------------------------------------------

std::string lowered(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

bool contains(std::string_view haystack, std::string_view needle) {
    return haystack.find(needle) != std::string_view::npos;
}

std::size_t count(std::string_view haystack, std::string_view needle) {
    std::size_t n = 0;
    for (std::size_t pos = haystack.find(needle); pos != std::string_view::npos;
         pos = haystack.find(needle, pos + needle.size()))
        ++n;
    return n;
}

// A start tag as a browser tokenizes it: name and attributes (values still escaped). Enough for
// these pages, which quote every attribute value and escape every '<' of text.
struct tag {
    std::string name;
    std::vector<std::pair<std::string, std::string>> attributes;
    const std::string* find(std::string_view attribute) const {
        for (const auto& [n, v] : attributes)
            if (n == attribute) return &v;
        return nullptr;
    }
};

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

std::vector<tag> start_tags(std::string_view html) {
    std::vector<tag> tags;
    std::size_t pos = 0;
    while ((pos = html.find('<', pos)) != std::string_view::npos) {
        ++pos;
        if (pos >= html.size() || html[pos] == '/' || html[pos] == '!') continue;
        tag t;
        while (pos < html.size() && !is_space(html[pos]) && html[pos] != '>' && html[pos] != '/')
            t.name += static_cast<char>(std::tolower(static_cast<unsigned char>(html[pos++])));
        for (;;) {
            while (pos < html.size() && (is_space(html[pos]) || html[pos] == '/')) ++pos;
            if (pos >= html.size() || html[pos] == '>') break;
            std::string name, value;
            while (pos < html.size() && !is_space(html[pos]) && html[pos] != '=' &&
                   html[pos] != '>')
                name += static_cast<char>(std::tolower(static_cast<unsigned char>(html[pos++])));
            if (pos < html.size() && html[pos] == '=') {
                ++pos;
                if (pos < html.size() && (html[pos] == '"' || html[pos] == '\'')) {
                    char quote = html[pos++];
                    std::size_t end = html.find(quote, pos);
                    REQUIRE(end != std::string_view::npos);
                    value = std::string(html.substr(pos, end - pos));
                    pos = end + 1;
                } else {
                    while (pos < html.size() && !is_space(html[pos]) && html[pos] != '>')
                        value += html[pos++];
                }
            }
            t.attributes.emplace_back(name, value);
        }
        tags.push_back(std::move(t));
    }
    return tags;
}

std::vector<tag> tags_named(std::string_view html, std::string_view name) {
    std::vector<tag> out;
    for (tag& t : start_tags(html))
        if (t.name == name) out.push_back(std::move(t));
    return out;
}

std::string unescape(std::string_view text) {
    static const std::map<std::string, char> entities = {
        {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&#39;", '\''}};
    std::string out;
    for (std::size_t i = 0; i < text.size();) {
        bool replaced = false;
        for (const auto& [entity, c] : entities)
            if (text.substr(i, entity.size()) == entity) {
                out += c;
                i += entity.size();
                replaced = true;
                break;
            }
        if (!replaced) out += text[i++];
    }
    return out;
}

// Every href on the page, unescaped (as the browser follows it).
std::vector<std::string> hrefs(std::string_view html) {
    std::vector<std::string> out;
    for (const tag& t : start_tags(html))
        if (const std::string* href = t.find("href")) out.push_back(unescape(*href));
    return out;
}

bool has_href(std::string_view html, std::string_view url) {
    for (const std::string& h : hrefs(html))
        if (h == url) return true;
    return false;
}

// Every <form>...</form> of the page, whole.
std::vector<std::string> forms(std::string_view html) {
    std::vector<std::string> out;
    for (std::size_t pos = html.find("<form"); pos != std::string_view::npos;
         pos = html.find("<form", pos + 1)) {
        std::size_t end = html.find("</form>", pos);
        REQUIRE(end != std::string_view::npos);
        out.emplace_back(html.substr(pos, end + 7 - pos));
    }
    return out;
}

// The value of the hidden (or other) input `name` in a form, unescaped.
std::string field(std::string_view form, std::string_view name) {
    for (const tag& t : start_tags(form))
        if (const std::string* n = t.find("name"); n && *n == name && t.find("value"))
            return unescape(*t.find("value"));
    return "<absent>";
}

// ---- the properties every page must have ---------------------------------------------------

constexpr std::string_view token = "tok+/=\"<en>";  // escaping the token must not break the form

void check_page(const std::string& html, language lang, std::string_view csrf = token) {
    CAPTURE(html);
    CHECK(html.rfind("<!DOCTYPE html>\n", 0) == 0);
    CHECK(contains(html, lang == language::zh ? "<html lang=\"zh-CN\">" : "<html lang=\"en\">"));
    CHECK(contains(html, "<meta charset=\"utf-8\">"));
    CHECK(contains(html, "<meta name=\"viewport\""));
    CHECK(count(html, "<title>") == 1);
    CHECK(contains(html, "<link rel=\"stylesheet\" href=\"/style.css\">"));

    // No script, no inline style, no event handler, no external resource.
    std::string low = lowered(html);
    CHECK_FALSE(contains(low, "<script"));
    CHECK_FALSE(contains(low, "<style"));
    CHECK_FALSE(contains(low, "javascript:"));
    for (const tag& t : start_tags(html)) {
        CAPTURE(t.name);
        CHECK(t.name != "script");
        CHECK(t.name != "style");
        for (const auto& attribute : t.attributes) {
            // Named references, not a structured binding: CAPTURE and CHECK are lambdas, and
            // clang before 16 cannot capture a binding (the sanitizer build uses clang 14).
            const auto& name = attribute.first;
            const auto& value = attribute.second;
            CAPTURE(name);
            CHECK(name.rfind("on", 0) != 0);
            CHECK(name != "style");
            if (name == "href" || name == "src" || name == "action") {
                // Every URL stays on this site (the empty icon is inline data, so the browser
                // does not ask for /favicon.ico).
                CHECK((value.rfind("/", 0) == 0 || value == "data:,"));
                CHECK(value.rfind("//", 0) != 0);
            }
        }
    }

    // Every form is a POST with the CSRF token, as many tokens as forms.
    std::vector<std::string> all = forms(html);
    CHECK(count(html, "<form") == all.size());
    std::string csrf_input =
        "<input type=\"hidden\" name=\"csrf\" value=\"" + http::html_escape(csrf) + "\">";
    CHECK(count(html, "name=\"csrf\"") == all.size());
    CHECK(count(html, csrf_input) == all.size());
    for (const std::string& form : all) {
        CAPTURE(form);
        CHECK(contains(form, "method=\"post\""));
        CHECK(field(form, "csrf") == csrf);
    }
}

// ---- view models with hostile text -----------------------------------------------------------

const std::string evil_subject = "<script>alert(1)</script>";
const std::string evil_from = "\"Eve \\\" O'Hara\" <eve@evil.example> onmouseover=\"x\"";
const std::string escaped_subject = "&lt;script&gt;alert(1)&lt;/script&gt;";
const std::string escaped_from =
    "&quot;Eve \\&quot; O&#39;Hara&quot; &lt;eve@evil.example&gt; onmouseover=&quot;x&quot;";

page_context context(language lang = language::en, std::string folder = "INBOX") {
    page_context ctx;
    ctx.lang = lang;
    ctx.user = "alice@a.example";
    ctx.csrf = std::string(token);
    ctx.folders = {"INBOX", "Sent", "Trash", "Drafts", "Lab 2/报告"};
    ctx.current_folder = std::move(folder);
    ctx.self_url = "/mailbox?folder=INBOX&page=2";
    return ctx;
}

mailbox_view three_rows() {
    mailbox_view view;
    view.rows = {
        {12, evil_from, evil_subject, "2025-01-06 09:00", 12 * 1024, false, false, true},
        {11, "Bob <bob@b.example>", "", "2025-01-05 18:30", 500, true, true, false},
        {10, "", "Report", "2025-01-04 08:00", 3 * 1024 * 1024, true, false, false},
    };
    view.total = 53;
    view.unseen = 3;
    view.page = 2;
    view.pages = 3;
    return view;
}

message_view a_message() {
    message_view view;
    view.folder = "Lab 2/报告";
    view.uid = 7;
    view.from = evil_from;
    view.to = "alice@a.example";
    view.cc = "carol@c.example";
    view.date = "2025-01-06 09:00";
    view.subject = evil_subject;
    view.message_id = "<1@evil.example>";
    view.seen = true;
    view.text = "Tom & Jerry <tom@x>\n  indented";
    view.attachments = {{"2", "report Q1.pdf", "application/pdf", 12 * 1024},
                        {"1.2", "", "image/png", 1536},
                        {"3", "<b>x\".txt", "text/plain", 10}};
    view.problems = {"boundary \"<b>\" never closed"};
    return view;
}

}  // namespace

TEST_CASE("every page: escaped text, no script, a CSRF token in every form (en and zh)") {
    for (language lang : {language::en, language::zh}) {
        CAPTURE(static_cast<int>(lang));
        page_context ctx = context(lang);
        ctx.user = evil_from;
        ctx.notice = evil_subject;

        std::string mailbox = mailbox_page(ctx, three_rows());
        check_page(mailbox, lang);
        CHECK(contains(mailbox, escaped_subject));
        CHECK(contains(mailbox, escaped_from));

        std::string message = message_page(ctx, a_message());
        check_page(message, lang);
        CHECK(contains(message, "<h1 class=\"subject\">" + escaped_subject + "</h1>"));
        CHECK(contains(message, "<dd>" + escaped_from + "</dd>"));
        CHECK(contains(message, "<title>" + escaped_subject));
        CHECK(contains(message, "&lt;1@evil.example&gt;"));

        compose_view draft{.to = evil_from,
                           .cc = evil_from,
                           .subject = evil_subject,
                           .body = evil_subject + "\n</textarea>",
                           .in_reply_to = "<1@x>\"",
                           .references = "<0@x> <1@x>\"",
                           .error = evil_subject};
        std::string compose = compose_page(ctx, draft);
        check_page(compose, lang);
        CHECK(field(compose, "to") == evil_from);
        CHECK(field(compose, "subject") == evil_subject);
        CHECK(field(compose, "in_reply_to") == "<1@x>\"");
        CHECK(contains(compose, "<p class=\"error\" role=\"alert\">" + escaped_subject));
        CHECK(count(compose, "</textarea>") == 1);

        std::string login = login_page(lang, std::string(token), evil_from, evil_subject);
        check_page(login, lang);
        CHECK(field(login, "user") == evil_from);
        CHECK(contains(login, escaped_subject));

        std::string error = error_page(lang, 404, evil_subject);
        check_page(error, lang);
        CHECK(contains(error, escaped_subject));
        CHECK(forms(error).empty());

        // The raw text never appears, in any page.
        for (const std::string* page : {&mailbox, &message, &compose, &login, &error}) {
            CHECK_FALSE(contains(*page, evil_subject));
            CHECK_FALSE(contains(*page, evil_from));
        }
    }
}

TEST_CASE("the frame: user, Compose, Log out as a POST form, folders, notice") {
    page_context ctx = context();
    ctx.notice = "Mail sent.";
    std::string html = mailbox_page(ctx, three_rows());
    CHECK(contains(html, "alice@a.example"));
    CHECK(has_href(html, "/compose"));
    std::vector<std::string> all = forms(html);
    REQUIRE_FALSE(all.empty());
    CHECK(contains(all.front(), "action=\"/logout\""));
    CHECK(contains(all.front(), ">Log out</button>"));
    CHECK(contains(html, "<p class=\"notice\" role=\"status\">Mail sent.</p>"));
    // Folders link by their IMAP name, the current one marked.
    CHECK(contains(html,
                   "<a href=\"/mailbox?folder=INBOX\" class=\"current\" "
                   "aria-current=\"page\">Inbox</a>"));
    CHECK(has_href(html, "/mailbox?folder=Sent"));
    CHECK(has_href(html, "/mailbox?folder=Lab%202%2F%E6%8A%A5%E5%91%8A"));
    CHECK(contains(html, ">Lab 2/报告</a>"));
}

TEST_CASE("mailbox page: rows, flags, sizes, row forms, heading") {
    page_context ctx = context();
    std::string html = mailbox_page(ctx, three_rows());
    CHECK(contains(html, "<h1>Inbox <span class=\"unseen\">3 unread</span></h1>"));
    CHECK(contains(html, "53 messages"));
    CHECK(count(html, "<tr class=\"unread\">") == 1);
    CHECK(count(html, "<tr class=\"read\">") == 2);
    CHECK(contains(html, ">Unread</span>"));
    CHECK(contains(html, ">Answered</span>"));
    CHECK(contains(html, ">Flagged</span>"));
    CHECK(has_href(html, "/message?folder=INBOX&uid=12"));
    CHECK(has_href(html, "/message?folder=INBOX&uid=10"));
    CHECK(contains(html, ">(no subject)</a>"));
    CHECK(contains(html, ">(unknown sender)</td>"));
    CHECK(contains(html, "<td class=\"size\">12 KB</td>"));
    CHECK(contains(html, "<td class=\"size\">500 B</td>"));
    CHECK(contains(html, "<td class=\"size\">3 MB</td>"));

    // Per row: read or unread, and delete; each back to this page of this folder.
    std::vector<std::string> all = forms(html);
    REQUIRE(all.size() == 1 + 2 * 3);
    std::vector<std::string> actions;
    for (std::size_t i = 1; i < all.size(); ++i) {
        CAPTURE(all[i]);
        CHECK(contains(all[i], "action=\"/flag\""));
        CHECK(field(all[i], "folder") == "INBOX");
        CHECK(field(all[i], "back") == "/mailbox?folder=INBOX&page=2");
        actions.push_back(field(all[i], "action") + " " + field(all[i], "uid"));
    }
    CHECK(actions == std::vector<std::string>{"read 12", "delete 12", "unread 11", "delete 11",
                                              "unread 10", "delete 10"});
}

TEST_CASE("mailbox page: paging links") {
    page_context ctx = context(language::en, "Lab 2/报告");
    mailbox_view view = three_rows();
    std::string middle = mailbox_page(ctx, view);
    CHECK(contains(middle, "Page 2 of 3"));
    CHECK(has_href(middle, "/mailbox?folder=Lab%202%2F%E6%8A%A5%E5%91%8A&page=1"));
    CHECK(has_href(middle, "/mailbox?folder=Lab%202%2F%E6%8A%A5%E5%91%8A&page=3"));
    CHECK(contains(middle, "rel=\"prev\""));
    CHECK(contains(middle, "rel=\"next\""));

    view.page = 1;
    std::string first = mailbox_page(ctx, view);
    CHECK(contains(first, "Page 1 of 3"));
    CHECK_FALSE(contains(first, "rel=\"prev\""));
    CHECK(has_href(first, "/mailbox?folder=Lab%202%2F%E6%8A%A5%E5%91%8A&page=2"));

    view.page = 3;
    std::string last = mailbox_page(ctx, view);
    CHECK_FALSE(contains(last, "rel=\"next\""));
    CHECK(has_href(last, "/mailbox?folder=Lab%202%2F%E6%8A%A5%E5%91%8A&page=2"));

    ctx.lang = language::zh;
    view.page = 2;
    CHECK(contains(mailbox_page(ctx, view), "第 2 页，共 3 页"));
}

TEST_CASE("mailbox page: an empty folder says so") {
    mailbox_view empty;
    std::string html = mailbox_page(context(), empty);
    CHECK(contains(html, "<p class=\"empty\">No messages</p>"));
    CHECK_FALSE(contains(html, "<table"));
    CHECK_FALSE(contains(html, "class=\"unseen\""));
    std::string zh = mailbox_page(context(language::zh), empty);
    CHECK(contains(zh, "<p class=\"empty\">没有邮件</p>"));
}

TEST_CASE("message page: headers, text, buttons") {
    page_context ctx = context(language::en, "Lab 2/报告");
    message_view view = a_message();
    std::string html = message_page(ctx, view);
    for (std::string_view header : {"From", "To", "Cc", "Date", "Subject", "Message-ID"})
        CHECK(contains(html, "<dt>" + std::string(header) + "</dt>"));
    CHECK(
        contains(html, "<pre class=\"mail-text\">Tom &amp; Jerry &lt;tom@x&gt;\n  indented</pre>"));
    CHECK_FALSE(contains(html, "<iframe"));
    CHECK(has_href(html, "/compose?reply=7&folder=Lab%202%2F%E6%8A%A5%E5%91%8A"));
    CHECK(has_href(html, "/mailbox?folder=Lab%202%2F%E6%8A%A5%E5%91%8A"));
    CHECK(contains(html, "<li>boundary &quot;&lt;b&gt;&quot; never closed</li>"));

    // Seen: Mark unread goes back to the list (showing the mail again would set \Seen again),
    // Delete too.
    std::vector<std::string> all = forms(html);
    REQUIRE(all.size() == 3);
    CHECK(field(all[1], "action") == "unread");
    CHECK(field(all[1], "uid") == "7");
    CHECK(field(all[1], "folder") == "Lab 2/报告");
    CHECK(field(all[1], "back") == "/mailbox?folder=Lab%202%2F%E6%8A%A5%E5%91%8A");
    CHECK(field(all[2], "action") == "delete");
    CHECK(field(all[2], "back") == "/mailbox?folder=Lab%202%2F%E6%8A%A5%E5%91%8A");

    // Unseen: Mark read comes back to the message.
    view.seen = false;
    all = forms(message_page(ctx, view));
    REQUIRE(all.size() == 3);
    CHECK(field(all[1], "action") == "read");
    CHECK(field(all[1], "back") == "/message?folder=Lab%202%2F%E6%8A%A5%E5%91%8A&uid=7");

    // No Cc, no Message-ID: no empty lines for them.
    view.cc.clear();
    view.message_id.clear();
    std::string bare = message_page(ctx, view);
    CHECK_FALSE(contains(bare, "<dt>Cc</dt>"));
    CHECK_FALSE(contains(bare, "<dt>Message-ID</dt>"));
}

TEST_CASE("message page: attachment links encode the folder and the part") {
    std::string html = message_page(context(), a_message());
    CHECK(has_href(html, "/part?folder=Lab%202%2F%E6%8A%A5%E5%91%8A&uid=7&part=2&download=1"));
    CHECK(has_href(html, "/part?folder=Lab%202%2F%E6%8A%A5%E5%91%8A&uid=7&part=1.2&download=1"));
    // In the attribute, the & are written as &amp;.
    CHECK(contains(html,
                   "href=\"/part?folder=Lab%202%2F%E6%8A%A5%E5%91%8A&amp;uid=7&amp;part=1.2&amp;"
                   "download=1\""));
    CHECK(contains(html, ">report Q1.pdf</a>"));
    CHECK(contains(html, ">(unnamed part 1.2)</a>"));
    CHECK(contains(html, ">&lt;b&gt;x&quot;.txt</a>"));
    CHECK(contains(html, "<span class=\"type\">application/pdf</span>"));
    CHECK(contains(html, "<span class=\"size\">12 KB</span>"));
    CHECK(contains(html, "<span class=\"size\">1.5 KB</span>"));
    CHECK(contains(html, "<span class=\"size\">10 B</span>"));
    CHECK(
        contains(message_page(context(language::zh), a_message()), ">（未命名的第 1.2 部分）</a>"));

    // A part number with characters that need encoding is encoded too.
    message_view odd = a_message();
    odd.attachments = {{"1&x=2", "a", "text/plain", 1}};
    CHECK(has_href(message_page(context(), odd),
                   "/part?folder=Lab%202%2F%E6%8A%A5%E5%91%8A&uid=7&part=1%26x%3D2&download=1"));
}

TEST_CASE("message page: HTML in a sandboxed srcdoc that nothing can break out of") {
    // Real sanitizer output: quotes and ampersands in text and attribute values.
    http::sanitize_result clean = http::sanitize_html(
        "<p title='a\" onmouseover=\"alert(1)'>Tom &amp; \"Jerry\" &lt;/iframe&gt;</p>"
        "<a href=\"http://x.example/?a=1&amp;b=2\">link</a><script>alert(1)</script>"
        "<img src=x onerror=alert(1)>");
    REQUIRE(contains(clean.html, "&quot;"));
    REQUIRE(contains(clean.html, "&amp;"));
    message_view view = a_message();
    view.has_html = true;
    view.sanitized_html = clean.html;
    view.removed = clean.removed;
    REQUIRE(view.removed.size() >= 2);
    std::string html = message_page(context(), view);
    check_page(html, language::en);

    std::vector<tag> frames = tags_named(html, "iframe");
    REQUIRE(frames.size() == 1);
    const tag& frame = frames.front();
    REQUIRE(frame.find("sandbox"));
    // Links may open a new tab; scripts never run, and the frame never gets the webmail's origin.
    CHECK(frame.find("sandbox")->find("allow-scripts") == std::string::npos);
    CHECK(frame.find("sandbox")->find("allow-same-origin") == std::string::npos);
    CHECK(frame.find("class"));
    CHECK_FALSE(frame.find("src"));
    CHECK_FALSE(frame.find("onmouseover"));
    const std::string* srcdoc = frame.find("srcdoc");
    REQUIRE(srcdoc);
    // The attribute value holds no quote and no '<': the only end is the closing quote.
    CHECK_FALSE(contains(*srcdoc, "\""));
    CHECK_FALSE(contains(*srcdoc, "<"));
    CHECK(contains(*srcdoc, "&amp;quot;"));
    // What the browser decodes is a document with exactly the sanitizer's markup in its body.
    std::string doc = unescape(*srcdoc);
    CHECK(contains(doc, "<body class=\"mail-frame\">" + clean.html + "</body></html>"));
    CHECK(doc.rfind("<!DOCTYPE html>", 0) == 0);
    // The iframe is the last tag before </iframe>: nothing leaked out of the attribute.
    std::size_t open = html.find("<iframe");
    CHECK(html.find("></iframe>", open) == html.find(">", html.find("srcdoc=\"", open) + 8));

    // The teaching point: what was removed, counted and listed (escaped).
    CHECK(contains(html, "For your safety, " + std::to_string(view.removed.size()) +
                             " things were removed from this mail&#39;s HTML:"));
    for (const std::string& item : view.removed)
        CHECK(contains(html, "<li>" + http::html_escape(item) + "</li>"));
    // The plain text, collapsed.
    CHECK(contains(html, "<details class=\"plain-text\"><summary>Plain text version</summary>"));
    CHECK(contains(html, "Tom &amp; Jerry &lt;tom@x&gt;"));

    view.removed = {"<script> element"};
    std::string one = message_page(context(), view);
    CHECK(contains(one, "1 thing was removed"));
    CHECK(contains(one, "<li>&lt;script&gt; element</li>"));
    std::string zh = message_page(context(language::zh), view);
    CHECK(contains(zh, "为了您的安全，已从这封邮件的 HTML 中移除 1 项内容："));

    view.removed.clear();
    CHECK_FALSE(contains(message_page(context(), view), "For your safety"));
}

TEST_CASE("compose page: the form the app reads") {
    page_context ctx = context(language::en, "");
    compose_view view;
    view.to = "bob@b.example";
    view.subject = "Re: hello";
    view.body = "\nfirst line was empty";
    view.in_reply_to = "<1@b.example>";
    view.references = "<0@b.example> <1@b.example>";
    std::string html = compose_page(ctx, view);
    check_page(html, language::en);
    std::vector<std::string> all = forms(html);
    REQUIRE(all.size() == 2);  // log out, send
    const std::string& send = all[1];
    CHECK(contains(send, "<form method=\"post\" action=\"/send\""));
    CHECK(contains(send, "enctype=\"multipart/form-data\""));
    CHECK(field(send, "to") == "bob@b.example");
    CHECK(field(send, "cc") == "");
    CHECK(field(send, "subject") == "Re: hello");
    CHECK(field(send, "in_reply_to") == "<1@b.example>");
    CHECK(field(send, "references") == "<0@b.example> <1@b.example>");
    // The parser drops one newline after <textarea>: the body's own leading newline survives.
    CHECK(contains(send,
                   "<textarea id=\"body\" name=\"body\" rows=\"8\">\n\nfirst line was empty"
                   "</textarea>"));
    std::vector<tag> files;
    for (const tag& t : start_tags(send))
        if (t.find("type") && *t.find("type") == "file") files.push_back(t);
    REQUIRE(files.size() == 1);
    CHECK(*files[0].find("name") == "attachment");
    CHECK(files[0].find("multiple"));
    // Every visible field has a label.
    for (std::string_view id : {"to", "cc", "subject", "body", "attachment"})
        CHECK(contains(send, "<label for=\"" + std::string(id) + "\">"));
    CHECK(contains(html, "<h1>Reply to a message</h1>"));
    CHECK_FALSE(contains(html, "class=\"error\""));
    CHECK(has_href(html, "/mailbox"));
    CHECK(contains(compose_page(ctx, {}), "<h1>New message</h1>"));
}

TEST_CASE("login page: the form, the error, the explanation") {
    std::string html =
        login_page(language::en, "pre-token", "alice", "Wrong user name or password.");
    check_page(html, language::en, "pre-token");
    std::vector<std::string> all = forms(html);
    REQUIRE(all.size() == 1);
    CHECK(contains(all[0], "action=\"/login\""));
    CHECK(field(all[0], "user") == "alice");
    CHECK(contains(all[0], "type=\"password\" id=\"password\" name=\"password\""));
    CHECK(contains(html, "role=\"alert\">Wrong user name or password.</p>"));
    CHECK(contains(html, "talks IMAP and SMTP to the mail server behind it"));
    CHECK(has_href(html, "/login?lang=zh"));

    std::string zh = login_page(language::zh, "pre-token", "", "Wrong user name or password.");
    check_page(zh, language::zh, "pre-token");
    CHECK(contains(zh, "用户名或密码错误。"));
    CHECK(contains(zh, "它通过 IMAP 和 SMTP 与背后的邮件服务器通信"));
    CHECK(contains(zh, ">登录</button>"));
    CHECK_FALSE(contains(login_page(language::en, "t", "", ""), "role=\"alert\""));
}

TEST_CASE("error page: status, reason, what, the way back") {
    std::string html = error_page(language::en, 404, "There is no such message.");
    CHECK(contains(html, "<title>404 Not Found"));
    CHECK(contains(html, "404</span> Not Found</h1>"));
    CHECK(contains(html, "HTTP/1.1 404 Not Found"));
    CHECK(contains(html, "There is no such message."));
    CHECK(has_href(html, "/mailbox"));
    CHECK(has_href(html, "/login"));
    CHECK(contains(html, ">Back to the inbox</a>"));

    std::string zh = error_page(language::zh, 502, "There is no such message.");
    check_page(zh, language::zh);
    CHECK(contains(zh, "502</span> 网关错误</h1>"));
    CHECK(contains(zh, "HTTP/1.1 502 Bad Gateway"));
    CHECK(contains(zh, "没有这封邮件。"));
    CHECK(contains(zh, ">返回收件箱</a>"));
    CHECK(contains(error_page(language::en, 599, "x"), "599</span> Error</h1>"));
}

TEST_CASE("language links point at this page with lang= added, the query kept") {
    page_context ctx = context();
    ctx.self_url = "/mailbox?folder=Lab%202&page=2";
    std::string html = mailbox_page(ctx, three_rows());
    CHECK(has_href(html, "/mailbox?folder=Lab%202&page=2&lang=en"));
    CHECK(has_href(html, "/mailbox?folder=Lab%202&page=2&lang=zh"));
    CHECK(contains(html, ">English</a>"));
    CHECK(contains(html, ">中文</a>"));

    // An earlier lang= is replaced, not repeated; a fragment is dropped.
    ctx.self_url = "/message?lang=en&folder=INBOX&uid=3#top";
    html = message_page(ctx, a_message());
    CHECK(has_href(html, "/message?folder=INBOX&uid=3&lang=zh"));
    CHECK_FALSE(contains(html, "lang=en&amp;"));

    ctx.self_url = "/compose";
    CHECK(has_href(compose_page(ctx, {}), "/compose?lang=zh"));
    // Only a path of this site: a network-path reference falls back to the inbox.
    ctx.self_url = "//evil.example/x?a=1";
    CHECK(has_href(compose_page(ctx, {}), "/mailbox?lang=zh"));
    ctx.self_url = "";
    CHECK(has_href(compose_page(ctx, {}), "/mailbox?lang=en"));
}

TEST_CASE("Chinese pages: lang=zh-CN, translated UI, folder URLs keep the IMAP names") {
    page_context ctx = context(language::zh);
    std::string html = mailbox_page(ctx, three_rows());
    check_page(html, language::zh);
    for (std::string_view text :
         {"收件箱", "已发送", "已删除", "草稿箱", "写邮件", "退出登录", "发件人", "主题", "日期",
          "大小", "3 封未读", "共 53 封邮件", "标为已读", "删除", "（无主题）", "上一页", "下一页"})
        CHECK(contains(html, text));
    CHECK(contains(html, "<a href=\"/mailbox?folder=Sent\">已发送</a>"));
    CHECK(contains(html, "<a href=\"/mailbox?folder=Trash\">已删除</a>"));
    CHECK(contains(html, "<a href=\"/mailbox?folder=Drafts\">草稿箱</a>"));
    CHECK_FALSE(contains(html, ">Inbox<"));

    std::string message = message_page(ctx, a_message());
    for (std::string_view text : {"回复", "标为未读", "附件", "发件人", "收件人", "抄送"})
        CHECK(contains(message, text));
    std::string compose = compose_page(ctx, {});
    for (std::string_view text : {"新邮件", "正文", "添加附件", "发送", "取消"})
        CHECK(contains(compose, text));
}

TEST_CASE("ui: the table the app's notices come from") {
    const std::vector<std::pair<std::string, std::string>> required = {
        {"Mail sent.", "邮件已发送。"},
        {"Marked as read.", "已标为已读。"},
        {"Marked as unread.", "已标为未读。"},
        {"Moved to Trash.", "邮件已移到“已删除”。"},
        {"Deleted.", "邮件已删除。"},
        {"Logged out.", "您已退出登录。"},
        {"Your session has expired. Please log in again.", "登录已过期，请重新登录。"},
        {"Wrong user name or password.", "用户名或密码错误。"},
        {"The form has expired. Please try again.", "表单已过期，请重试。"},
        {"No messages", "没有邮件"},
        {"Inbox", "收件箱"},
    };
    for (const auto& [en, zh] : required) {
        CHECK(ui(language::en, en) == en);
        CHECK(ui(language::zh, en) == zh);
    }
    CHECK(ui(language::zh, "No such key, really") == "No such key, really");
    CHECK(ui(language::en, "No such key, really") == "No such key, really");
    CHECK(ui(language::zh, "") == "");
    // A text the app already translated passes through.
    CHECK(ui(language::zh, "邮件已发送。") == "邮件已发送。");
    // The notice is shown in the page's language, whichever form the app handed over.
    page_context ctx = context(language::zh);
    ctx.notice = "Moved to Trash.";
    CHECK(contains(mailbox_page(ctx, {}), "role=\"status\">邮件已移到“已删除”。</p>"));
}

#ifdef MAILLAB_SOURCE_DIR
TEST_CASE("ui: every text the webmail's code looks up has its Chinese") {
    // The app composes notices and errors with ui(lang, "..."): a text missing from the table
    // would show in English on a Chinese page. Read the webmail sources for those calls.
    namespace fs = std::filesystem;
    const std::regex call(R"re(\bui\([^,()]+,\s*"((?:[^"\\]|\\.)*)")re");
    // Texts that are the same in Chinese.
    const std::set<std::string> same = {"Message-ID"};
    std::size_t found = 0;
    for (const auto& file : fs::directory_iterator(fs::path(MAILLAB_SOURCE_DIR) / "sim" / "http")) {
        std::string name = file.path().filename().string();
        if (name.rfind("webmail_", 0) != 0 || file.path().extension() != ".cpp") continue;
        std::ifstream in(file.path(), std::ios::binary);
        std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        for (std::sregex_iterator it(text.begin(), text.end(), call), end; it != end; ++it) {
            std::string key = (*it)[1];
            CAPTURE(name);
            CAPTURE(key);
            ++found;
            if (!same.count(key)) CHECK(ui(language::zh, key) != key);
        }
    }
    CHECK(found > 0);
}
#endif

TEST_CASE("the stylesheet: every class the pages use, nothing loaded from elsewhere") {
    std::string css = stylesheet();
    CHECK_FALSE(contains(css, "@import"));
    CHECK_FALSE(contains(css, "url("));
    CHECK(contains(css, "white-space: pre-wrap"));
    CHECK(contains(css, "tr.unread"));
    CHECK(contains(css, "iframe.mail-html"));

    message_view html_mail = a_message();
    html_mail.has_html = true;
    html_mail.sanitized_html = "<p>x</p>";
    html_mail.removed = {"<script> element"};
    page_context ctx = context();
    ctx.notice = "Mail sent.";
    compose_view draft;
    draft.error = "x";
    std::set<std::string> classes;
    for (const std::string& page :
         {mailbox_page(ctx, three_rows()), mailbox_page(ctx, {}), message_page(ctx, a_message()),
          message_page(ctx, html_mail), compose_page(ctx, draft),
          login_page(language::en, "t", "", "x"), error_page(language::en, 500, "x")}) {
        for (const tag& t : start_tags(page)) {
            const std::string* value = t.find("class");
            if (!value) continue;
            std::string_view rest = *value;
            while (!rest.empty()) {
                std::size_t space = rest.find(' ');
                if (space != 0) classes.emplace(rest.substr(0, space));
                rest = space == std::string_view::npos ? "" : rest.substr(space + 1);
            }
        }
    }
    // Classes that only hook a test or a screen reader: none so far. Every other one is styled.
    for (const std::string& name : classes) {
        CAPTURE(name);
        CHECK(contains(css, "." + name));
    }
}
