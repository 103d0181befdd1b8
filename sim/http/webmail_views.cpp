#include "sim/http/webmail_views.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <ctime>

#include <fmt/format.h>

#include "sim/core/bytes.hpp"
#include "sim/http/form.hpp"
#include "sim/http/html_sanitizer.hpp"
#include "sim/mime/address.hpp"
#include "sim/mime/date.hpp"
#include "sim/mime/message.hpp"

namespace maillab::http::webmail {

namespace {

bool starts_with_ci(std::string_view text, std::string_view prefix) {
    if (text.size() < prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i)
        if (std::toupper(static_cast<unsigned char>(text[i])) !=
            std::toupper(static_cast<unsigned char>(prefix[i])))
            return false;
    return true;
}

// "Alice <alice@a.example>" with the name decoded; the raw text when it is not an address.
std::string display_addresses(const mime::message& m, const mime::part& p, std::string_view name) {
    auto raw = m.header_raw(p, name);
    if (!raw) return "";
    std::string rendered = mime::render_address_list(mime::parse_address_list(*raw));
    return rendered.empty() ? m.header_text(p, name) : rendered;
}

bool is_token_char(char ch) {
    return std::isalnum(static_cast<unsigned char>(ch)) || std::string_view("!#$&-^_.+").find(ch) !=
                                                                std::string_view::npos;
}

struct message_walk {
    const mime::message& m;
    message_view& view;
    const mime::part* text_part = nullptr;
    const mime::part* html_part = nullptr;
    std::map<std::string, std::string> cid_urls;

    void leaf(const mime::part& p, const std::string& number) {
        std::string type = p.type.mime_type();
        bool attachment = p.disposition == "attachment" || p.is_message();
        if (!attachment && type == "text/plain" && !text_part && p.filename.empty()) {
            text_part = &p;
            return;
        }
        if (!attachment && type == "text/html" && !html_part && p.filename.empty()) {
            html_part = &p;
            return;
        }
        std::string cid = m.header_text(p, "Content-ID");
        cid.erase(std::remove_if(cid.begin(), cid.end(), [](char ch) {
                      return ch == '<' || ch == '>' || ch == ' ';
                  }),
                  cid.end());
        // The HTML shows inline images as data: URLs of the part's bytes, not as links to /part:
        // the mail's frame is sandboxed (an opaque origin), so a browser sends no SameSite
        // cookie with its requests and a /part link would get the login page. Only types a
        // browser merely displays; anything else is dropped with its <img>.
        if (!cid.empty() && is_plain_image(type))
            cid_urls[cid] = "data:" + type + ";base64," + base64_encode(m.decoded_body(p));
        // An inline image the HTML shows is not listed again as an attachment.
        if (!cid.empty() && p.type.type == "image" && p.disposition != "attachment") return;
        attachment_view a;
        a.part = number;
        a.filename = p.filename;
        a.content_type = type;
        a.size = m.decoded_body(p).size();
        view.attachments.push_back(std::move(a));
    }

    void walk(const mime::part& p, const std::string& number) {
        if (!p.is_multipart()) return leaf(p, number);
        for (std::size_t i = 0; i < p.children.size(); ++i) {
            std::string child = number.empty() ? std::to_string(i + 1)
                                               : number + "." + std::to_string(i + 1);
            walk(p.children[i], child);
        }
    }
};

}  // namespace

std::vector<std::string> folders_from(const imap::command_outcome& list) {
    std::vector<std::string> names;
    for (const imap::response& r : list.untagged) {
        if (r.words.size() < 4 || !r.words[0].is_atom("LIST")) continue;
        auto name = r.words[3].as_string();
        if (!name || std::find(names.begin(), names.end(), *name) != names.end()) continue;
        // \Noselect names (a hierarchy level) cannot be opened: not listed.
        bool noselect = false;
        for (const imap::value& flag : r.words[1].items) noselect |= flag.is_atom("\\Noselect");
        if (noselect) continue;
        if (starts_with_ci(*name, "INBOX") && name->size() == 5) names.insert(names.begin(), "INBOX");
        else names.push_back(*name);
    }
    if (std::find(names.begin(), names.end(), "INBOX") == names.end())
        names.insert(names.begin(), "INBOX");
    return names;
}

std::optional<std::size_t> exists_from(const imap::command_outcome& select) {
    for (const imap::response& r : select.untagged)
        if (r.words.size() == 2 && r.words[1].is_atom("EXISTS"))
            if (auto n = r.words[0].as_number()) return static_cast<std::size_t>(*n);
    return std::nullopt;
}

std::vector<std::uint32_t> search_hits(const imap::command_outcome& search) {
    std::vector<std::uint32_t> hits;
    for (const imap::response& r : search.untagged) {
        if (r.words.empty() || !r.words[0].is_atom("SEARCH")) continue;
        for (std::size_t i = 1; i < r.words.size(); ++i)
            if (auto n = r.words[i].as_number()) hits.push_back(static_cast<std::uint32_t>(*n));
    }
    return hits;
}

std::vector<imap::fetch_item_map> fetches_in(const imap::command_outcome& outcome) {
    std::vector<imap::fetch_item_map> out;
    for (const imap::response& r : outcome.untagged)
        if (auto f = imap::fetch_items(r)) out.push_back(std::move(*f));
    return out;
}

std::optional<std::string> fetched_string(const imap::fetch_item_map& fetch, std::string_view item) {
    // The server may echo the section in any case and without .PEEK; match by prefix.
    for (const auto& [name, v] : fetch.items)
        if (starts_with_ci(name, item)) return v.as_string();
    return std::nullopt;
}

std::optional<message_row> row_from(const imap::fetch_item_map& fetch) {
    const imap::value* uid = fetch.find("UID");
    if (!uid || !uid->as_number()) return std::nullopt;
    message_row row;
    row.uid = static_cast<std::uint32_t>(*uid->as_number());
    if (const imap::value* flags = fetch.find("FLAGS")) {
        for (const imap::value& f : flags->items) {
            row.seen |= f.is_atom("\\Seen");
            row.answered |= f.is_atom("\\Answered");
            row.flagged |= f.is_atom("\\Flagged");
        }
    }
    if (const imap::value* size = fetch.find("RFC822.SIZE"))
        row.size = static_cast<std::size_t>(size->as_number().value_or(0));
    if (auto header = fetched_string(fetch, "BODY[HEADER")) {
        // The fields alone, with the empty line that ends them: a message without a body.
        mime::message m(*header);
        row.from = display_addresses(m, m.root(), "From");
        row.subject = m.header_text(m.root(), "Subject");
        row.date = display_date(m.header_text(m.root(), "Date"));
    }
    return row;
}

std::string display_date(std::string_view text) {
    auto d = mime::parse_mail_date(text);
    if (!d) return std::string(text);
    std::time_t local = static_cast<std::time_t>(d->unix_seconds + d->offset_minutes * 60LL);
    std::tm tm{};
    gmtime_r(&local, &tm);
    return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}", tm.tm_year + 1900, tm.tm_mon + 1,
                       tm.tm_mday, tm.tm_hour, tm.tm_min);
}

message_view read_message(std::string raw, const std::string& folder, std::uint32_t uid, bool seen) {
    mime::message m(std::move(raw));
    message_view view;
    view.folder = folder;
    view.uid = uid;
    view.seen = seen;
    const mime::part& root = m.root();
    view.from = display_addresses(m, root, "From");
    view.to = display_addresses(m, root, "To");
    view.cc = display_addresses(m, root, "Cc");
    view.date = display_date(m.header_text(root, "Date"));
    view.subject = m.header_text(root, "Subject");
    view.message_id = m.header_text(root, "Message-ID");

    message_walk walk{m, view};
    // IMAP numbers the body of a single-part message "1", the children of a multipart 1, 2...
    walk.walk(root, root.is_multipart() ? "" : "1");
    if (walk.text_part) view.text = m.text(*walk.text_part);
    if (walk.html_part) {
        sanitize_options options;
        options.cid_urls = walk.cid_urls;
        sanitize_result clean = sanitize_html(m.text(*walk.html_part), options);
        view.has_html = true;
        view.sanitized_html = std::move(clean.html);
        view.removed = std::move(clean.removed);
    }
    for (const mime::defect& d : m.all_defects())
        view.problems.push_back(d.detail.empty() ? d.kind : d.detail);
    return view;
}

downloaded_part read_part(const std::string& mime_header, const std::string& body,
                          const std::string& part_number) {
    // The part's own header and its body make an entity the MIME parser reads like a message.
    std::string header = mime_header;
    if (header.empty()) header = "\r\n";
    mime::message m(header + body);
    const mime::part& p = m.root();
    downloaded_part out;
    std::string type = p.type.mime_type();
    bool clean = !type.empty() && std::all_of(type.begin(), type.end(), [](char ch) {
        return ch == '/' || is_token_char(ch);
    });
    out.content_type = clean ? type : "application/octet-stream";
    out.bytes = m.decoded_body(p);
    out.filename = safe_filename(p.filename, "part-" + part_number + ".bin");
    return out;
}

bool is_plain_image(const std::string& type) {
    return type == "image/png" || type == "image/gif" || type == "image/jpeg" || type == "image/webp";
}

std::string safe_filename(std::string_view name, std::string_view fallback) {
    std::size_t slash = name.find_last_of("/\\");
    if (slash != std::string_view::npos) name.remove_prefix(slash + 1);
    std::string out;
    for (char ch : name) {
        unsigned char u = static_cast<unsigned char>(ch);
        if (u < 0x20 || u == 0x7f || ch == '"' || ch == ':' || ch == '*' || ch == '?' ||
            ch == '<' || ch == '>' || ch == '|')
            continue;
        out += ch;
    }
    // ".." or "." alone, or leading dots (hidden files), are not names to save.
    while (!out.empty() && (out.front() == '.' || out.front() == ' ')) out.erase(out.begin());
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out.empty() ? std::string(fallback) : out;
}

std::string content_disposition(bool attachment, const std::string& filename) {
    std::string ascii;
    for (char ch : filename) {
        unsigned char u = static_cast<unsigned char>(ch);
        ascii += (u >= 0x20 && u < 0x7f && ch != '"' && ch != '\\' && ch != '%') ? ch : '_';
    }
    return fmt::format("{}; filename=\"{}\"; filename*=UTF-8''{}",
                       attachment ? "attachment" : "inline", ascii, percent_encode(filename));
}

}  // namespace maillab::http::webmail
