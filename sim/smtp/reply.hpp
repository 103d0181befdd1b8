// SMTP replies (RFC 5321 4.2): a three-digit code and one or more text lines, "250-..." for all
// lines but the last. Formatting for the server, incremental parsing for the client.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace maillab::smtp {

struct reply {
    int code = 0;
    std::vector<std::string> lines;  // text after "NNN-" / "NNN "
    std::string raw;                 // exact bytes as received or sent

    bool positive() const { return code >= 200 && code < 400; }
    bool transient() const { return code >= 400 && code < 500; }
    bool permanent() const { return code >= 500; }
};

// Builds the wire form "250-first\r\n250 last\r\n".
std::string format_reply(int code, const std::vector<std::string>& lines);

// Collects reply lines until the last one ("NNN " or "NNN"). Malformed input becomes a reply
// with code 0 and the offending line, so the client can fail cleanly instead of guessing.
class reply_parser {
public:
    void feed(std::string_view bytes) { buffer_.append(bytes); }
    std::optional<reply> next();

private:
    std::string buffer_;
    reply partial_;
};

}  // namespace maillab::smtp
