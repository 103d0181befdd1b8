// Cuts the bytes a POP3 server sends into whole responses (RFC 1939 3), sans-I/O: for the
// client session, and for the capture observer that watches someone else's session. Whether a
// positive response goes on over several lines until a "." line is not in the response itself:
// it depends on the command it answers (LIST and UIDL without an argument, RETR, TOP, CAPA), so
// the caller says so with each call.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace maillab::pop3 {

struct response {
    bool positive = false;      // "+OK", or a "+ " continuation (RFC 5034 4)
    bool continuation = false;  // "+ ..." or a bare "+"
    bool multiline = false;     // it went on until a "." line
    std::string line;           // the first line without its line end
    std::string body;           // multi-line: the lines before ".", leading dots unstuffed
    std::string raw;            // every byte of the response, dot-stuffing and "." included
    std::string stuffed_body;   // multi-line: the lines before "." as sent
};

class response_reader {
public:
    void feed(std::string_view bytes) { in_.append(bytes); }
    // The next whole response, or nothing until more bytes come. A negative response and a
    // continuation are one line whatever `multiline` says.
    std::optional<response> next(bool multiline);
    // Bytes received but not yet part of a response.
    std::size_t buffered() const { return in_.size(); }
    // Drops everything received and not yet given out (after STLS, RFC 2595 4).
    void discard();

private:
    std::string in_;
    bool scanning_ = false;        // a multi-line response has begun in in_
    response partial_;             // its first line and the body read so far
    std::size_t first_line_end_ = 0;
    std::size_t scan_ = 0;         // where the next line of it starts in in_
};

}  // namespace maillab::pop3
