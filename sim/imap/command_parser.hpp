// The IMAP command parser (RFC 3501 9, LITERAL+ of RFC 7888), incremental and sans-I/O: feed it
// bytes in any split; next() says "need more", "send a continuation for a literal", "here is a
// command" or "this is malformed" (with what and where). It never writes "+ " itself: the
// session does. A literal over the limit is an error before any "+ " is asked for; a LITERAL+
// one is fatal (its bytes are coming anyway), and the session closes the connection.
//
// The grammar is kept generic: a command is a tag, a name and arguments, each an atom, a string
// (quoted or literal), NIL, or a parenthesised list. An atom may carry a bracketed section with
// spaces inside, as in BODY.PEEK[HEADER.FIELDS (SUBJECT FROM)]<0.100>. Commands check their own
// arguments.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace maillab::imap {

struct token {
    enum class kind { atom, string, nil, list };
    kind type = kind::atom;
    std::string text;          // atom or string contents
    bool literal = false;      // the string came as a {n} literal
    std::vector<token> items;  // list contents

    bool is_atom() const { return type == kind::atom; }
    bool is_string() const { return type == kind::string; }
    bool is_list() const { return type == kind::list; }
    // Atom or string: an "astring" of the grammar.
    bool is_astring() const { return type == kind::atom || type == kind::string; }
};

struct command {
    std::string tag;
    std::string name;  // upper-case ("UID FETCH" keeps UID as the name and FETCH as args[0])
    std::string name_as_sent;
    std::vector<token> args;
    std::string raw;  // the exact bytes, literals included
};

struct parse_result {
    enum class status { need_more, continuation, ready, error };
    status state = status::need_more;
    command cmd;                       // when ready
    std::size_t literal_size = 0;      // when continuation: the size announced
    std::string error;                 // when error: what is wrong
    std::string tag;                   // when error: the tag, if one was read ("*" otherwise)
    std::string raw;                   // when error: the bytes that were skipped
    bool fatal = false;                // when error: the connection must close (BYE)
};

class command_parser {
public:
    struct limits {
        std::size_t max_line = 64 * 1024;               // octets outside literals
        std::size_t max_literal = 64 * 1024 * 1024;     // one literal
    };
    command_parser() = default;
    explicit command_parser(limits l) : limits_(l) {}

    void feed(std::string_view bytes) { buffer_.append(bytes); }
    // The next step; call again after `ready`, `continuation` or `error` until `need_more`.
    parse_result next();
    // Bytes buffered but not yet part of a command (IDLE's "DONE" line reads them raw).
    std::string& buffer() { return buffer_; }
    std::optional<std::string> take_line();  // one raw line (without CRLF), if complete

private:
    limits limits_;
    std::string buffer_;
    // The offset of the literal whose continuation was already requested, so it is asked once.
    std::optional<std::size_t> continued_at_;
    bool discarding_line_ = false;  // the rest of a line that was too long is still arriving
};

}  // namespace maillab::imap
