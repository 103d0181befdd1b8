// IMAP response splitter and parser: theory of operation.
//
// RFC 3501 2.2.2 and 7: the server sends lines; a line ending in "{n}" CRLF is followed by n
// octets of literal and then the line goes on (a FETCH of three sections has three literals in
// one response). The splitter only needs that rule to find where a response ends, so it scans
// each octet once: it looks for LF, checks whether the line before it ends in "{n}", skips n
// octets, and repeats. Limits are checked as soon as they can be: a literal's size when its
// "{n}" is read, before any of its octets are kept.
//
// The parser then reads one whole response with the grammar of RFC 3501 9, generously: spaces
// between values may be missing or doubled, any escaped character in a quoted string stands for
// itself, and a malformed value stops the parse with a message, never an exception out of it.
// Two places differ from a naive tokenizer:
//   - FETCH item names carry a section in brackets (RFC 3501 7.4.2: BODY[<section>]<<origin>>),
//     which may contain spaces and parentheses: BODY[HEADER.FIELDS (FROM SUBJECT)]<0> is one
//     atom, so the item name and its value stay paired.
//   - The text of a status response (RFC 3501 7.1) is human text, not values; only the optional
//     response code in brackets is parsed.

#include "sim/imap/response_parser.hpp"

#include <algorithm>
#include <cctype>
#include <limits>

#include <fmt/format.h>

#include "sim/core/bytes.hpp"

namespace maillab::imap {
namespace {

struct fault {
    std::string what;
};

bool is_digits(std::string_view s) {
    return !s.empty() &&
           std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool is_status_word(std::string_view w) {
    for (std::string_view s : {"OK", "NO", "BAD", "PREAUTH", "BYE"})
        if (iequals(w, s)) return true;
    return false;
}

std::string shown(char c) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x7f) return fmt::format("0x{:02X}", u);
    return fmt::format("'{}'", c);
}

class scanner {
public:
    explicit scanner(std::string_view s) : s_(s) {}

    std::size_t pos = 0;

    // At the line end that closes the response (or at the end of what was given).
    bool at_end() const {
        std::string_view rest = s_.substr(std::min(pos, s_.size()));
        return rest.empty() || rest == "\r\n" || rest == "\n" || rest == "\r";
    }
    char peek() const {
        if (pos >= s_.size()) throw fault{"the response ends in the middle of a value"};
        return s_[pos];
    }
    void skip_spaces() {
        while (pos < s_.size() && s_[pos] == ' ') ++pos;
    }
    std::string_view slice(std::size_t from, std::size_t to) const {
        return s_.substr(from, to - from);
    }
    // The rest of the line, without its line end.
    std::string rest_of_line() {
        std::string_view rest = s_.substr(std::min(pos, s_.size()));
        while (!rest.empty() && (rest.back() == '\n' || rest.back() == '\r')) rest.remove_suffix(1);
        pos = s_.size();
        return std::string(rest);
    }
    // The tag: everything up to the first space or line end; "+" alone, as no tag starts
    // with it (RFC 3501 9: tag excludes "+"), even when the space after it is missing.
    std::string tag() {
        std::size_t start = pos;
        if (pos < s_.size() && s_[pos] == '+') return std::string(s_.substr(pos++, 1));
        while (pos < s_.size() && s_[pos] != ' ' && s_[pos] != '\r' && s_[pos] != '\n') ++pos;
        return std::string(slice(start, pos));
    }

    // in_code: inside "[...]" after a status, where "]" ends an atom (RFC 3501 9 resp-specials).
    value any(int depth, bool in_code) {
        // Deep nesting is the only way a response could exhaust the stack.
        if (depth > 64) throw fault{"lists nested more than 64 deep"};
        char c = peek();
        if (c == '(') return list(depth, in_code);
        if (c == '"') return quoted();
        if (c == '{') return literal();
        return atom(in_code);
    }

    value code() {
        std::size_t open = pos++;  // at '['
        value v;
        v.k = value::kind::code;
        for (;;) {
            skip_spaces();
            if (peek() == ']') break;
            v.items.push_back(any(1, true));
        }
        v.text = std::string(slice(open + 1, pos));
        ++pos;
        return v;
    }

private:
    value list(int depth, bool in_code) {
        std::size_t open = pos++;
        value v;
        v.k = value::kind::list;
        for (;;) {
            skip_spaces();
            if (at_end())
                throw fault{fmt::format("the list opened at offset {} is not closed", open)};
            if (peek() == ')') break;
            v.items.push_back(any(depth + 1, in_code));
        }
        ++pos;
        return v;
    }

    value quoted() {
        ++pos;
        value v;
        v.k = value::kind::string;
        for (;;) {
            char c = peek();
            if (c == '"') break;
            if (c == '\r' || c == '\n')
                throw fault{"a quoted string cannot contain a line break"};
            if (c == '\\') {
                ++pos;
                c = peek();  // RFC 3501 9 allows only \" and \\; others stand for themselves
            }
            v.text += c;
            ++pos;
        }
        ++pos;
        return v;
    }

    value literal() {
        std::size_t open = pos++;
        std::size_t digits_at = pos;
        while (pos < s_.size() && s_[pos] >= '0' && s_[pos] <= '9') ++pos;
        std::string_view digits = slice(digits_at, pos);
        if (digits.empty() || digits.size() > 18 || peek() != '}')
            throw fault{fmt::format("malformed literal at offset {}: expected {{n}}", open)};
        ++pos;
        if (pos < s_.size() && s_[pos] == '\r') ++pos;
        if (peek() != '\n') throw fault{"a literal's {n} must end the line"};
        ++pos;
        std::size_t size = std::stoull(std::string(digits));
        if (s_.size() - pos < size)
            throw fault{fmt::format("the literal at offset {} announces {} octets, {} follow", open,
                                    size, s_.size() - pos)};
        value v;
        v.k = value::kind::string;
        v.literal = true;
        v.text = std::string(s_.substr(pos, size));
        pos += size;
        return v;
    }

    value atom(bool in_code) {
        std::size_t start = pos;
        while (pos < s_.size()) {
            char c = s_[pos];
            if (c == '[' && !in_code) {
                section();
                continue;
            }
            if (c == ' ' || c == '(' || c == ')' || c == '"' || c == '\r' || c == '\n') break;
            if (c == ']' && in_code) break;
            if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
                throw fault{fmt::format("control character {} at offset {}", shown(c), pos)};
            ++pos;
        }
        if (pos == start)
            throw fault{pos < s_.size()
                            ? fmt::format("unexpected {} at offset {}", shown(s_[pos]), pos)
                            : std::string("the response ends in the middle of a value")};
        value v;
        v.text = std::string(slice(start, pos));
        if (is_digits(v.text)) v.k = value::kind::number;
        else if (iequals(v.text, "NIL")) v.k = value::kind::nil;
        return v;
    }

    // "[HEADER.FIELDS (FROM SUBJECT)]": up to the matching bracket, quoted names included.
    void section() {
        std::size_t open = pos++;
        int depth = 1;
        while (depth > 0) {
            if (pos >= s_.size() || s_[pos] == '\r' || s_[pos] == '\n')
                throw fault{fmt::format("the section opened at offset {} is not closed", open)};
            char c = s_[pos++];
            if (c == '[') ++depth;
            else if (c == ']') --depth;
            else if (c == '"') {
                while (pos < s_.size() && s_[pos] != '"' && s_[pos] != '\r' && s_[pos] != '\n')
                    pos += s_[pos] == '\\' ? 2 : 1;
                if (pos < s_.size() && s_[pos] == '"') ++pos;
            }
        }
    }

    std::string_view s_;
};

}  // namespace

bool value::is_atom(std::string_view name) const { return k == kind::atom && iequals(text, name); }

std::optional<std::uint64_t> value::as_number() const {
    if (k != kind::number || text.empty() || text.size() > 20) return std::nullopt;
    std::uint64_t n = 0;
    for (char c : text) {
        auto d = static_cast<std::uint64_t>(c - '0');
        if (n > (std::numeric_limits<std::uint64_t>::max() - d) / 10) return std::nullopt;
        n = n * 10 + d;
    }
    return n;
}

std::optional<std::string> value::as_string() const {
    if (k == kind::atom || k == kind::number || k == kind::string) return text;
    return std::nullopt;
}

std::string_view to_string(value::kind k) {
    switch (k) {
        case value::kind::atom: return "atom";
        case value::kind::number: return "number";
        case value::kind::string: return "string";
        case value::kind::nil: return "nil";
        case value::kind::list: return "list";
        case value::kind::code: return "code";
    }
    return "?";
}

std::string to_imap(const value& v) {
    auto joined = [&](char open, char close) {
        std::string out(1, open);
        for (std::size_t i = 0; i < v.items.size(); ++i) {
            if (i) out += ' ';
            out += to_imap(v.items[i]);
        }
        return out + close;
    };
    switch (v.k) {
        case value::kind::atom:
        case value::kind::number: return v.text;
        case value::kind::nil: return "NIL";
        case value::kind::list: return joined('(', ')');
        case value::kind::code: return joined('[', ']');
        case value::kind::string: {
            bool plain = !v.literal && std::all_of(v.text.begin(), v.text.end(), [](char c) {
                auto u = static_cast<unsigned char>(c);
                return u >= 0x20 && u < 0x7f;
            });
            if (!plain) return fmt::format("{{{}}}\r\n{}", v.text.size(), v.text);
            std::string out = "\"";
            for (char c : v.text) {
                if (c == '"' || c == '\\') out += '\\';
                out += c;
            }
            return out + '"';
        }
    }
    return "";
}

std::string response::status() const {
    if (words.empty() || !words[0].is_atom() || !is_status_word(words[0].text)) return "";
    return to_upper(words[0].text);
}

const value* response::code() const {
    if (words.size() < 2 || !words[1].is_code() || status().empty()) return nullptr;
    return &words[1];
}

response parse_response(std::string_view raw) {
    response r;
    r.raw = std::string(raw);
    scanner sc(raw);
    try {
        r.tag = sc.tag();
        if (r.tag.empty()) throw fault{"a response must start with a tag, \"*\" or \"+\""};
        if (r.tag == "+") {
            // RFC 3501 7.5: "+" SP (resp-text / base64); some servers send a bare "+".
            if (!sc.at_end() && raw[sc.pos] == ' ') ++sc.pos;
            r.text = sc.rest_of_line();
            return r;
        }
        if (sc.at_end()) throw fault{"nothing follows the tag"};
        if (sc.peek() != ' ')
            throw fault{fmt::format("expected a space after the tag at offset {}", sc.pos)};
        ++sc.pos;
        r.words.push_back(sc.any(0, false));
        if (r.words[0].is_atom() && is_status_word(r.words[0].text)) {
            // RFC 3501 7.1: status SP ["[" resp-text-code "]" SP] text
            if (sc.at_end()) return r;
            if (sc.peek() == ' ') ++sc.pos;
            if (!sc.at_end() && sc.peek() == '[') {
                std::size_t open = sc.pos;
                try {
                    r.words.push_back(sc.code());
                } catch (const fault&) {
                    // An unknown code's text may be anything but "]" (RFC 3501 9 resp-text-code):
                    // keep it whole, with its first word as the name.
                    std::string_view rest = raw.substr(open + 1);
                    auto close = rest.find(']');
                    auto line_end = rest.find_first_of("\r\n");
                    if (close == std::string_view::npos || close > line_end)
                        throw fault{
                            fmt::format("the response code at offset {} is not closed", open)};
                    value code;
                    code.k = value::kind::code;
                    code.text = std::string(rest.substr(0, close));
                    value name;
                    name.text = code.text.substr(0, code.text.find(' '));
                    if (!name.text.empty()) code.items.push_back(std::move(name));
                    r.words.push_back(std::move(code));
                    sc.pos = open + 1 + close + 1;
                }
                if (!sc.at_end() && sc.peek() == ' ') ++sc.pos;
            }
            r.text = sc.rest_of_line();
            return r;
        }
        for (;;) {
            sc.skip_spaces();
            if (sc.at_end()) break;
            r.words.push_back(sc.any(0, false));
        }
    } catch (const fault& f) {
        r.error = f.what;
    }
    return r;
}

const value* fetch_item_map::find(std::string_view name) const {
    auto it = items.find(to_upper(name));
    return it == items.end() ? nullptr : &it->second;
}

std::optional<fetch_item_map> fetch_items(const response& r) {
    if (!r.is_untagged() || !r.error.empty() || r.words.size() != 3) return std::nullopt;
    auto n = r.words[0].as_number();
    if (!n || *n > std::numeric_limits<std::uint32_t>::max() || !r.words[1].is_atom("FETCH") ||
        !r.words[2].is_list() || r.words[2].items.size() % 2 != 0)
        return std::nullopt;
    fetch_item_map m;
    m.number = static_cast<std::uint32_t>(*n);
    const auto& list = r.words[2].items;
    for (std::size_t i = 0; i < list.size(); i += 2) {
        if (!list[i].is_atom()) return std::nullopt;
        m.items[to_upper(list[i].text)] = list[i + 1];
    }
    return m;
}

void response_splitter::feed(std::string_view bytes) {
    if (failed()) return;
    if (head_ > 0) {
        // Drop the responses already given out, once per feed rather than once per response.
        buffer_.erase(0, head_);
        scan_ -= head_;
        line_start_ -= head_;
        head_ = 0;
    }
    buffer_.append(bytes);
}

std::optional<std::string> response_splitter::next() {
    if (failed()) return std::nullopt;
    for (;;) {
        if (literal_left_ > 0) {
            std::size_t take = std::min(literal_left_, buffer_.size() - scan_);
            scan_ += take;
            literal_left_ -= take;
            if (literal_left_ > 0) return std::nullopt;
        }
        std::size_t lf = buffer_.find('\n', scan_);
        if (lf == std::string::npos) {
            scan_ = buffer_.size();
            if (text_octets_ + (buffer_.size() - line_start_) > limits_.max_text)
                fail(fmt::format("a response is over the limit of {} octets outside literals",
                                 limits_.max_text));
            return std::nullopt;
        }
        std::size_t line_octets = lf + 1 - line_start_;
        if (text_octets_ + line_octets > limits_.max_text) {
            fail(fmt::format("a response is over the limit of {} octets outside literals",
                             limits_.max_text));
            return std::nullopt;
        }
        text_octets_ += line_octets;
        std::string_view line(buffer_.data() + line_start_, lf - line_start_);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        // RFC 3501 4.3: a line ending in "{n}" is followed by n octets that belong to it.
        auto open = line.rfind('{');
        if (!line.empty() && line.back() == '}' && open != std::string_view::npos &&
            is_digits(line.substr(open + 1, line.size() - open - 2))) {
            std::string_view digits = line.substr(open + 1, line.size() - open - 2);
            std::size_t size = digits.size() > 18 ? std::numeric_limits<std::size_t>::max()
                                                  : std::stoull(std::string(digits));
            if (size > limits_.max_literal) {
                fail(fmt::format("a literal of {} octets is over the limit of {}", digits,
                                 limits_.max_literal));
                return std::nullopt;
            }
            if (lf + 1 - head_ + size > limits_.max_response) {
                fail(fmt::format("a response is over the limit of {} octets",
                                 limits_.max_response));
                return std::nullopt;
            }
            literal_left_ = size;
            scan_ = lf + 1;
            line_start_ = lf + 1 + size;
            continue;
        }
        std::string out = buffer_.substr(head_, lf + 1 - head_);
        head_ = scan_ = line_start_ = lf + 1;
        text_octets_ = 0;
        if (head_ == buffer_.size()) discard();  // all given out: nothing to keep
        return out;
    }
}

void response_splitter::discard() {
    buffer_.clear();
    head_ = scan_ = line_start_ = literal_left_ = text_octets_ = 0;
}

void response_splitter::fail(std::string why) {
    error_ = std::move(why);
    buffer_.clear();
    buffer_.shrink_to_fit();
    head_ = scan_ = line_start_ = literal_left_ = text_octets_ = 0;
}

}  // namespace maillab::imap
