#include "sim/view/mailbox_state.hpp"

#include <algorithm>
#include <cctype>

#include "sim/core/event_fields.hpp"
#include "sim/imap/mailbox_name.hpp"
#include "sim/mime/message.hpp"

namespace maillab::view {
namespace {

std::string action_of(const event& e) { return text_field(e, "action"); }

std::uint32_t uid_of(const nlohmann::json& fields) {
    return static_cast<std::uint32_t>(count_field(fields, "uid"));
}

user_mail& user_entry(std::vector<user_mail>& users, const std::string& host,
                      const std::string& user) {
    for (auto& u : users)
        if (u.host == host && u.user == user) return u;
    users.push_back({host, user, {{"INBOX", {}}}});
    return users.back();
}

mail_folder& folder_entry(user_mail& u, const std::string& name) {
    // RFC 3501 5.1: INBOX is case-insensitive, every other name is not.
    bool inbox =
        name.size() == 5 && std::equal(name.begin(), name.end(), "INBOX", [](char a, char b) {
            return std::toupper(static_cast<unsigned char>(a)) == b;
        });
    for (auto& f : u.folders)
        if (f.name == (inbox ? std::string("INBOX") : name)) return f;
    u.folders.push_back({name, {}});
    return u.folders.back();
}

stored_mail* find_uid(mail_folder& f, std::uint32_t uid) {
    for (auto& m : f.messages)
        if (m.uid == uid) return &m;
    return nullptr;
}

void insert_sorted(mail_folder& f, stored_mail m) {
    auto at = std::lower_bound(f.messages.begin(), f.messages.end(), m.uid,
                               [](const stored_mail& a, std::uint32_t uid) { return a.uid < uid; });
    if (at != f.messages.end() && at->uid == m.uid)
        *at = std::move(m);  // a UID is never reused
    else
        f.messages.insert(at, std::move(m));
}

// The argument after the verb of an IMAP command line ("a2 SELECT \"INBOX\"" -> INBOX), its
// modified UTF-7 decoded (RFC 3501 5.1.3) as the store's names are.
std::string first_argument(std::string_view line) {
    std::size_t at = line.find(' ');
    if (at != std::string_view::npos) at = line.find(' ', at + 1);
    if (at == std::string_view::npos) return {};
    std::string_view rest = line.substr(at + 1);
    std::string word;
    if (!rest.empty() && rest.front() == '"') {
        for (std::size_t i = 1; i < rest.size() && rest[i] != '"'; ++i) {
            if (rest[i] == '\\' && i + 1 < rest.size()) ++i;
            word += rest[i];
        }
    } else {
        word = std::string(rest.substr(0, rest.find(' ')));
    }
    return imap::decode_mailbox_name(word).value_or(word);
}

// The flags an APPEND gives its message: "a3 APPEND \"Sent\" (\\Seen) {800+}" -> {\Seen}.
// The store event does not list them, its command does.
std::set<std::string> append_flags(std::string_view command_line) {
    std::size_t literal = command_line.find('{');
    std::size_t open = command_line.find(" (");
    if (open == std::string_view::npos || (literal != std::string_view::npos && open > literal))
        return {};
    std::size_t close = command_line.find(')', open);
    if (close == std::string_view::npos) return {};
    return parse_flag_list(command_line.substr(open + 1, close - open));
}

}  // namespace

const mail_folder* user_mail::folder(std::string_view name) const {
    for (const auto& f : folders)
        if (f.name == name) return &f;
    return nullptr;
}

std::size_t user_mail::message_count() const {
    std::size_t n = 0;
    for (const auto& f : folders) n += f.messages.size();
    return n;
}

std::optional<copy_origin> copy_source(const trace_model& model, std::size_t store_event) {
    const event& e = model.at(store_event);
    constexpr std::string_view prefix = "copied UID ";
    if (e.kind != event_kind::store || e.raw || e.text.rfind(prefix, 0) != 0) return std::nullopt;
    copy_origin origin;
    for (std::size_t i = prefix.size();
         i < e.text.size() && std::isdigit(static_cast<unsigned char>(e.text[i])); ++i)
        origin.uid = origin.uid * 10 + static_cast<std::uint32_t>(e.text[i] - '0');
    for (std::size_t i = store_event; i-- > 0;) {
        const event& c = model.at(i);
        if (c.conn != e.conn || c.kind != event_kind::command) continue;
        std::string verb = text_field(c, "verb");
        if (verb != "SELECT" && verb != "EXAMINE") continue;
        origin.mailbox = first_argument(c.text);
        return origin;
    }
    return std::nullopt;
}

std::set<std::string> parse_flag_list(std::string_view list) {
    std::set<std::string> out;
    std::string word;
    for (char c : list) {
        if (c == '(' || c == ')' || c == ' ') {
            if (!word.empty()) out.insert(std::move(word));
            word.clear();
        } else {
            word += c;
        }
    }
    if (!word.empty()) out.insert(std::move(word));
    return out;
}

void mailbox_history::update(const trace_model& model) {
    if (scanned_ > model.size()) *this = {};  // a different, shorter trace
    for (; scanned_ < model.size(); ++scanned_) {
        const event& e = model.at(scanned_);
        if (e.kind != event_kind::store) continue;
        summary s;
        s.message_id = text_field(e, "message_id");
        if (e.raw) {
            mime::message m(*e.raw);
            s.subject = m.header_text(m.root(), "Subject");
            s.from = m.header_text(m.root(), "From");
            if (s.message_id.empty())
                s.message_id = mime::unfold(m.header_raw(m.root(), "Message-ID").value_or(""));
            // Unfolding keeps the space after the colon.
            s.message_id.erase(0, s.message_id.find_first_not_of(" \t"));
        }
        if (text_field(e, "action") == "append") {
            if (e.raw && e.cause)
                if (auto command = model.index_of_seq(*e.cause))
                    s.flags = append_flags(model.at(*command).text);
            if (auto origin = copy_source(model, scanned_)) {
                s.copied_from_mailbox = origin->mailbox;
                s.copied_from_uid = origin->uid;
            }
        }
        store_events_.push_back(scanned_);
        summaries_.push_back(std::move(s));
    }
}

std::vector<user_mail> mailbox_history::at(const trace_model& model, std::size_t cursor) const {
    std::vector<user_mail> users;
    for (std::size_t k = 0; k < store_events_.size() && store_events_[k] <= cursor; ++k) {
        std::size_t index = store_events_[k];
        const event& e = model.at(index);
        std::string user = text_field(e, "user");
        std::string box = text_field(e, "mailbox", "INBOX");
        if (user.empty()) continue;
        user_mail& u = user_entry(users, e.from, user);
        mail_folder& f = folder_entry(u, box);
        std::uint32_t uid = uid_of(e.fields);
        std::string action = action_of(e);
        if (action == "deliver" || action == "append") {
            stored_mail m;
            m.uid = uid;
            m.size = count_field(e, "size", e.raw ? e.raw->size() : 0);
            m.message_id = summaries_[k].message_id;
            m.subject = summaries_[k].subject;
            m.from = summaries_[k].from;
            m.added_event = m.changed_event = index;
            if (e.raw) m.source_event = index;
            m.flags = summaries_[k].flags;
            // An IMAP COPY: the message and its flags come from the source mailbox.
            if (!e.raw && !summaries_[k].copied_from_mailbox.empty()) {
                mail_folder& source = folder_entry(u, summaries_[k].copied_from_mailbox);
                if (const stored_mail* original = find_uid(source, summaries_[k].copied_from_uid)) {
                    stored_mail copy = *original;
                    copy.uid = uid;
                    copy.added_event = copy.changed_event = index;
                    m = std::move(copy);
                }
            }
            insert_sorted(f, std::move(m));
        } else if (action == "flags") {
            if (stored_mail* m = find_uid(f, uid)) {
                m->flags = parse_flag_list(text_field(e, "flags"));
                m->changed_event = index;
            }
        } else if (action == "expunge") {
            std::erase_if(f.messages, [&](const stored_mail& m) { return m.uid == uid; });
        }
    }
    return users;
}

}  // namespace maillab::view
