#include "sim/imap/command_parser.hpp"

#include <cctype>

#include <fmt/format.h>

#include "sim/core/bytes.hpp"

namespace maillab::imap {
namespace {

// Thrown inside the scanner: needs more bytes, or a literal continuation first.
struct need_more {};
struct need_continuation {
    std::size_t offset;
    std::size_t size;
};
struct syntax_error {
    std::string what;
    bool fatal = false;  // the connection cannot go on (RFC 7888 4: an unwanted {n+} literal)
};

class scanner {
public:
    scanner(std::string_view s, const command_parser::limits& l, std::optional<std::size_t> continued)
        : s_(s), limits_(l), continued_(continued) {}

    std::size_t pos = 0;

    char peek() {
        if (pos >= s_.size()) throw need_more{};
        return s_[pos];
    }
    void expect_sp() {
        if (peek() != ' ') throw syntax_error{fmt::format("expected a space at offset {}", pos)};
        ++pos;
    }
    // Tag and command name: atoms without brackets.
    std::string plain_atom() {
        std::size_t start = pos;
        while (true) {
            char c = peek();
            if (c == ' ' || c == '\r' || c == '\n' || c == '(' || c == ')' || c == '{' ||
                c == '"' || static_cast<unsigned char>(c) < 0x20)
                break;
            ++pos;
        }
        return std::string(s_.substr(start, pos - start));
    }
    token value(int depth) {
        if (depth > 64) throw syntax_error{"lists nested more than 64 deep"};
        char c = peek();
        if (c == '(') {
            ++pos;
            token list;
            list.type = token::kind::list;
            while (peek() != ')') {
                if (!list.items.empty() || peek() == ' ') {
                    if (peek() == ' ') ++pos;
                    else throw syntax_error{fmt::format("expected a space or ')' at offset {}", pos)};
                }
                if (peek() == ')') break;
                list.items.push_back(value(depth + 1));
            }
            ++pos;
            return list;
        }
        if (c == '"') return quoted();
        if (c == '{') return literal();
        return atom();
    }

private:
    token quoted() {
        ++pos;
        token t;
        t.type = token::kind::string;
        while (true) {
            char c = peek();
            if (c == '"') {
                ++pos;
                return t;
            }
            if (c == '\r' || c == '\n')
                throw syntax_error{"a quoted string cannot contain a line break (use a literal)"};
            if (c == '\\') {
                ++pos;
                char e = peek();
                if (e != '"' && e != '\\')
                    throw syntax_error{fmt::format("\"\\{}\" is not a valid escape in a quoted string", e)};
                t.text += e;
                ++pos;
                continue;
            }
            t.text += c;
            ++pos;
        }
    }
    token literal() {
        std::size_t open = pos;
        ++pos;
        std::size_t size = 0;
        std::size_t digits = 0;
        while (std::isdigit(static_cast<unsigned char>(peek()))) {
            size = size * 10 + static_cast<std::size_t>(peek() - '0');
            if (++digits > 12) throw syntax_error{"literal size too long"};
            ++pos;
        }
        bool non_sync = false;
        if (peek() == '+') {
            non_sync = true;  // RFC 7888 LITERAL+: no "+ " to wait for
            ++pos;
        }
        if (digits == 0 || peek() != '}') throw syntax_error{"malformed literal: expected {n} or {n+}"};
        ++pos;
        if (peek() == '\r') ++pos;
        if (peek() != '\n') throw syntax_error{"a literal's {n} must end the line"};
        ++pos;
        if (size > limits_.max_literal)
            // A {n+} literal arrives anyway and its bytes must not be read as commands.
            throw syntax_error{fmt::format("literal of {} octets is over the limit of {}", size,
                                           limits_.max_literal),
                               non_sync};
        if (pos + size > s_.size()) {
            if (!non_sync && (!continued_ || *continued_ != open))
                throw need_continuation{open, size};
            throw need_more{};
        }
        token t;
        t.type = token::kind::string;
        t.literal = true;
        t.text = std::string(s_.substr(pos, size));
        pos += size;
        return t;
    }
    token atom() {
        std::size_t start = pos;
        int bracket = 0;
        while (true) {
            char c = peek();
            if (c == '[') ++bracket;
            else if (c == ']' && bracket > 0) --bracket;
            else if (bracket == 0 && (c == ' ' || c == '(' || c == ')' || c == '{' || c == '"'))
                break;
            if (c == '\r' || c == '\n') break;
            if (static_cast<unsigned char>(c) < 0x20)
                throw syntax_error{fmt::format("control character 0x{:02X} in an atom", c)};
            ++pos;
        }
        // "<0.100>" after a bracket is part of the same atom (BODY[]<0.100>).
        if (pos == start) throw syntax_error{fmt::format("expected a value at offset {}", pos)};
        token t;
        t.text = std::string(s_.substr(start, pos - start));
        if (iequals(t.text, "NIL")) t.type = token::kind::nil;
        return t;
    }

    std::string_view s_;
    const command_parser::limits& limits_;
    std::optional<std::size_t> continued_;
};

}  // namespace

std::optional<std::string> command_parser::take_line() {
    auto lf = buffer_.find('\n');
    if (lf == std::string::npos) return std::nullopt;
    std::string line = buffer_.substr(0, lf);
    buffer_.erase(0, lf + 1);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return line;
}

parse_result command_parser::next() {
    parse_result r;
    if (discarding_line_) {
        // The rest of an over-long line is not a new command.
        auto lf = buffer_.find('\n');
        if (lf == std::string::npos) {
            buffer_.clear();
            return r;
        }
        buffer_.erase(0, lf + 1);
        discarding_line_ = false;
    }
    if (buffer_.empty()) return r;
    scanner sc(buffer_, limits_, continued_at_);
    std::string tag;
    try {
        tag = sc.plain_atom();
        if (tag.empty()) throw syntax_error{"a command must start with a tag"};
        if (tag == "*" || tag == "+") throw syntax_error{"\"" + tag + "\" cannot be a tag"};
        sc.expect_sp();
        command cmd;
        cmd.tag = tag;
        cmd.name_as_sent = sc.plain_atom();
        if (cmd.name_as_sent.empty()) throw syntax_error{"missing command name"};
        cmd.name = to_upper(cmd.name_as_sent);
        while (true) {
            char c = sc.peek();
            if (c == '\r' || c == '\n') break;
            sc.expect_sp();
            if (sc.peek() == '\r' || sc.peek() == '\n') break;  // a trailing space: tolerated
            cmd.args.push_back(sc.value(0));
        }
        if (sc.peek() == '\r') ++sc.pos;
        if (sc.peek() != '\n') throw syntax_error{"expected CRLF"};
        ++sc.pos;
        cmd.raw = buffer_.substr(0, sc.pos);
        buffer_.erase(0, sc.pos);
        continued_at_.reset();
        r.state = parse_result::status::ready;
        r.cmd = std::move(cmd);
        return r;
    } catch (const need_continuation& c) {
        continued_at_ = c.offset;
        r.state = parse_result::status::continuation;
        r.literal_size = c.size;
        r.tag = tag;
        return r;
    } catch (const need_more&) {
        // Bounded memory: a line that never ends (outside literals) is an error.
        auto lf = buffer_.find('\n');
        if (lf == std::string::npos && buffer_.size() > limits_.max_line) {
            r.state = parse_result::status::error;
            r.error = fmt::format("line longer than {} octets", limits_.max_line);
            r.tag = tag.empty() ? "*" : tag;
            r.raw = buffer_.substr(0, 200);
            buffer_.clear();
            discarding_line_ = true;
            continued_at_.reset();
            return r;
        }
        return r;
    } catch (const syntax_error& e) {
        r.state = parse_result::status::error;
        r.error = e.what;
        r.fatal = e.fatal;
        r.tag = tag.empty() ? "*" : tag;
        if (e.fatal) {
            r.raw = buffer_.substr(0, std::min<std::size_t>(buffer_.size(), 200));
            buffer_.clear();
            continued_at_.reset();
            return r;
        }
        // Skip the rest of the line the error is on.
        auto lf = buffer_.find('\n', sc.pos > 0 ? sc.pos - 1 : 0);
        if (lf == std::string::npos) {
            // Wait for the end of the line before answering, unless it is already too long.
            if (buffer_.size() <= limits_.max_line) {
                r = parse_result{};
                return r;
            }
            lf = buffer_.size() - 1;
        }
        r.raw = buffer_.substr(0, lf + 1);
        buffer_.erase(0, lf + 1);
        continued_at_.reset();
        return r;
    }
}

}  // namespace maillab::imap
