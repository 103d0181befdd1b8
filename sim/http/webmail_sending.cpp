// The webmail sends: the compose form (empty, or a reply filled from the original), then the
// posted form becomes a MIME message, goes out over the webmail's own authenticated SMTP
// submission connection, and a copy is kept in Sent with IMAP APPEND.
#include <fmt/format.h>

#include "sim/core/clock.hpp"
#include "sim/http/webmail_app.hpp"
#include "sim/http/webmail_call.hpp"
#include "sim/http/webmail_views.hpp"
#include "sim/mime/address.hpp"
#include "sim/mime/builder.hpp"
#include "sim/mime/message.hpp"
#include "sim/smtp/address.hpp"

namespace maillab::http::webmail {

namespace {

// "> " before every line of the original text, as replies have always been quoted.
std::string quote_lines(std::string_view text) {
    std::string out;
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t end = text.find('\n', start);
        std::string_view line = text.substr(start, end == std::string_view::npos ? end : end - start);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        out += "> ";
        out += line;
        out += "\n";
        if (end == std::string_view::npos) break;
        start = end + 1;
    }
    return out;
}

// The addresses of a To or Cc field ("Bob <bob@b.example>, carol@c.example"); `bad` gets the
// first entry that is not a usable address.
std::vector<std::string> envelope_addresses(std::string_view field, std::string& bad) {
    std::vector<std::string> out;
    for (const auto& entry : mime::parse_address_list(field))
        for (const auto& member : entry.members) {
            if (!smtp::plausible_mailbox(member.address)) {
                if (bad.empty()) bad = member.address.empty() ? std::string(field) : member.address;
                continue;
            }
            out.push_back(member.address);
        }
    return out;
}

}  // namespace

void webmail_app::get_compose(const call_ptr& c) {
    std::string reply = c->query.value("reply");
    if (reply.empty()) {
        compose_view view;
        view.to = c->query.value("to");
        if (breaks_header(view.to)) view.to.clear();
        return show_compose(c, view, 200);
    }
    std::string folder = folder_param(c->query);
    if (breaks_header(folder) || reply.find_first_not_of("0123456789") != std::string::npos)
        return c->error(400, ui(c->lang, "There is no such message."));
    imap::command_job job;
    job.commands = {"EXAMINE " + imap_quoted(folder), fmt::format("UID FETCH {} (BODY.PEEK[])", reply)};
    imap_leg(c, std::move(job), "read the mail being answered", [this, c](const imap::command_result& r) {
        if (!r.logged_in) return fail_leg(c, r.error);
        std::optional<std::string> raw;
        for (const auto& o : r.outcomes)
            for (const auto& f : fetches_in(o))
                if (auto body = fetched_string(f, "BODY[]")) raw = std::move(body);
        if (!raw) return c->error(404, ui(c->lang, "There is no such message."));
        message_view original = read_message(*raw, "", 0, true);
        mime::message m(std::move(*raw));
        compose_view view;
        std::string reply_to = m.header_text(m.root(), "Reply-To");
        view.to = reply_to.empty() ? original.from : reply_to;
        view.subject = original.subject.rfind("Re:", 0) == 0 ? original.subject : "Re: " + original.subject;
        view.in_reply_to = original.message_id;
        std::string refs = m.header_text(m.root(), "References");
        view.references = refs.empty() ? original.message_id : refs + " " + original.message_id;
        view.body = "\n\n" + fmt::format("{} {}:\n", original.from, ui(c->lang, "wrote")) +
                    quote_lines(original.text);
        show_compose(c, view, 200);
    });
}

void webmail_app::show_compose(const call_ptr& c, const compose_view& view, unsigned status) {
    imap::command_job job;
    job.commands = {"LIST \"\" \"*\""};
    imap_leg(c, std::move(job), "list the folders", [this, c, view, status](const imap::command_result& r) {
        std::vector<std::string> folders;
        if (!r.outcomes.empty()) folders = folders_from(r.outcomes.front());
        c->html(status, compose_page(context_for(c, std::move(folders)), view));
    });
}

void webmail_app::post_send(const call_ptr& c) {
    compose_view view;
    view.to = c->form.value("to");
    view.cc = c->form.value("cc");
    view.subject = c->form.value("subject");
    view.body = c->form.value("body");
    view.in_reply_to = c->form.value("in_reply_to");
    view.references = c->form.value("references");

    // Everything that becomes a header line: a CR or LF would end it and start another one
    // ("Bcc: everyone@..."), so such a form is refused, not repaired.
    std::vector<std::pair<std::string, std::string>> header_fields = {
        {"to", view.to}, {"cc", view.cc}, {"subject", view.subject},
        {"in_reply_to", view.in_reply_to}, {"references", view.references}};
    for (const form_field& f : c->form.fields)
        if (f.filename) header_fields.emplace_back("attachment filename", *f.filename);
    for (const auto& [name, value] : header_fields) {
        if (!breaks_header(value)) continue;
        c->note("webmail.header_injection.refused",
                fmt::format("form field {} holds a line break: it would become a header of its "
                            "own, refused",
                            name),
                {{"field", name}});
        return c->error(400, fmt::format("{} ({})",
                                         ui(c->lang, "A line break is not allowed in this field."),
                                         name));
    }

    std::string bad;
    std::vector<std::string> recipients = envelope_addresses(view.to, bad);
    for (auto& a : envelope_addresses(view.cc, bad)) recipients.push_back(std::move(a));
    if (!bad.empty() || recipients.empty()) {
        view.error = bad.empty() ? ui(c->lang, "Please give at least one recipient.")
                                 : ui(c->lang, "Not a valid address: ") + bad;
        return show_compose(c, view, 400);
    }

    mime::compose_request mail;
    mail.from = c->user;
    for (const auto& entry : mime::parse_address_list(view.to))
        for (const auto& m : entry.members)
            mail.to.push_back(m.display_name.empty() ? m.address : m.display_name + " <" + m.address + ">");
    for (const auto& entry : mime::parse_address_list(view.cc))
        for (const auto& m : entry.members)
            mail.cc.push_back(m.display_name.empty() ? m.address : m.display_name + " <" + m.address + ">");
    mail.subject = view.subject;
    // Line ends as the browser sent them (CRLF in a textarea); the builder writes CRLF.
    mail.text = view.body.empty() ? "\n" : view.body;
    for (const form_field& f : c->form.fields) {
        if (f.name != "attachment" || !f.filename || (f.filename->empty() && f.value.empty())) continue;
        mime::attachment a;
        a.filename = safe_filename(*f.filename, "attachment.bin");
        a.content_type = f.content_type.empty() ? "application/octet-stream" : f.content_type;
        a.bytes = f.value;
        mail.attachments.push_back(std::move(a));
    }
    mail.date = rfc5322_date(backend_.now_us());
    mail.message_id = fmt::format("<{}@{}>", backend_.random_token(), backend_.host_name());
    std::string message;
    try {
        message = mime::build_message(mail);
    } catch (const std::invalid_argument& e) {
        view.error = e.what();
        return show_compose(c, view, 400);
    }
    // The builder knows no threading headers; they go in front (header order does not matter).
    std::string threading;
    if (!view.in_reply_to.empty()) threading += "In-Reply-To: " + view.in_reply_to + "\r\n";
    if (!view.references.empty()) threading += "References: " + view.references + "\r\n";
    message = threading + message;

    smtp::client_job job;
    job.helo_name = backend_.host_name();
    job.mail_from = c->user;
    job.recipients = recipients;
    job.message = message;
    job.user = c->user;
    job.password = c->password;
    job.use_starttls = config_.use_starttls;
    std::string message_id = mail.message_id;
    std::uint64_t leg = c->note(
        "webmail.leg.smtp",
        fmt::format("the webmail submits the mail to {} with its own SMTP connection, "
                    "authenticated as {}",
                    backend_.submission_server(), c->user),
        {{"server", backend_.submission_server()}, {"user", c->user}, {"message_id", message_id}});
    backend_.submit(std::move(job), leg, [this, c, view, message, message_id](const smtp::client_result& r) mutable {
        if (!r.accepted) {
            view.error = ui(c->lang, "The mail server did not accept the mail: ") + r.error;
            return show_compose(c, view, 502);
        }
        // A copy in Sent, as the user expects; CREATE answers NO when it exists already.
        imap::command_job save;
        save.stop_on_no = false;
        save.commands = {"CREATE " + imap_quoted(config_.sent_folder),
                         imap::command_step("APPEND " + imap_quoted(config_.sent_folder) + " (\\Seen)", message)};
        imap_leg(c, std::move(save), "save a copy in " + config_.sent_folder,
                 [this, c, message_id](const imap::command_result& saved) {
            bool copied = false;
            for (const auto& o : saved.outcomes)
                if (o.command.rfind("APPEND", 0) == 0) copied = o.status == "OK";
            c->note("webmail.compose.sent",
                    copied ? fmt::format("the mail {} was accepted for delivery; a copy is in {}",
                                         message_id, config_.sent_folder)
                           : fmt::format("the mail {} was accepted for delivery; no copy could be "
                                         "kept in {} ({})",
                                         message_id, config_.sent_folder,
                                         saved.error.empty() ? "APPEND refused" : saved.error),
                    {{"message_id", message_id}, {"copied", copied}});
            web_session* s = nullptr;
            if (sessions_.find(c->session_id, backend_.now_us(), &s) == session_table::lookup::found)
                s->notice = ui(c->lang, "Mail sent.");
            c->redirect("/mailbox");
        });
    });
}

}  // namespace maillab::http::webmail
