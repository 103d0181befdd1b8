#include "sim/imap/search.hpp"

#include <algorithm>
#include <functional>

#include <fmt/format.h>

#include "sim/core/bytes.hpp"
#include "sim/mime/date.hpp"
#include "sim/mime/message.hpp"

namespace maillab::imap {

struct search_program::node {
    std::string key;  // upper-case
    std::string arg;  // text, header name, date, size
    std::string arg2; // HEADER's value
    std::optional<sequence_set> set;
    bool by_uid = false;
    std::vector<std::shared_ptr<node>> children;  // AND list, OR pair, NOT one
};

namespace {
using node_ptr = std::shared_ptr<search_program::node>;

bool contains_folded(std::string_view hay, std::string_view needle) {
    if (needle.empty()) return true;
    std::string h = to_lower(hay), n = to_lower(needle);
    return h.find(n) != std::string::npos;
}

// "1-Feb-1994" -> days since the epoch (the date part only, RFC 3501 6.4.4).
std::optional<std::int64_t> search_day(const std::string& text) {
    std::string t = text;
    std::replace(t.begin(), t.end(), '-', ' ');
    auto d = mime::parse_mail_date(t + " 00:00:00 +0000");
    if (!d) return std::nullopt;
    return d->unix_seconds / 86400;
}

class parser {
public:
    parser(const std::vector<token>& a, std::size_t from, std::string& err) : args(a), i(from), error(err) {}
    const std::vector<token>& args;
    std::size_t i;
    std::string& error;

    node_ptr all() {
        auto n = std::make_shared<search_program::node>();
        n->key = "AND";
        while (i < args.size()) {
            auto c = one();
            if (!c) return nullptr;
            n->children.push_back(c);
        }
        return n;
    }
    node_ptr one() {
        if (i >= args.size()) {
            error = "a search key is missing";
            return nullptr;
        }
        const token& t = args[i++];
        auto n = std::make_shared<search_program::node>();
        if (t.is_list()) {
            std::vector<token> inner = t.items;
            parser sub(inner, 0, error);
            return sub.all();
        }
        std::string key = to_upper(t.text);
        n->key = key;
        auto need = [&](const char* what) -> bool {
            if (i >= args.size()) {
                error = fmt::format("{} needs {}", key, what);
                return false;
            }
            return true;
        };
        static const std::set<std::string> flag_keys{
            "ALL", "ANSWERED", "DELETED", "DRAFT", "FLAGGED", "NEW", "OLD", "RECENT", "SEEN",
            "UNANSWERED", "UNDELETED", "UNDRAFT", "UNFLAGGED", "UNSEEN"};
        static const std::set<std::string> text_keys{"BCC", "BODY", "CC", "FROM", "SUBJECT", "TEXT", "TO",
                                                     "KEYWORD", "UNKEYWORD"};
        static const std::set<std::string> date_keys{"BEFORE", "ON", "SINCE", "SENTBEFORE", "SENTON", "SENTSINCE"};
        if (flag_keys.count(key)) return n;
        if (text_keys.count(key)) {
            if (!need("a string")) return nullptr;
            n->arg = args[i++].text;
            return n;
        }
        if (date_keys.count(key)) {
            if (!need("a date")) return nullptr;
            n->arg = args[i++].text;
            if (!search_day(n->arg)) {
                error = fmt::format("\"{}\" is not a date like 1-Feb-1994", n->arg);
                return nullptr;
            }
            return n;
        }
        if (key == "LARGER" || key == "SMALLER") {
            if (!need("a number")) return nullptr;
            n->arg = args[i++].text;
            if (n->arg.empty() || !std::all_of(n->arg.begin(), n->arg.end(), ::isdigit)) {
                error = fmt::format("{} needs a number", key);
                return nullptr;
            }
            return n;
        }
        if (key == "HEADER") {
            if (!need("a field name and a string")) return nullptr;
            n->arg = args[i++].text;
            if (!need("a string")) return nullptr;
            n->arg2 = args[i++].text;
            return n;
        }
        if (key == "UID") {
            if (!need("a UID set")) return nullptr;
            n->set = sequence_set::parse(args[i++].text);
            n->by_uid = true;
            if (!n->set) {
                error = "UID needs a set like 1:5,9";
                return nullptr;
            }
            return n;
        }
        if (key == "NOT") {
            auto c = one();
            if (!c) return nullptr;
            n->children.push_back(c);
            return n;
        }
        if (key == "OR") {
            auto a = one();
            if (!a) return nullptr;
            auto b = one();
            if (!b) return nullptr;
            n->children = {a, b};
            return n;
        }
        if (auto set = sequence_set::parse(t.text)) {
            n->key = "SET";
            n->set = set;
            return n;
        }
        error = fmt::format("unknown search key \"{}\"", t.text);
        return nullptr;
    }
};

bool eval(const search_program::node& n, const search_context& c, const mime::message* m) {
    const stored_message& msg = *c.message;
    auto has = [&](const char* f) { return msg.flags.count(f) > 0; };
    const std::string& k = n.key;
    if (k == "AND") {
        for (const auto& ch : n.children)
            if (!eval(*ch, c, m)) return false;
        return true;
    }
    if (k == "OR") return eval(*n.children[0], c, m) || eval(*n.children[1], c, m);
    if (k == "NOT") return !eval(*n.children[0], c, m);
    if (k == "ALL") return true;
    if (k == "ANSWERED") return has("\\Answered");
    if (k == "DELETED") return has("\\Deleted");
    if (k == "DRAFT") return has("\\Draft");
    if (k == "FLAGGED") return has("\\Flagged");
    if (k == "SEEN") return has("\\Seen");
    if (k == "UNANSWERED") return !has("\\Answered");
    if (k == "UNDELETED") return !has("\\Deleted");
    if (k == "UNDRAFT") return !has("\\Draft");
    if (k == "UNFLAGGED") return !has("\\Flagged");
    if (k == "UNSEEN") return !has("\\Seen");
    if (k == "RECENT") return c.recent;
    if (k == "OLD") return !c.recent;
    if (k == "NEW") return c.recent && !has("\\Seen");
    if (k == "KEYWORD") return msg.flags.count(n.arg) > 0;
    if (k == "UNKEYWORD") return msg.flags.count(n.arg) == 0;
    if (k == "LARGER") return msg.bytes.size() > std::stoull(n.arg);
    if (k == "SMALLER") return msg.bytes.size() < std::stoull(n.arg);
    if (k == "SET") return n.set->contains(c.sequence, c.max_sequence);
    if (k == "UID") return n.set->contains(msg.uid, c.max_uid);
    if (k == "BEFORE" || k == "ON" || k == "SINCE") {
        std::int64_t day = msg.internal_date_us / 1000000 / 86400;
        std::int64_t want = *search_day(n.arg);
        return k == "BEFORE" ? day < want : k == "ON" ? day == want : day >= want;
    }
    if (k == "SENTBEFORE" || k == "SENTON" || k == "SENTSINCE") {
        auto date = m->header_raw(m->root(), "Date");
        auto parsed = date ? mime::parse_mail_date(*date) : std::nullopt;
        if (!parsed) return false;
        std::int64_t day = (parsed->unix_seconds + parsed->offset_minutes * 60) / 86400;
        std::int64_t want = *search_day(n.arg);
        return k == "SENTBEFORE" ? day < want : k == "SENTON" ? day == want : day >= want;
    }
    if (k == "FROM" || k == "TO" || k == "CC" || k == "BCC" || k == "SUBJECT")
        return contains_folded(m->header_text(m->root(), k), n.arg);
    if (k == "HEADER") {
        if (!m->root().header.find(n.arg)) return false;
        return contains_folded(m->header_text(m->root(), n.arg), n.arg2);
    }
    if (k == "BODY" || k == "TEXT") {
        // Decoded text of every text part (a search for Chinese must find base64 text).
        std::string text;
        std::function<void(const mime::part&)> walk = [&](const mime::part& p) {
            if (p.children.empty() && p.type.type == "text") text += m->text(p) + "\n";
            for (const auto& ch : p.children) walk(ch);
        };
        walk(m->root());
        if (k == "TEXT") text += std::string(m->root().header.range.of(m->raw()));
        return contains_folded(text, n.arg);
    }
    return false;
}
}  // namespace

std::optional<search_program> search_program::parse(const std::vector<token>& args,
                                                    std::size_t from, std::string& error) {
    parser p(args, from, error);
    auto root = p.all();
    if (!root) return std::nullopt;
    search_program prog;
    prog.root_ = root;
    return prog;
}

bool search_program::matches(const search_context& c) const {
    mime::message m(c.message->bytes);
    return eval(*root_, c, &m);
}

}  // namespace maillab::imap
