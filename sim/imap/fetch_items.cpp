#include "sim/imap/fetch_items.hpp"

#include <ctime>

#include <fmt/format.h>

#include "sim/core/bytes.hpp"

namespace maillab::imap {
namespace {

const mime::part* navigate(const mime::message& m, const std::vector<unsigned>& numbers) {
    const mime::part* cur = &m.root();
    for (std::size_t i = 0; i < numbers.size(); ++i) {
        unsigned n = numbers[i];
        if (n == 0) return nullptr;
        // An enclosed message's parts are numbered under it (RFC 3501 6.4.5).
        const mime::part* container = cur;
        if (cur->is_message() && !cur->children.empty() && i > 0) container = &cur->children[0];
        if (container->is_multipart() && !container->children.empty()) {
            if (n > container->children.size()) return nullptr;
            cur = &container->children[n - 1];
        } else if (n == 1) {
            cur = container;  // a single-part body is part 1
        } else {
            return nullptr;
        }
    }
    return cur;
}

std::string header_subset(const mime::message& m, const mime::part& p,
                          const std::vector<std::string>& names, bool exclude) {
    std::string out;
    for (const auto& f : p.header.fields) {
        bool listed = false;
        for (const auto& n : names) listed = listed || iequals(n, f.name);
        if (listed != exclude) out += f.raw.of(m.raw());
    }
    return out + "\r\n";
}
}  // namespace

std::optional<body_section> parse_body_section(const std::string& atom, std::string& error) {
    body_section s;
    std::string upper = to_upper(atom);
    std::size_t open = upper.find('[');
    std::size_t close = upper.rfind(']');
    if (open == std::string::npos || close == std::string::npos || close < open) {
        error = fmt::format("\"{}\" is not BODY[section]", atom);
        return std::nullopt;
    }
    std::string head = upper.substr(0, open);
    if (head != "BODY" && head != "BODY.PEEK") {
        error = fmt::format("\"{}\" is not BODY[...] or BODY.PEEK[...]", atom);
        return std::nullopt;
    }
    s.peek = head == "BODY.PEEK";
    std::string inner = atom.substr(open + 1, close - open - 1);
    std::string inner_upper = upper.substr(open + 1, close - open - 1);
    // Leading part numbers "1.2."
    std::size_t pos = 0;
    while (pos < inner.size() && std::isdigit(static_cast<unsigned char>(inner[pos]))) {
        std::size_t end = pos;
        while (end < inner.size() && std::isdigit(static_cast<unsigned char>(inner[end]))) ++end;
        s.part.push_back(static_cast<unsigned>(std::stoul(inner.substr(pos, std::min<std::size_t>(end - pos, 6)))));
        pos = end;
        if (pos < inner.size() && inner[pos] == '.') ++pos;
        else break;
    }
    std::string rest = inner_upper.substr(pos);
    std::string rest_raw = inner.substr(pos);
    if (rest.rfind("HEADER.FIELDS", 0) == 0) {
        s.text = rest.rfind("HEADER.FIELDS.NOT", 0) == 0 ? "HEADER.FIELDS.NOT" : "HEADER.FIELDS";
        auto lp = rest_raw.find('('), rp = rest_raw.rfind(')');
        if (lp == std::string::npos || rp == std::string::npos) {
            error = "HEADER.FIELDS needs a list of field names";
            return std::nullopt;
        }
        std::string list = rest_raw.substr(lp + 1, rp - lp - 1);
        std::size_t i = 0;
        while (i < list.size()) {
            while (i < list.size() && list[i] == ' ') ++i;
            std::size_t j = i;
            while (j < list.size() && list[j] != ' ') ++j;
            std::string name = list.substr(i, j - i);
            if (name.size() >= 2 && name.front() == '"') name = name.substr(1, name.size() - 2);
            if (!name.empty()) s.fields.push_back(name);
            i = j;
        }
    } else if (rest == "HEADER" || rest == "TEXT" || rest == "MIME" || rest.empty()) {
        s.text = rest;
        if (rest == "MIME" && s.part.empty()) {
            error = "MIME needs a part number";
            return std::nullopt;
        }
    } else {
        error = fmt::format("unknown section \"{}\"", rest_raw);
        return std::nullopt;
    }
    // <start.count>
    std::string tail = atom.substr(close + 1);
    if (!tail.empty()) {
        std::size_t a = 0, b = 0;
        if (std::sscanf(tail.c_str(), "<%zu.%zu>", &a, &b) != 2 || b == 0) {
            error = fmt::format("\"{}\" is not <start.count>", tail);
            return std::nullopt;
        }
        s.start = a;
        s.count = b;
    }
    s.label = "BODY[" + inner + "]";
    return s;
}

std::optional<std::string> section_bytes(const mime::message& m, const body_section& s) {
    const mime::part* p = navigate(m, s.part);
    if (!p) return std::nullopt;
    std::string out;
    // HEADER and TEXT of a numbered part mean its enclosed message (RFC 3501 6.4.5).
    const mime::part* msg = p;
    if (!s.part.empty() && (s.text == "HEADER" || s.text == "TEXT" || s.text.rfind("HEADER.", 0) == 0)) {
        if (!p->is_message() || p->children.empty()) return std::nullopt;
        msg = &p->children[0];
    }
    if (s.text.empty()) out = std::string(s.part.empty() ? m.raw() : p->body.of(m.raw()));
    else if (s.text == "HEADER") out = std::string(msg->header.range.of(m.raw()));
    else if (s.text == "TEXT") out = std::string(msg->body.of(m.raw()));
    else if (s.text == "MIME") out = std::string(p->header.range.of(m.raw()));
    else out = header_subset(m, *msg, s.fields, s.text == "HEADER.FIELDS.NOT");
    if (s.start) {
        if (*s.start >= out.size()) out.clear();
        else out = out.substr(*s.start, s.count);
    }
    return out;
}

std::string imap_flag_list(const std::set<std::string>& flags, bool recent) {
    std::string out;
    for (const auto& f : flags) out += (out.empty() ? "" : " ") + f;
    if (recent) out += (out.empty() ? "" : " ") + std::string("\\Recent");
    return "(" + out + ")";
}

std::string imap_date_time(std::int64_t unix_us) {
    static constexpr const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                             "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    std::time_t t = static_cast<std::time_t>(unix_us / 1000000);
    std::tm tm{};
    gmtime_r(&t, &tm);
    return fmt::format("{:02d}-{}-{} {:02d}:{:02d}:{:02d} +0000", tm.tm_mday, months[tm.tm_mon],
                       tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

}  // namespace maillab::imap
