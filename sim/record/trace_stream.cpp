#include "sim/record/trace_stream.hpp"

#include <limits>
#include <stdexcept>

#include <fmt/format.h>
#include <openssl/rand.h>

#include "sim/core/event_fields.hpp"
#include "sim/record/trace_io.hpp"

namespace maillab {

std::string random_trace_token() {
    unsigned char bytes[12];
    if (RAND_bytes(bytes, sizeof bytes) != 1)
        throw std::runtime_error("cannot make a random trace token (OpenSSL's generator failed)");
    std::string token;
    for (unsigned char b : bytes) token += fmt::format("{:02x}", b);
    return token;
}

bool tokens_match(std::string_view given, std::string_view expected) {
    if (expected.empty()) return false;
    // Every byte of the given token is compared, whatever matched before.
    unsigned char diff = given.size() == expected.size() ? 0 : 1;
    for (std::size_t i = 0; i < given.size(); ++i)
        diff |= static_cast<unsigned char>(given[i] ^ expected[i % expected.size()]);
    return diff == 0;
}

std::string published_header_line(const nlohmann::json& trace_header, const std::string& host,
                                  const std::string& session, std::int64_t clock_us,
                                  std::uint64_t history, std::uint64_t dropped) {
    nlohmann::json header = trace_header;
    header["publisher"] = {{"host", host},
                           {"session", session},
                           {"clock_us", clock_us},
                           {"history", history}};
    if (dropped > 0) header["publisher"]["dropped"] = dropped;
    return header_line(header, 1);
}

std::string refusal_line(std::string_view reason) {
    return std::string(trace_refusal_prefix) + std::string(reason) + "\n";
}

std::int64_t estimate_clock_offset(std::int64_t sent_us, std::int64_t received_us,
                                   std::int64_t publisher_clock_us) {
    if (publisher_clock_us >= sent_us && publisher_clock_us <= received_us) return 0;
    // sent and received are this machine's clock, moments apart; the publisher's clock may be
    // anything it sends, so the difference saturates instead of overflowing.
    std::int64_t mid = sent_us + (received_us - sent_us) / 2;
    std::int64_t offset = 0;
    if (__builtin_sub_overflow(mid, publisher_clock_us, &offset))
        return publisher_clock_us < 0 ? std::numeric_limits<std::int64_t>::max()
                                      : std::numeric_limits<std::int64_t>::min();
    return offset;
}

bool line_splitter::feed(std::string_view bytes) {
    // Drop what was taken already before growing the buffer.
    if (start_ > 0 && start_ >= buffer_.size() / 2) {
        buffer_.erase(0, start_);
        start_ = 0;
    }
    buffer_.append(bytes);
    std::size_t newline = buffer_.find('\n', start_);
    std::size_t unfinished = newline == std::string::npos ? buffer_.size() - start_ : 0;
    return unfinished <= max_line_;
}

std::optional<std::string> line_splitter::next_line() {
    std::size_t newline = buffer_.find('\n', start_);
    if (newline == std::string::npos) return std::nullopt;
    std::string line = buffer_.substr(start_, newline - start_);
    start_ = newline + 1;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return line;
}

trace_stream_reader::result trace_stream_reader::take_line(const std::string& line) {
    result out;
    ++line_;
    if (status_ == status::refused || status_ == status::not_a_stream) return out;
    if (status_ == status::want_header) {
        if (line.rfind(trace_refusal_prefix, 0) == 0) {
            status_ = status::refused;
            out.problem = fmt::format("{}: the publisher refused: {}", source_,
                                      line.substr(trace_refusal_prefix.size()));
            return out;
        }
        nlohmann::json j;
        try {
            j = nlohmann::json::parse(line);
            check_trace_header(j, source_, line_);
        } catch (const std::exception&) {
            status_ = status::not_a_stream;
            std::string shown = line.substr(0, 60);
            for (char& c : shown)
                if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) c = '.';
            out.problem = fmt::format("{}: not a maillab trace stream: the first line is \"{}{}\", "
                                      "not a maillab-trace header",
                                      source_, shown, line.size() > 60 ? "..." : "");
            return out;
        }
        if (auto p = j.find("publisher"); p != j.end() && p->is_object()) {
            // The clock is what the subscriber's offset estimate rests on: one that is not a
            // whole number of microseconds makes the stream unusable, not a guess.
            auto clock = p->find("clock_us");
            if (clock != p->end() && !clock->is_number_integer()) {
                status_ = status::not_a_stream;
                out.problem = fmt::format("{}: not a maillab trace stream: the header's "
                                          "publisher.clock_us is not an integer (microseconds)",
                                          source_);
                return out;
            }
            history_ = count_field(*p, "history");
            publisher_clock_ = integer_field(*p, "clock_us");
            publisher_host_ = text_field(*p, "host");
            publisher_session_ = text_field(*p, "session");
        }
        status_ = status::following;
        out.header = std::move(j);
        return out;
    }
    if (line.empty()) return out;
    try {
        out.ev = event_from_json(nlohmann::json::parse(line));
    } catch (const std::exception& err) {
        out.problem = fmt::format("{}: line {}: damaged line skipped: {}", source_, line_,
                                  err.what());
    }
    return out;
}

}  // namespace maillab
