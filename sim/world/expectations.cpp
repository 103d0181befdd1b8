#include "sim/world/expectations.hpp"

#include <fmt/format.h>

#include "sim/core/bytes.hpp"
#include "sim/core/event_fields.hpp"
#include "sim/mime/codecs.hpp"
#include "sim/mime/header_lookup.hpp"
#include "sim/smtp/address.hpp"
#include "sim/store/mail_store.hpp"

namespace maillab::world {
namespace {

// Equal values match; a wanted value also matches an array that holds it. Only "text" (the
// event's one-line text) matches by substring: {"action": "bounce"} must not also count
// "bounce_dropped".
bool value_matches(const nlohmann::json& have, const nlohmann::json& want, bool substring) {
    if (substring && want.is_string() && have.is_string())
        return have.get<std::string>().find(want.get<std::string>()) != std::string::npos;
    if (!want.is_array() && have.is_array()) {
        for (const auto& x : have)
            if (value_matches(x, want, substring)) return true;
        return false;
    }
    return have == want;
}

std::string count_words(const expectation_spec& e) {
    return e.count ? fmt::format("exactly {}", *e.count) : std::string("at least one");
}

bool count_ok(const expectation_spec& e, std::size_t n) { return e.count ? n == *e.count : n > 0; }

const mailbox* find_box(const world& w, const std::string& user, const std::string& folder) {
    const mail_store* store = w.store_for_domain(smtp::domain_of(user));
    return store ? store->find_mailbox(user, folder) : nullptr;
}

expectation_result check_mailbox(const world& w, const expectation_spec& e) {
    expectation_result r;
    r.spec = &e;
    std::string what = fmt::format("{} message(s) in {}'s {}", count_words(e), e.user, e.folder);
    if (e.subject) what += fmt::format(" with a subject containing \"{}\"", *e.subject);
    if (e.message_id) what += fmt::format(" with Message-ID {}", *e.message_id);
    for (const auto& f : e.flags) what += fmt::format(" flagged {}", f);
    const mailbox* box = find_box(w, e.user, e.folder);
    std::size_t n = 0;
    std::size_t total = box ? box->messages.size() : 0;
    if (box) {
        for (const auto& m : box->messages) {
            if (e.subject) {
                auto subject = mime::header_value(m.bytes, "Subject");
                if (!subject || mime::decode_header_text(*subject).find(*e.subject) == std::string::npos)
                    continue;
            }
            if (e.message_id && mime::message_id_of(m.bytes) != *e.message_id) continue;
            bool flags = true;
            for (const auto& f : e.flags) flags &= m.flags.count(f) > 0;
            if (!flags) continue;
            ++n;
        }
    }
    if (e.kind == expectation_kind::no_mail) {
        r.summary = fmt::format("no message in {}'s {}{}", e.user, e.folder,
                                e.subject ? fmt::format(" with a subject containing \"{}\"", *e.subject) : "");
        r.passed = n == 0;
    } else {
        r.summary = what;
        r.passed = count_ok(e, n);
    }
    r.found = box ? fmt::format("{} matching of {} message(s)", n, total)
                  : fmt::format("no mailbox {} for {}", e.folder, e.user);
    return r;
}

expectation_result check_bounce(const world& w, const expectation_spec& e) {
    expectation_result r;
    r.spec = &e;
    r.summary = fmt::format("{} delivery status notification(s) in {}'s INBOX", count_words(e), e.user);
    if (e.recipient) r.summary += fmt::format(" for <{}>", *e.recipient);
    if (e.status) r.summary += fmt::format(" with status {}", *e.status);
    const mailbox* box = find_box(w, e.user, "INBOX");
    std::size_t n = 0;
    std::vector<std::string> statuses;
    if (box) {
        for (const auto& m : box->messages) {
            auto type = mime::header_value(m.bytes, "Content-Type");
            if (!type || !icontains(*type, "multipart/report") || !icontains(*type, "delivery-status"))
                continue;
            // The delivery-status part's fields are plain text lines of the message.
            std::string lower = to_lower(m.bytes);
            if (e.recipient && lower.find("final-recipient: rfc822; " + to_lower(*e.recipient)) ==
                                   std::string::npos)
                continue;
            if (e.status && lower.find("status: " + to_lower(*e.status)) == std::string::npos) {
                auto at = lower.find("\r\nstatus: ");
                if (at != std::string::npos)
                    statuses.push_back(m.bytes.substr(at + 10, m.bytes.find('\r', at + 10) - at - 10));
                continue;
            }
            ++n;
        }
    }
    r.passed = count_ok(e, n);
    r.found = fmt::format("{} matching bounce(s)", n);
    if (!statuses.empty()) r.found += fmt::format(" (other statuses: {})", fmt::join(statuses, ", "));
    return r;
}

expectation_result check_trace(const expectation_spec& e, const std::vector<event>& events) {
    expectation_result r;
    r.spec = &e;
    std::size_t n = 0;
    for (const auto& ev : events) {
        switch (e.kind) {
            case expectation_kind::reply:
                if (ev.kind != event_kind::reply || !ev.fields.contains("code") ||
                    ev.fields["code"] != *e.code || (!e.host.empty() && ev.from != e.host))
                    continue;
                break;
            case expectation_kind::state:
                if (ev.kind != event_kind::state || text_field(ev, "machine") != e.machine ||
                    text_field(ev, "to_state") != e.state || (!e.host.empty() && ev.from != e.host))
                    continue;
                break;
            default:
                if (!event_matches(ev, e.match)) continue;
        }
        ++n;
    }
    std::string where = e.host.empty() ? "" : fmt::format(" from {}", e.host);
    if (e.kind == expectation_kind::reply)
        r.summary = fmt::format("{} reply {}{}", count_words(e), *e.code, where);
    else if (e.kind == expectation_kind::state)
        r.summary = fmt::format("{} move of {} to {}{}", count_words(e), e.machine, e.state, where);
    else
        r.summary = fmt::format("{} event matching {}", count_words(e), e.match.dump());
    r.passed = count_ok(e, n);
    r.found = fmt::format("{} found", n);
    return r;
}

}  // namespace

bool event_matches(const event& e, const nlohmann::json& match) {
    for (const auto& [key, want] : match.items()) {
        nlohmann::json have;
        if (key == "kind") have = std::string(to_string(e.kind));
        else if (key == "proto") have = e.proto;
        else if (key == "from") have = e.from;
        else if (key == "to") have = e.to;
        else if (key == "text") have = e.text;
        else if (key == "explain") have = e.explain;
        else if (key == "conn") have = e.conn;
        else if (e.fields.contains(key)) have = e.fields[key];
        else return false;
        if (!value_matches(have, want, key == "text")) return false;
    }
    return true;
}

// The browser on e.host downloaded e.filename, and its bytes are those of the attachment of
// that name some step of the script sent: the file went browser -> webmail -> SMTP -> relay ->
// IMAP -> webmail -> browser without a bit changed.
expectation_result check_download(const world& w, const expectation_spec& e) {
    expectation_result r;
    r.spec = &e;
    r.summary = fmt::format("the browser on {} downloaded {}, byte for byte as it was sent", e.host,
                            e.filename);
    std::vector<const std::string*> sent;
    for (const auto& a : w.spec().script) {
        for (const auto& att : a.message.attachments)
            if (att.filename == e.filename) sent.push_back(&att.bytes);
        for (const auto& step : a.web_steps)
            for (const auto& up : step.attachments)
                if (up.filename == e.filename) sent.push_back(&up.bytes);
    }
    std::size_t seen = 0;
    for (const auto& [host, file] : w.downloads()) {
        if (host != e.host || file.filename != e.filename) continue;
        ++seen;
        for (const std::string* bytes : sent)
            if (*bytes == file.bytes) {
                r.passed = true;
                r.found = fmt::format("{} bytes, identical to the attachment sent", file.bytes.size());
                return r;
            }
        r.found = fmt::format("downloaded {} bytes, but they differ from every attachment of that name "
                              "the script sent",
                              file.bytes.size());
    }
    if (seen == 0) r.found = fmt::format("no download of {} on {}", e.filename, e.host);
    if (sent.empty()) r.found += "; and no step of the script sends an attachment of that name";
    return r;
}

std::vector<expectation_result> check_expectations(const world& w, const std::vector<event>& events) {
    std::vector<expectation_result> out;
    for (const auto& e : w.spec().expectations) {
        switch (e.kind) {
            case expectation_kind::mailbox:
            case expectation_kind::no_mail: out.push_back(check_mailbox(w, e)); break;
            case expectation_kind::bounce: out.push_back(check_bounce(w, e)); break;
            case expectation_kind::queue_empty: {
                expectation_result r;
    r.spec = &e;
                const mail_store* store = w.store_of_host(e.host);
                std::size_t n = store ? store->outbound_queue().size() : 0;
                r.summary = fmt::format("the outbound queue of {} is empty", e.host);
                r.passed = n == 0;
                r.found = fmt::format("{} message(s) queued", n);
                out.push_back(r);
                break;
            }
            case expectation_kind::download: out.push_back(check_download(w, e)); break;
            default: out.push_back(check_trace(e, events));
        }
    }
    return out;
}

}  // namespace maillab::world
