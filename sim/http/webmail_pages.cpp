// Theory of operation. Each page is one string built front to back from a view model. Three
// rules keep the pages safe without a template engine:
//  1. Every text from a mail, a user or a URL goes through html_escape on its way in, both in
//     element content and in attribute values (always double-quoted). The UI texts go through
//     it too, so a translation cannot turn into markup by accident.
//  2. URLs are built from parts with percent_encode on each query value (RFC 3986 unreserved
//     kept), then escaped as an attribute: a folder "Lab 2/报告" or a part "1.2" arrives intact.
//  3. The one piece of markup not written here, the sanitizer's output, is shown in
//     <iframe sandbox="" srcdoc="...">: the whole document is one escaped attribute value, so a
//     quote or an ampersand in it cannot end the attribute, and the sandbox gives it an opaque
//     origin with no scripts, forms, popups or top navigation, and keeps its CSS off the page.
// There is no script and no inline style (the CSP allows neither): actions are links or
// <form method="post">, every one of them opened by post_form(), which writes the CSRF field.
// The texts come from ui() (webmail_ui_text.cpp), the CSS from stylesheet() (webmail_style.cpp).

#include "sim/http/webmail_pages.hpp"

#include <initializer_list>
#include <iterator>
#include <string_view>
#include <utility>

#include "sim/http/form.hpp"
#include "sim/http/html_sanitizer.hpp"

namespace maillab::http::webmail {
namespace {

// ---- text ----------------------------------------------------------------------------------

std::string esc(std::string_view text) { return html_escape(text); }

// A UI text in the page's language, escaped for HTML.
std::string t(language lang, std::string_view english) {
    return esc(ui(lang, std::string(english)));
}

std::string replace_all(std::string text, std::string_view from, std::string_view to) {
    for (std::size_t pos = text.find(from); pos != std::string::npos;
         pos = text.find(from, pos + to.size()))
        text.replace(pos, from.size(), to);
    return text;
}

// A UI text with a placeholder ("{n} unread"), filled after the translation because the two
// languages put the number in different places; the value may be user text: escaped with it.
std::string t(language lang, std::string_view english, std::string_view placeholder,
              std::string_view value) {
    return esc(replace_all(ui(lang, std::string(english)), placeholder, value));
}

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        char x = a[i], y = b[i];
        if (x >= 'a' && x <= 'z') x = static_cast<char>(x - 'a' + 'A');
        if (y >= 'a' && y <= 'z') y = static_cast<char>(y - 'a' + 'A');
        if (x != y) return false;
    }
    return true;
}

// The label of a folder. The well-known names are translated; the URL keeps the IMAP name.
std::string folder_label(language lang, const std::string& name) {
    if (iequals(name, "INBOX")) return ui(lang, "Inbox");  // RFC 3501 5.1: any case is INBOX
    for (std::string_view known : {"Sent", "Trash", "Drafts", "Junk", "Archive"})
        if (name == known) return ui(lang, name);
    return name;
}

// "12 KB": octets under 1 KB as they are, one decimal below 10 units, whole units above.
// Integer arithmetic, so no locale can turn the point into a comma.
std::string human_size(std::size_t octets) {
    if (octets < 1024) return std::to_string(octets) + " B";
    static constexpr const char* units[] = {"KB", "MB", "GB", "TB"};
    std::size_t divisor = 1024;
    std::size_t unit = 0;
    while (unit + 1 < std::size(units) && octets / divisor >= 1024) {
        divisor *= 1024;
        ++unit;
    }
    std::size_t tenths = (octets * 10 + divisor / 2) / divisor;
    if (tenths < 100) {
        std::string out = std::to_string(tenths / 10);
        if (tenths % 10 != 0) out += "." + std::to_string(tenths % 10);
        return out + " " + units[unit];
    }
    return std::to_string((octets + divisor / 2) / divisor) + " " + units[unit];
}

// ---- URLs ----------------------------------------------------------------------------------

using param = std::pair<std::string_view, std::string>;

std::string url(std::string_view path, std::initializer_list<param> params) {
    std::string out(path);
    char separator = '?';
    for (const auto& [name, value] : params) {
        out += separator;
        out += name;
        out += '=';
        out += percent_encode(value);
        separator = '&';
    }
    return out;
}

std::string mailbox_url(const std::string& folder, unsigned page = 0) {
    if (page == 0) return url("/mailbox", {{"folder", folder}});
    return url("/mailbox", {{"folder", folder}, {"page", std::to_string(page)}});
}

std::string message_url(const std::string& folder, std::uint32_t uid) {
    return url("/message", {{"folder", folder}, {"uid", std::to_string(uid)}});
}

// This page's URL with lang=xx: the other parameters kept as they were (already encoded), an
// earlier lang= dropped so that switching back and forth does not pile them up.
std::string with_lang(std::string_view self, std::string_view code) {
    // Only a path on this site: "//evil.example/x" (or "/\evil", which browsers read the same
    // way) would make the language link leave the webmail.
    if (self.empty() || self[0] != '/' || (self.size() > 1 && (self[1] == '/' || self[1] == '\\')))
        self = "/mailbox";
    self = self.substr(0, self.find('#'));
    std::size_t question = self.find('?');
    std::string out(self.substr(0, question));
    std::string query;
    if (question != std::string_view::npos) {
        std::string_view rest = self.substr(question + 1);
        while (!rest.empty()) {
            std::size_t amp = rest.find('&');
            std::string_view pair = rest.substr(0, amp);
            rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
            if (pair.empty() || pair.substr(0, pair.find('=')) == "lang") continue;
            query += pair;
            query += '&';
        }
    }
    return out + "?" + query + "lang=" + std::string(code);
}

// ---- pieces of markup ----------------------------------------------------------------------

std::string hidden(std::string_view name, std::string_view value) {
    return "<input type=\"hidden\" name=\"" + esc(name) + "\" value=\"" + esc(value) + "\">";
}

// The start of every POST form: the CSRF field is written here, so no form can lack it.
std::string post_form(std::string_view action, const std::string& csrf, std::string_view css_class,
                      std::string_view extra_attributes = "") {
    std::string out = "<form method=\"post\" action=\"" + esc(action) + "\"";
    if (!css_class.empty()) out += " class=\"" + std::string(css_class) + "\"";
    out += extra_attributes;
    out += ">" + hidden("csrf", csrf);
    return out;
}

// A POST /flag form with one button; `back` is where the app redirects afterwards.
std::string flag_form(language lang, const std::string& csrf, const std::string& folder,
                      std::uint32_t uid, std::string_view action, std::string_view label,
                      const std::string& back, std::string_view button_class) {
    return post_form("/flag", csrf, "inline") + hidden("folder", folder) +
           hidden("uid", std::to_string(uid)) + hidden("back", back) +
           "<button type=\"submit\" name=\"action\" value=\"" + std::string(action) +
           "\" class=\"" + std::string(button_class) + "\">" + t(lang, label) + "</button></form>";
}

std::string document(language lang, std::string_view title, std::string_view body_class,
                     std::string_view body) {
    std::string out = "<!DOCTYPE html>\n<html lang=\"";
    out += lang == language::zh ? "zh-CN" : "en";
    out += "\">\n<head>\n<meta charset=\"utf-8\">\n";
    out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
    // No referrer: a URL of this webmail (folder names, UIDs) is nobody else's business.
    out += "<meta name=\"referrer\" content=\"no-referrer\">\n";
    out += "<title>" + esc(title) + " · maillab " + t(lang, "Webmail") + "</title>\n";
    out += "<link rel=\"stylesheet\" href=\"/style.css\"><link rel=\"icon\" href=\"data:,\">\n</head>\n";
    out += "<body class=\"" + std::string(body_class) + "\">\n";
    out += body;
    out += "</body>\n</html>\n";
    return out;
}

std::string language_links(language lang, std::string_view self) {
    auto link = [&](language target, std::string_view code, std::string_view html_lang,
                    std::string_view name) {
        std::string out = "<a href=\"" + esc(with_lang(self, code)) + "\" hreflang=\"" +
                          std::string(html_lang) + "\" lang=\"" + std::string(html_lang) + "\"";
        if (target == lang) out += " class=\"current\" aria-current=\"true\"";
        return out + ">" + std::string(name) + "</a>";
    };
    return "<nav class=\"languages\" aria-label=\"" + t(lang, "Language") + "\">" +
           link(language::en, "en", "en", "English") + " <span aria-hidden=\"true\">|</span> " +
           link(language::zh, "zh", "zh-CN", "中文") + "</nav>\n";
}

std::string notice(language lang, const std::string& text, std::string_view css_class) {
    if (text.empty()) return "";
    // The app may hand over the English key or its own text: ui() passes unknown text through.
    return "<p class=\"" + std::string(css_class) + "\" role=\"status\">" + t(lang, text) +
           "</p>\n";
}

// The frame of a logged-in page: top bar, folder column, the content with the notice.
std::string app_page(const page_context& ctx, std::string_view title, std::string_view content) {
    language lang = ctx.lang;
    std::string body = "<header class=\"topbar\">\n";
    body += "<a class=\"brand\" href=\"/mailbox\">maillab <span>" + t(lang, "Webmail") +
            "</span></a>\n";
    body += "<a class=\"button primary\" href=\"/compose\">" + t(lang, "Compose") + "</a>\n";
    body += "<span class=\"spacer\"></span>\n";
    body += "<span class=\"user\"><span class=\"label\">" + t(lang, "Signed in as") + "</span> " +
            esc(ctx.user) + "</span>\n";
    body += language_links(lang, ctx.self_url);
    body += post_form("/logout", ctx.csrf, "inline") + "<button type=\"submit\" class=\"button\">" +
            t(lang, "Log out") + "</button></form>\n";
    body += "</header>\n<div class=\"layout\">\n";

    body += "<nav class=\"folders\" aria-label=\"" + t(lang, "Folders") + "\">\n<h2>" +
            t(lang, "Folders") + "</h2>\n<ul>\n";
    for (const std::string& folder : ctx.folders) {
        body += "<li><a href=\"" + esc(mailbox_url(folder)) + "\"";
        if (folder == ctx.current_folder) body += " class=\"current\" aria-current=\"page\"";
        body += ">" + esc(folder_label(lang, folder)) + "</a></li>\n";
    }
    body += "</ul>\n</nav>\n<main class=\"content\">\n";
    body += notice(lang, ctx.notice, "notice");
    body += content;
    body += "</main>\n</div>\n";
    return document(lang, title, "app", body);
}

// ---- the mailbox list ----------------------------------------------------------------------

std::string status_badges(language lang, const message_row& row) {
    std::string out;
    auto badge = [&](std::string_view css, std::string_view label) {
        out += " <span class=\"badge " + std::string(css) + "\">" + t(lang, label) + "</span>";
    };
    if (!row.seen) badge("badge-unread", "Unread");
    if (row.answered) badge("badge-answered", "Answered");
    if (row.flagged) badge("badge-flagged", "Flagged");
    return out;
}

std::string message_table(const page_context& ctx, const mailbox_view& view,
                          const std::string& here) {
    language lang = ctx.lang;
    const std::string& folder = ctx.current_folder;
    std::string out = "<table class=\"messages\">\n<thead><tr>";
    for (std::string_view column : {"From", "Subject", "Date", "Size", "Actions"})
        out += "<th scope=\"col\">" + t(lang, column) + "</th>";
    out += "</tr></thead>\n<tbody>\n";
    for (const message_row& row : view.rows) {
        out += row.seen ? "<tr class=\"read\">" : "<tr class=\"unread\">";
        out += "<td class=\"from\">" +
               (row.from.empty() ? t(lang, "(unknown sender)") : esc(row.from)) + "</td>";
        out += "<td class=\"subject\"><a href=\"" + esc(message_url(folder, row.uid)) + "\">" +
               (row.subject.empty() ? t(lang, "(no subject)") : esc(row.subject)) + "</a>" +
               status_badges(lang, row) + "</td>";
        out += "<td class=\"date\">" + esc(row.date) + "</td>";
        out += "<td class=\"size\">" + esc(human_size(row.size)) + "</td>";
        out += "<td class=\"actions\">";
        out += row.seen ? flag_form(lang, ctx.csrf, folder, row.uid, "unread", "Mark unread", here,
                                    "button small")
                        : flag_form(lang, ctx.csrf, folder, row.uid, "read", "Mark read", here,
                                    "button small");
        out += flag_form(lang, ctx.csrf, folder, row.uid, "delete", "Delete", here,
                         "button small danger");
        out += "</td></tr>\n";
    }
    return out + "</tbody>\n</table>\n";
}

std::string paging(const page_context& ctx, unsigned page, unsigned pages) {
    language lang = ctx.lang;
    if (pages <= 1 && page <= 1) return "";  // one page: nothing to turn
    std::string out = "<nav class=\"paging\">";
    if (page > 1)
        out += "<a class=\"button\" rel=\"prev\" href=\"" +
               esc(mailbox_url(ctx.current_folder, page - 1)) + "\">← " + t(lang, "Previous page") +
               "</a>";
    else
        out += "<span class=\"button disabled\">← " + t(lang, "Previous page") + "</span>";
    out += " <span class=\"page-of\">" +
           esc(replace_all(
               replace_all(ui(lang, "Page {page} of {pages}"), "{page}", std::to_string(page)),
               "{pages}", std::to_string(pages))) +
           "</span> ";
    if (page < pages)
        out += "<a class=\"button\" rel=\"next\" href=\"" +
               esc(mailbox_url(ctx.current_folder, page + 1)) + "\">" + t(lang, "Next page") +
               " →</a>";
    else
        out += "<span class=\"button disabled\">" + t(lang, "Next page") + " →</span>";
    return out + "</nav>\n";
}

// ---- the message view ----------------------------------------------------------------------

std::string header_block(language lang, const message_view& view) {
    std::string out = "<dl class=\"headers\">\n";
    auto line = [&](std::string_view name, const std::string& value, bool always) {
        if (value.empty() && !always) return;
        out += "<dt>" + t(lang, name) + "</dt><dd>" + esc(value) + "</dd>\n";
    };
    line("From", view.from.empty() ? ui(lang, "(unknown sender)") : view.from, true);
    line("To", view.to, true);
    line("Cc", view.cc, false);
    line("Date", view.date, true);
    line("Subject", view.subject.empty() ? ui(lang, "(no subject)") : view.subject, true);
    line("Message-ID", view.message_id, false);
    return out + "</dl>\n";
}

std::string item_list(const std::vector<std::string>& items) {
    std::string out = "<ul>\n";
    for (const std::string& item : items) out += "<li>" + esc(item) + "</li>\n";
    return out + "</ul>\n";
}

std::string message_body(language lang, const message_view& view) {
    std::string out;
    if (!view.removed.empty()) {
        // A teaching point: the class sees what an HTML mail tried to bring along.
        std::string heading =
            view.removed.size() == 1
                ? t(lang, "For your safety, 1 thing was removed from this mail's HTML:")
                : t(lang, "For your safety, {n} things were removed from this mail's HTML:", "{n}",
                    std::to_string(view.removed.size()));
        out += "<div class=\"safety\" role=\"note\">\n<p>" + heading + "</p>\n" +
               item_list(view.removed) + "</div>\n";
    }
    if (view.has_html) {
        // A full document, so that the frame renders in standards mode; the fragment is already
        // safe markup, and esc() makes the whole of it one attribute value. The frame loads the
        // webmail's stylesheet for its base type only (body.mail-frame: size, font, margins):
        // the page's CSS may reach the mail, the mail's CSS never reaches the page.
        std::string doc =
            "<!DOCTYPE html><html><head><meta charset=\"utf-8\">"
            "<link rel=\"stylesheet\" href=\"/style.css\"></head><body class=\"mail-frame\">" +
            view.sanitized_html + "</body></html>";
        out += "<iframe class=\"mail-html\" sandbox=\"allow-popups allow-popups-to-escape-sandbox\" title=\"" +
               t(lang, "The mail's HTML, shown in a sandbox without scripts") + "\" srcdoc=\"" +
               esc(doc) + "\"></iframe>\n";
        if (!view.text.empty())
            out += "<details class=\"plain-text\"><summary>" + t(lang, "Plain text version") +
                   "</summary>\n<pre class=\"mail-text\">" + esc(view.text) +
                   "</pre>\n</details>\n";
    } else if (view.text.empty()) {
        out += "<p class=\"empty\">" + t(lang, "This mail has no text.") + "</p>\n";
    } else {
        out += "<pre class=\"mail-text\">" + esc(view.text) + "</pre>\n";
    }
    return out;
}

std::string attachment_list(language lang, const message_view& view) {
    if (view.attachments.empty()) return "";
    std::string out = "<section class=\"attachments\">\n<h2>" + t(lang, "Attachments") +
                      " <span class=\"count\">(" + std::to_string(view.attachments.size()) +
                      ")</span></h2>\n<ul>\n";
    for (const attachment_view& a : view.attachments) {
        std::string href = url("/part", {{"folder", view.folder},
                                         {"uid", std::to_string(view.uid)},
                                         {"part", a.part},
                                         {"download", "1"}});
        std::string name = a.filename.empty() ? t(lang, "(unnamed part {part})", "{part}", a.part)
                                              : esc(a.filename);
        out += "<li><a class=\"attachment\" href=\"" + esc(href) + "\" title=\"" +
               t(lang, "Download") + "\">" + name + "</a> <span class=\"type\">" +
               esc(a.content_type) + "</span> <span class=\"size\">" + esc(human_size(a.size)) +
               "</span></li>\n";
    }
    return out + "</ul>\n</section>\n";
}

// RFC 9110 15: the reason phrases of the statuses the webmail answers with.
std::string_view reason_phrase(unsigned status) {
    static constexpr std::pair<unsigned, std::string_view> phrases[] = {
        {400, "Bad Request"},         {401, "Unauthorized"},
        {403, "Forbidden"},           {404, "Not Found"},
        {405, "Method Not Allowed"},  {408, "Request Timeout"},
        {413, "Content Too Large"},   {415, "Unsupported Media Type"},
        {429, "Too Many Requests"},   {500, "Internal Server Error"},
        {501, "Not Implemented"},     {502, "Bad Gateway"},
        {503, "Service Unavailable"}, {504, "Gateway Timeout"},
    };
    for (const auto& [code, phrase] : phrases)
        if (code == status) return phrase;
    return "Error";
}

}  // namespace

// ---- the pages -----------------------------------------------------------------------------

std::string login_page(language lang, const std::string& csrf, const std::string& user,
                       const std::string& error) {
    std::string body = "<main class=\"login-box\">\n";
    body += "<p class=\"brand\">maillab <span>" + t(lang, "Webmail") + "</span></p>\n";
    body += language_links(lang, "/login");
    body += "<h1>" + t(lang, "Log in to your mailbox") + "</h1>\n";
    if (!error.empty()) body += "<p class=\"error\" role=\"alert\">" + t(lang, error) + "</p>\n";
    body += post_form("/login", csrf, "stacked");
    body += "<label for=\"user\">" + t(lang, "User name") + "</label>\n";
    body += "<input type=\"text\" id=\"user\" name=\"user\" value=\"" + esc(user) +
            "\" autocomplete=\"username\" autocapitalize=\"off\" spellcheck=\"false\" autofocus>\n";
    body += "<label for=\"password\">" + t(lang, "Password") + "</label>\n";
    body +=
        "<input type=\"password\" id=\"password\" name=\"password\" "
        "autocomplete=\"current-password\">\n";
    body += "<button type=\"submit\" class=\"button primary\">" + t(lang, "Log in") +
            "</button>\n</form>\n";
    body += "<p class=\"explain\">" +
            t(lang,
              "This webmail is a mail client too: it talks IMAP and SMTP to the mail server "
              "behind it.") +
            "</p>\n";
    body += "</main>\n";
    return document(lang, ui(lang, "Log in"), "login-page", body);
}

std::string mailbox_page(const page_context& ctx, const mailbox_view& view) {
    language lang = ctx.lang;
    unsigned pages = view.pages == 0 ? 1 : view.pages;
    unsigned page = view.page == 0 ? 1 : view.page;
    std::string label = folder_label(lang, ctx.current_folder);

    std::string content = "<div class=\"page-head\">\n<h1>" + esc(label);
    if (view.unseen > 0)
        content += " <span class=\"unseen\">" +
                   t(lang, "{n} unread", "{n}", std::to_string(view.unseen)) + "</span>";
    content += "</h1>\n<p class=\"count\">" +
               (view.total == 1 ? t(lang, "1 message")
                                : t(lang, "{n} messages", "{n}", std::to_string(view.total))) +
               "</p>\n</div>\n";
    if (view.rows.empty()) {
        content += "<p class=\"empty\">" + t(lang, "No messages") + "</p>\n";
        if (view.total == 0) return app_page(ctx, label, content);  // no pages to page through
    } else {
        // The row buttons come back to this very page (same folder, same page number).
        content += message_table(ctx, view, mailbox_url(ctx.current_folder, page));
    }
    content += paging(ctx, page, pages);
    return app_page(ctx, label, content);
}

std::string message_page(const page_context& ctx, const message_view& view) {
    language lang = ctx.lang;
    std::string here = message_url(view.folder, view.uid);
    std::string box = mailbox_url(view.folder);
    std::string subject = view.subject.empty() ? ui(lang, "(no subject)") : view.subject;

    std::string content = "<div class=\"page-head\">\n<h1 class=\"subject\">" + esc(subject) +
                          "</h1>\n</div>\n<div class=\"toolbar\">\n";
    content += "<a class=\"button\" href=\"" + esc(box) + "\">← " +
               t(lang, "Back to {folder}", "{folder}", folder_label(lang, view.folder)) + "</a>\n";
    content +=
        "<a class=\"button primary\" href=\"" +
        esc(url("/compose", {{"reply", std::to_string(view.uid)}, {"folder", view.folder}})) +
        "\">" + t(lang, "Reply") + "</a>\n";
    // "Mark unread" goes back to the list: showing the message again would fetch its body,
    // and a FETCH BODY[] sets \Seen again (RFC 3501 6.4.5), undoing the click.
    content += view.seen ? flag_form(lang, ctx.csrf, view.folder, view.uid, "unread", "Mark unread",
                                     box, "button")
                         : flag_form(lang, ctx.csrf, view.folder, view.uid, "read", "Mark read",
                                     here, "button");
    content +=
        flag_form(lang, ctx.csrf, view.folder, view.uid, "delete", "Delete", box, "button danger");
    content += "</div>\n";
    content += header_block(lang, view);
    if (!view.problems.empty())
        content += "<div class=\"problems\">\n<p>" +
                   t(lang, "This mail's MIME structure has problems:") + "</p>\n" +
                   item_list(view.problems) + "</div>\n";
    content += message_body(lang, view);
    content += attachment_list(lang, view);
    return app_page(ctx, subject, content);
}

std::string compose_page(const page_context& ctx, const compose_view& view) {
    language lang = ctx.lang;
    bool reply = !view.in_reply_to.empty();
    std::string title = ui(lang, reply ? "Reply to a message" : "New message");
    std::string content = "<div class=\"page-head\">\n<h1>" + esc(title) + "</h1>\n</div>\n";
    if (!view.error.empty())
        content += "<p class=\"error\" role=\"alert\">" + t(lang, view.error) + "</p>\n";
    // No `required` on the fields: an empty To is refused by the app, and by the mail server
    // behind it, which is what a class may want to watch.
    content += post_form("/send", ctx.csrf, "stacked compose", " enctype=\"multipart/form-data\"");
    content += hidden("in_reply_to", view.in_reply_to) + hidden("references", view.references);
    auto field = [&](std::string_view name, std::string_view label, const std::string& value,
                     bool hint) {
        content += "<label for=\"" + std::string(name) + "\">" + t(lang, label) + "</label>\n";
        content += "<input type=\"text\" id=\"" + std::string(name) + "\" name=\"" +
                   std::string(name) + "\" value=\"" + esc(value) + "\"";
        if (hint)
            content +=
                " autocomplete=\"email\" aria-describedby=\"" + std::string(name) + "-hint\"";
        content += ">\n";
        if (hint)
            content += "<p class=\"hint\" id=\"" + std::string(name) + "-hint\">" +
                       t(lang, "Separate several addresses with commas.") + "</p>\n";
    };
    field("to", "To", view.to, true);
    field("cc", "Cc", view.cc, false);
    field("subject", "Subject", view.subject, false);
    // HTML 13.2.6.4.7: a newline right after <textarea> is dropped by the parser, so one is
    // written on purpose; a body that starts with an empty line keeps it.
    content += "<label for=\"body\">" + t(lang, "Message") + "</label>\n";
    content +=
        "<textarea id=\"body\" name=\"body\" rows=\"8\">\n" + esc(view.body) + "</textarea>\n";
    content += "<label for=\"attachment\">" + t(lang, "Attach files") + "</label>\n";
    content += "<input type=\"file\" id=\"attachment\" name=\"attachment\" multiple>\n";
    std::string back =
        ctx.current_folder.empty() ? std::string("/mailbox") : mailbox_url(ctx.current_folder);
    content += "<div class=\"form-actions\"><button type=\"submit\" class=\"button primary\">" +
               t(lang, "Send") + "</button> <a class=\"button\" href=\"" + esc(back) + "\">" +
               t(lang, "Cancel") + "</a></div>\n</form>\n";
    return app_page(ctx, title, content);
}

std::string error_page(language lang, unsigned status, const std::string& what) {
    std::string_view reason = reason_phrase(status);
    std::string code = std::to_string(status);
    std::string body = "<main class=\"error-box\">\n";
    body += "<h1><span class=\"status\">" + code + "</span> " + t(lang, reason) + "</h1>\n";
    // The status line as it went over the wire: the class can match it with the trace.
    body += "<p class=\"status-line\"><code>HTTP/1.1 " + code + " " + std::string(reason) +
            "</code></p>\n";
    if (!what.empty()) body += "<p class=\"what\">" + t(lang, what) + "</p>\n";
    body += "<p class=\"links\"><a class=\"button primary\" href=\"/mailbox\">" +
            t(lang, "Back to the inbox") + "</a> <a class=\"button\" href=\"/login\">" +
            t(lang, "Log in") + "</a></p>\n";
    body += "</main>\n";
    return document(lang, code + " " + ui(lang, std::string(reason)), "error-page", body);
}

}  // namespace maillab::http::webmail
