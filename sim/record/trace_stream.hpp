// The published trace stream (`maillab serve --publish-trace`), the parts that need no socket:
// what the subscriber sends, what the publisher answers, and reading the answer. Documented in
// docs/trace-format.md ("The published stream").
//
//   subscriber -> publisher   one line: the token
//   publisher  -> subscriber  a refusal line "maillab-trace: refused: REASON" and the close, or
//                             the recording format: a header line with a "publisher" object
//                             {host, clock_us, history}, the `history` events so far, then each
//                             new event as it happens.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/core/event.hpp"

namespace maillab {

inline constexpr std::string_view trace_refusal_prefix = "maillab-trace: refused: ";
// A token line longer than this is not a token: the publisher refuses it.
inline constexpr std::size_t max_token_line = 256;
// One event line can hold a whole message (base64 if not UTF-8) of up to 32 MiB.
inline constexpr std::size_t max_stream_line = 64 * 1024 * 1024;

// A fresh random token: 24 hex digits from OpenSSL's generator.
std::string random_trace_token();
// Equal without leaking how many leading characters matched through the time taken.
bool tokens_match(std::string_view given, std::string_view expected);

// The header line a subscriber gets: the trace's header (recording format, version 1) with
// "publisher": {"host", "session" (random, one per run of serve: a subscriber that reconnects
// tells a network blip from a restarted server by it), "clock_us" (the publisher's clock now),
// "history" (events that follow before the live ones), and "dropped" (the oldest events no
// longer kept, when there are)}. Without the newline.
std::string published_header_line(const nlohmann::json& trace_header, const std::string& host,
                                  const std::string& session, std::int64_t clock_us,
                                  std::uint64_t history, std::uint64_t dropped = 0);
std::string refusal_line(std::string_view reason);  // with the newline

// The clock offset to add to the publisher's times to put them on the subscriber's clock, from
// one exchange: the subscriber's clock when it sent the token and when the header arrived, and
// the publisher's clock in that header. The round trip's midpoint stands for the moment the
// publisher read its clock, so the error is at most half the round trip. A publisher's clock
// that reads between the two is indistinguishable from the subscriber's: the offset is 0 then,
// rather than the noise of one measurement (machines whose clocks agree, by NTP or by being one
// machine, keep their order exactly).
std::int64_t estimate_clock_offset(std::int64_t sent_us, std::int64_t received_us,
                                   std::int64_t publisher_clock_us);

// Cuts a byte stream into lines (LF, a CR before it removed). A line longer than `max_line`
// is an error, so a garbage stream cannot grow the buffer without end.
class line_splitter {
public:
    explicit line_splitter(std::size_t max_line = max_stream_line) : max_line_(max_line) {}
    // Appends bytes; the complete lines are taken with next_line(). Returns false when the
    // unfinished line has grown past max_line.
    bool feed(std::string_view bytes);
    std::optional<std::string> next_line();
    std::size_t pending() const { return buffer_.size() - start_; }

private:
    std::size_t max_line_;
    std::string buffer_;
    std::size_t start_ = 0;  // where the next line begins in buffer_
};

// The subscriber's reading of the stream, line by line. Never throws for what the publisher
// sent: a damaged event line is a problem (named by its line number) and skipped; a first line
// that is not a header ends the stream with a reason.
class trace_stream_reader {
public:
    enum class status { want_header, following, refused, not_a_stream };

    struct result {
        std::optional<nlohmann::json> header;  // the header line, when it was this one
        std::optional<event> ev;
        std::string problem;  // a damaged line, or why the stream ended (refused/not_a_stream)
    };

    explicit trace_stream_reader(std::string source) : source_(std::move(source)) {}
    result take_line(const std::string& line);

    status state() const { return status_; }
    std::size_t lines() const { return line_; }
    // From the header's "publisher" object (0 / "" when it has none, as in a recording file).
    std::uint64_t history() const { return history_; }
    std::int64_t publisher_clock_us() const { return publisher_clock_; }
    const std::string& publisher_host() const { return publisher_host_; }
    const std::string& publisher_session() const { return publisher_session_; }

private:
    std::string source_;
    status status_ = status::want_header;
    std::size_t line_ = 0;
    std::uint64_t history_ = 0;
    std::int64_t publisher_clock_ = 0;
    std::string publisher_host_;
    std::string publisher_session_;
};

}  // namespace maillab
