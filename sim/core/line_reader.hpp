// Cuts protocol input into lines for the line-based engines (SMTP commands, POP3), with bounded
// memory: a line longer than the limit is dropped as it arrives and reported, with its length,
// once its end comes, so the session can answer an error and go on.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace maillab {

class line_reader {
public:
    explicit line_reader(std::size_t max_line) : max_line_(max_line) {}

    struct result {
        enum class kind { none, line, too_long } type = kind::none;
        std::string raw;        // the exact bytes, line end included (kind::line)
        bool crlf = false;      // ended with CRLF rather than a bare LF
        std::size_t length = 0; // octets of the over-long line (kind::too_long)
        // The line without its line end.
        std::string_view content() const {
            return std::string_view(raw).substr(0, raw.size() - (crlf ? 2 : (raw.empty() ? 0 : 1)));
        }
    };

    // Takes the next complete line from the front of `buffer` (kind::none when there is none
    // yet; an incomplete line over the limit is dropped from the buffer meanwhile).
    result next(std::string& buffer);

private:
    std::size_t max_line_;
    bool discarding_ = false;
    std::size_t discarded_ = 0;
};

}  // namespace maillab
