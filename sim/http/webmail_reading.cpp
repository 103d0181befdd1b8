// The webmail reads: the mailbox list, one message, one part, and the flag changes. Each page is
// one IMAP session of the webmail's own, the commands a real webmail would send.
#include <charconv>

#include <fmt/format.h>

#include "sim/http/webmail_app.hpp"
#include "sim/http/webmail_call.hpp"
#include "sim/http/webmail_views.hpp"

namespace maillab::http::webmail {

namespace {

std::optional<std::uint32_t> uid_param(std::string_view text) {
    std::uint32_t uid = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), uid);
    if (ec != std::errc{} || end != text.data() + text.size() || uid == 0) return std::nullopt;
    return uid;
}

// "1", "2.1.3": what BODY[...] takes as a part number.
bool valid_part_number(std::string_view part) {
    if (part.empty() || part.size() > 40) return false;
    bool digit_before = false;
    for (char ch : part) {
        if (ch == '.') {
            if (!digit_before) return false;
            digit_before = false;
        } else if (ch >= '0' && ch <= '9') {
            digit_before = true;
        } else {
            return false;
        }
    }
    return digit_before;
}

const imap::command_outcome* outcome_of(const imap::command_result& r, std::string_view verb) {
    for (const auto& o : r.outcomes)
        if (o.command.rfind(verb, 0) == 0) return &o;
    return nullptr;
}

}  // namespace

void webmail_app::get_mailbox(const call_ptr& c) {
    std::string folder = folder_param(c->query);
    if (breaks_header(folder)) return c->error(400, ui(c->lang, "There is no such folder."));
    unsigned page = 1;
    std::string page_text = c->query.value("page");
    if (!page_text.empty()) {
        auto n = uid_param(page_text);
        if (!n) return c->error(400, ui(c->lang, "There is no such page."));
        page = *n;
    }
    std::size_t page_size = config_.page_size;
    imap::command_job job;
    // EXAMINE, not SELECT: listing must not change anything (not even \Recent).
    job.commands = {"LIST \"\" \"*\"", "EXAMINE " + imap_quoted(folder)};
    job.follow_up = [page, page_size](const imap::command_outcome& done)
        -> std::vector<imap::command_step> {
        if (done.status != "OK" || done.command.rfind("EXAMINE", 0) != 0) return {};
        std::size_t exists = exists_from(done).value_or(0);
        std::vector<imap::command_step> more = {"SEARCH UNSEEN"};
        std::size_t skip = static_cast<std::size_t>(page - 1) * page_size;
        if (exists > skip) {
            // Newest first: the page's messages are the highest sequence numbers not yet shown.
            std::size_t high = exists - skip;
            std::size_t low = high > page_size ? high - page_size + 1 : 1;
            more.emplace_back(fmt::format(
                "FETCH {}:{} (UID FLAGS RFC822.SIZE BODY.PEEK[HEADER.FIELDS (FROM SUBJECT DATE)])",
                low, high));
        }
        return more;
    };
    imap_leg(c, std::move(job), "list " + folder, [this, c, folder, page, page_size](
                                                       const imap::command_result& r) {
        if (!r.logged_in) return fail_leg(c, r.error);
        const imap::command_outcome* examine = outcome_of(r, "EXAMINE");
        if (!examine || examine->status != "OK")
            return c->error(404, ui(c->lang, "There is no such folder."));
        mailbox_view view;
        view.total = exists_from(*examine).value_or(0);
        if (const auto* search = outcome_of(r, "SEARCH")) view.unseen = search_hits(*search).size();
        if (const auto* fetch = outcome_of(r, "FETCH"))
            for (const auto& f : fetches_in(*fetch))
                if (auto row = row_from(f)) view.rows.push_back(std::move(*row));
        std::reverse(view.rows.begin(), view.rows.end());
        view.page = page;
        view.pages = static_cast<unsigned>(std::max<std::size_t>(1, (view.total + page_size - 1) / page_size));
        std::vector<std::string> folders;
        if (const auto* list = outcome_of(r, "LIST")) folders = folders_from(*list);
        page_context ctx = context_for(c, std::move(folders));
        ctx.current_folder = folder;
        c->html(200, mailbox_page(ctx, view));
    });
}

void webmail_app::get_message(const call_ptr& c) {
    std::string folder = folder_param(c->query);
    auto uid = uid_param(c->query.value("uid"));
    if (!uid || breaks_header(folder)) return c->error(400, ui(c->lang, "There is no such message."));
    imap::command_job job;
    // SELECT and BODY[] (not BODY.PEEK[]): reading a message marks it \Seen, as in any client.
    job.commands = {"LIST \"\" \"*\"", "SELECT " + imap_quoted(folder),
                    fmt::format("UID FETCH {} (FLAGS BODY[])", *uid)};
    imap_leg(c, std::move(job), fmt::format("read message {} in {}", *uid, folder),
             [this, c, folder, uid = *uid](const imap::command_result& r) {
        if (!r.logged_in) return fail_leg(c, r.error);
        const auto* fetch = outcome_of(r, "UID FETCH");
        std::optional<std::string> raw;
        bool seen = true;
        if (fetch)
            for (const auto& f : fetches_in(*fetch))
                if (auto body = fetched_string(f, "BODY[]")) raw = std::move(body);
        if (!raw) return c->error(404, ui(c->lang, "There is no such message."));
        message_view view = read_message(std::move(*raw), folder, uid, seen);
        if (!view.removed.empty())
            c->note("webmail.html.sanitized",
                    fmt::format("the mail's HTML was sanitized: {} kind(s) of thing removed ({})",
                                view.removed.size(), view.removed.front()),
                    {{"count", view.removed.size()}, {"removed", view.removed}});
        std::vector<std::string> folders;
        if (const auto* list = outcome_of(r, "LIST")) folders = folders_from(*list);
        page_context ctx = context_for(c, std::move(folders));
        ctx.current_folder = folder;
        c->html(200, message_page(ctx, view));
    });
}

void webmail_app::get_part(const call_ptr& c) {
    std::string folder = folder_param(c->query);
    auto uid = uid_param(c->query.value("uid"));
    std::string part = c->query.value("part");
    bool download = c->query.value("download") == "1";
    if (!uid || !valid_part_number(part) || breaks_header(folder))
        return c->error(400, ui(c->lang, "There is no such attachment."));
    imap::command_job job;
    // Only that part crosses the wire: IMAP's partial fetch, which POP3 cannot do.
    job.commands = {"EXAMINE " + imap_quoted(folder),
                    fmt::format("UID FETCH {} (BODY.PEEK[{}.MIME] BODY.PEEK[{}])", *uid, part, part)};
    imap_leg(c, std::move(job), fmt::format("fetch part {} of message {}", part, *uid),
             [this, c, part, download](const imap::command_result& r) {
        if (!r.logged_in) return fail_leg(c, r.error);
        const auto* fetch = outcome_of(r, "UID FETCH");
        std::optional<std::string> header, body;
        if (fetch)
            for (const auto& f : fetches_in(*fetch)) {
                header = fetched_string(f, "BODY[" + part + ".MIME]");
                body = fetched_string(f, "BODY[" + part + "]");
            }
        if (!body) return c->error(404, ui(c->lang, "There is no such attachment."));
        downloaded_part p = read_part(header.value_or(""), *body, part);
        bool show_inline = !download && is_plain_image(p.content_type);
        if (!show_inline)
            c->note("webmail.attachment.download",
                    fmt::format("attachment \"{}\" ({}, {} bytes) from part {}, sent as a download",
                                p.filename, p.content_type, p.bytes.size(), part),
                    {{"part", part}, {"filename", p.filename}, {"size", p.bytes.size()}});
        response res{beast_http::status::ok, 11};
        res.set(beast_http::field::content_type, p.content_type);
        res.set(beast_http::field::content_disposition, content_disposition(!show_inline, p.filename));
        // Opened directly anyway, the part may do nothing: no script, no plugin, no form.
        res.set("Content-Security-Policy", "sandbox; default-src 'none'");
        res.set(beast_http::field::cache_control, "private, max-age=300");
        res.body() = std::move(p.bytes);
        c->answer(std::move(res));
    });
}

void webmail_app::post_flag(const call_ptr& c) {
    std::string folder = folder_param(c->form);
    auto uid = uid_param(c->form.value("uid"));
    std::string action = c->form.value("action");
    if (!uid || breaks_header(folder)) return c->error(400, ui(c->lang, "There is no such message."));
    std::string back = local_url(c->form.value("back"), url_with("/mailbox", {{"folder", folder}}));
    imap::command_job job;
    job.commands = {"SELECT " + imap_quoted(folder)};
    std::string notice;
    if (action == "read") {
        job.commands.emplace_back(fmt::format("UID STORE {} +FLAGS (\\Seen)", *uid));
        notice = "Marked as read.";
    } else if (action == "unread") {
        job.commands.emplace_back(fmt::format("UID STORE {} -FLAGS (\\Seen)", *uid));
        notice = "Marked as unread.";
        // Showing the message again would fetch it, and fetching sets \Seen again.
        if (back.rfind("/message", 0) == 0) back = url_with("/mailbox", {{"folder", folder}});
    } else if (action == "delete") {
        if (folder != config_.trash_folder) {
            // Like most clients: a deleted mail goes to Trash first. CREATE answers NO when
            // the folder exists already; that is fine (stop_on_no is off).
            job.commands.emplace_back("CREATE " + imap_quoted(config_.trash_folder));
            job.commands.emplace_back(fmt::format("UID COPY {} {}", *uid, imap_quoted(config_.trash_folder)));
            notice = "Moved to Trash.";
        } else {
            notice = "Deleted.";
        }
        job.commands.emplace_back(fmt::format("UID STORE {} +FLAGS (\\Deleted)", *uid));
        // UID EXPUNGE (RFC 4315, UIDPLUS) removes this message only; a plain EXPUNGE would also
        // remove any other message someone flagged \Deleted meanwhile.
        job.commands.emplace_back(fmt::format("UID EXPUNGE {}", *uid));
        // From the message page, there is no message to return to.
        if (back.rfind("/message", 0) == 0) back = url_with("/mailbox", {{"folder", folder}});
    } else {
        return c->error(400, ui(c->lang, "Unknown action."));
    }
    job.stop_on_no = false;
    imap_leg(c, std::move(job), fmt::format("{} message {} in {}", action, *uid, folder),
             [this, c, back, notice](const imap::command_result& r) {
        if (!r.logged_in) return fail_leg(c, r.error);
        // The commands that matter must have succeeded (CREATE may say it exists).
        for (const auto& o : r.outcomes)
            if (o.status != "OK" && o.command.rfind("CREATE", 0) != 0)
                return c->error(404, fmt::format("{} {}: {}", o.command, o.status, o.text));
        web_session* s = nullptr;
        if (sessions_.find(c->session_id, backend_.now_us(), &s) == session_table::lookup::found)
            s->notice = ui(c->lang, notice);
        c->redirect(back);
    });
}

}  // namespace maillab::http::webmail
