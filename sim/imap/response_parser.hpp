// IMAP server responses from the client's side (RFC 3501 7 and 9), sans-I/O, in two steps:
//
// 1. response_splitter cuts the byte stream into complete responses: a line, and when the line
//    ends in a literal "{n}", the n octets and the rest of the line, as often as literals come.
//    Feed it bytes in any split; next() gives one response's exact bytes (final CRLF included)
//    or nothing yet. Memory is bounded: a literal, the text outside literals and a whole
//    response each have a limit; over one the splitter stops for good with a message (the
//    stream cannot be resynchronised: the literal's octets would be read as responses).
// 2. parse_response() turns one response into a tag and a list of values. It never throws;
//    a malformed response keeps what was read before the fault and says where it went wrong.
//
// The value tree:
//   atom    OK, FETCH, \Seen, \*, UIDNEXT, and FETCH item names with their section and partial,
//           which are one atom even with spaces and parentheses inside the brackets:
//           BODY[HEADER.FIELDS (FROM SUBJECT)]<0>
//   number  a run of digits (kept as text too; as_number() is empty if it overflows)
//   string  quoted ("a \"b\" \\ c", escapes undone) or literal ({n} and n octets, byte-exact)
//   nil     NIL, in any case
//   list    ( ... ), nested
//   code    a response code after OK, NO, BAD, PREAUTH or BYE: "[UIDVALIDITY 3]" is a value
//           of kind code whose items are [atom UIDVALIDITY, number 3] and whose text is the
//           exact text between the brackets ("UIDVALIDITY 3"). A separate kind, not a list,
//           so that "(a b)" and "[a b]" stay apart.
//
// Status responses (OK, NO, BAD, PREAUTH, BYE, tagged or not) are split into words = [status,
// code?] and `text`, the human-readable rest, which is not parsed (it may hold anything: an
// apostrophe, an unbalanced parenthesis). A continuation ("+ ...") has no words, only text.
// Everything else ("* 3 EXISTS", "* LIST ...", "* 3 FETCH (...)") is parsed into words whole.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace maillab::imap {

struct value {
    enum class kind { atom, number, string, nil, list, code };
    kind k = kind::atom;
    std::string text;          // atom name, digits, string contents, or a code's bracketed text
    std::vector<value> items;  // list or code contents
    bool literal = false;      // a string that came as a {n} literal

    bool is_atom() const { return k == kind::atom; }
    // An atom with this name, ASCII case-insensitively ("fetch" matches FETCH).
    bool is_atom(std::string_view name) const;
    bool is_number() const { return k == kind::number; }
    bool is_string() const { return k == kind::string; }
    bool is_nil() const { return k == kind::nil; }
    bool is_list() const { return k == kind::list; }
    bool is_code() const { return k == kind::code; }
    // The number, if this is a number that fits in 64 bits.
    std::optional<std::uint64_t> as_number() const;
    // The text of an atom, number or string (an "astring"); nothing for NIL, a list or a code.
    std::optional<std::string> as_string() const;
    // items[i], or nullptr when there is no such item.
    const value* at(std::size_t i) const { return i < items.size() ? &items[i] : nullptr; }
};
std::string_view to_string(value::kind k);

// A value written back in IMAP syntax: strings quoted with escapes when they are plain 7-bit
// text without CR or LF, as a literal otherwise; codes in brackets. For tests and transcripts.
std::string to_imap(const value& v);

struct response {
    std::string tag;  // "*" for untagged, "+" for a continuation, else the command's tag
    std::string raw;  // the exact bytes, literals and the final CRLF included
    std::vector<value> words;  // after the tag; for a status response only [status, code?]
    std::string text;          // a status response's or continuation's text, unparsed
    std::string error;         // not empty: malformed here; words hold what came before

    bool is_untagged() const { return tag == "*"; }
    bool is_continuation() const { return tag == "+"; }
    // "OK", "NO", "BAD", "PREAUTH" or "BYE" (upper-case) for a status response, else "".
    std::string status() const;
    // The response code of a status response, if it has one.
    const value* code() const;
};

// Parses one complete response as response_splitter::next() gives it (the final CRLF may be
// there or not). Never throws; see response::error.
response parse_response(std::string_view raw);

// The items of "* n FETCH (name value name value ...)".
struct fetch_item_map {
    std::uint32_t number = 0;            // the message sequence number n
    std::map<std::string, value> items;  // upper-cased item name -> its value
    // The item with this name (any case), or nullptr.
    const value* find(std::string_view name) const;
};
// nullopt unless the response is an untagged FETCH with a number and a list of name/value pairs.
// An item name that comes twice keeps its last value.
std::optional<fetch_item_map> fetch_items(const response& r);

class response_splitter {
public:
    struct limits {
        std::size_t max_literal = 64 * 1024 * 1024;    // one literal
        std::size_t max_text = 1024 * 1024;            // one response's octets outside literals
        std::size_t max_response = 128 * 1024 * 1024;  // one response, all of it
    };
    response_splitter() = default;
    explicit response_splitter(limits l) : limits_(l) {}

    // Bytes from the server, in any split. Ignored once failed().
    void feed(std::string_view bytes);
    // The next complete response's exact bytes, or nothing until more arrives (or after a
    // failure). Call until it gives nothing after every feed().
    std::optional<std::string> next();

    bool failed() const { return !error_.empty(); }
    const std::string& error() const { return error_; }
    // Octets held that are not yet part of a response given out.
    std::size_t buffered() const { return buffer_.size() - head_; }
    // Drops everything buffered (after STARTTLS's OK: plaintext that followed it must not be
    // read as if it had come inside TLS). Keeps a failure.
    void discard();

private:
    void fail(std::string why);

    limits limits_;
    std::string buffer_;
    std::size_t head_ = 0;          // where the current response starts in buffer_
    std::size_t scan_ = 0;          // how far the current response has been scanned
    std::size_t line_start_ = 0;    // start of the text after the last literal
    std::size_t literal_left_ = 0;  // octets of the current literal still to come
    std::size_t text_octets_ = 0;   // octets outside literals before line_start_
    std::string error_;
};

}  // namespace maillab::imap
