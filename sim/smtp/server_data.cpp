// The message text after DATA (RFC 5321 4.1.1.4): lines until one that holds a single ".";
// a leading "." of any other line is removed (4.5.2 transparency). The text is stored exactly
// as sent otherwise (line ends included), behind a Received: header (4.4). The header is
// watched for what the seed's textbook client does wrong (8-bit bytes, no empty line), and the
// size for SIZE (RFC 1870): an oversize message is read to its end and refused with 552; a
// header of more fields than the limit likewise, with 554 5.6.0.

#include <fmt/format.h>

#include "sim/core/bytes.hpp"
#include "sim/core/clock.hpp"
#include "sim/smtp/server_session.hpp"
#include "sim/smtp/trace_events.hpp"

namespace maillab::smtp {
namespace {
constexpr std::size_t text_line_limit = 1000;       // RFC 5321 4.5.3.1.6, CRLF included
constexpr std::size_t partial_line_flush = 64 * 1024;  // bound on buffering a line with no end

bool is_header_field_line(std::string_view line) {
    auto colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) return false;
    for (unsigned char c : line.substr(0, colon))
        if (c < 33 || c > 126) return false;  // RFC 5322 2.2: printable US-ASCII, no space
    return true;
}
}  // namespace

void server_session::process_data() {
    while (!in_.empty() && state_ == server_state::data) {
        auto lf = in_.find('\n');
        if (lf == std::string::npos) {
            // Only a line start of fewer than 3 bytes could still become ".\r\n"; other partial
            // lines are taken in pieces so memory stays bounded.
            if (in_.size() < partial_line_flush) return;
            std::string piece;
            piece.swap(in_);
            take_data_line(piece, false);
            return;
        }
        std::string line = in_.substr(0, lf + 1);
        in_.erase(0, lf + 1);
        ++inputs_;
        if (data_at_line_start_ && (line == ".\r\n" || line == ".\n")) {
            wire_ += line;
            if (line == ".\n") {
                note("smtp.note.data_bare_lf_end",
                     "the message ended with a bare-LF \".\" line; RFC 5321 4.1.1.4 expects "
                     "CRLF.CRLF");
            }
            finish_data();
            return;
        }
        take_data_line(line, true);
    }
}

void server_session::take_data_line(std::string_view piece, bool complete) {
    if (wire_.size() <= config_.max_message_size) wire_.append(piece);
    std::string_view content = piece;
    if (data_at_line_start_) {
        ++data_lines_;
        data_line_length_ = 0;
        if (!content.empty() && content.front() == '.') {
            content.remove_prefix(1);  // RFC 5321 4.5.2: the sender doubled it
            ++data_dot_stuffed_;
        }
        if (complete) inspect_header_line(content);
    }
    data_line_length_ += piece.size();
    if (complete && (piece.size() < 2 || piece[piece.size() - 2] != '\r'))
        note_once(noted_bare_lf_, "smtp.note.bare_lf", "line ended with a bare LF instead of CRLF");
    if (data_line_length_ > text_line_limit && !data_noted_long_line_) {
        data_noted_long_line_ = true;
        note("smtp.note.long_text_line",
             fmt::format("a text line of at least {} octets is over the 1000-octet limit",
                         data_line_length_),
             {{"length", data_line_length_}});
    }
    if (message_.size() + content.size() > config_.max_message_size) {
        data_oversize_ = true;  // keep reading to the end, store nothing
        message_.clear();
        message_.shrink_to_fit();
    }
    if (!data_oversize_ && !data_too_many_fields_) message_.append(content);
    data_at_line_start_ = complete;
}

void server_session::inspect_header_line(std::string_view line) {
    if (!data_in_header_) return;
    std::string_view bare = line;
    while (!bare.empty() && (bare.back() == '\n' || bare.back() == '\r')) bare.remove_suffix(1);
    if (bare.empty()) {
        data_in_header_ = false;  // RFC 5322 2.1: the empty line ends the header
        return;
    }
    if (bare.front() == ' ' || bare.front() == '\t') return;  // folded continuation
    if (!is_header_field_line(bare)) {
        data_in_header_ = false;
        if (!data_noted_no_blank_) {
            data_noted_no_blank_ = true;
            note("smtp.note.no_blank_line_after_header",
                 fmt::format("\"{}\" follows the header without an empty line", bare),
                 {{"line", std::string(bare)}});
        }
        return;
    }
    if (++data_header_fields_ > config_.limits.max_header_fields && !data_too_many_fields_) {
        // Read to the end like an oversize message, but keep nothing: the reply comes after ".".
        data_too_many_fields_ = true;
        message_.clear();
        message_.shrink_to_fit();
        note("smtp.note.too_many_header_fields",
             fmt::format("the header has more than {} fields; the message will be refused",
                         config_.limits.max_header_fields),
             {{"limit", config_.limits.max_header_fields}});
    }
    if (has_8bit(bare) && !data_noted_8bit_header_) {
        data_noted_8bit_header_ = true;
        note("smtp.note.header_8bit",
             fmt::format("header \"{}\" carries raw 8-bit bytes instead of an RFC 2047 encoded "
                         "word",
                         bare));
    }
}

std::string server_session::received_header() const {
    // RFC 5321 4.4 and RFC 3848 for the "with" protocol name.
    // RFC 3848 names only ESMTP variants: plain SMTP (HELO) has no TLS or AUTH suffix.
    std::string with = "SMTP";
    if (esmtp_) {
        with = "ESMTP";
        if (tls_active_) with += "S";
        if (auth_user_) with += "A";
    }
    std::string header = fmt::format("Received: from {} ({})\r\n\tby {} (maillab) with {}",
                                     helo_.empty() ? "unknown" : helo_, config_.peer_address,
                                     config_.hostname, with);
    if (recipients_.size() == 1) header += fmt::format("\r\n\tfor <{}>", recipients_.front());
    header += fmt::format("; {}\r\n", rfc5322_date(tracer_.now_us()));
    return header;
}

void server_session::finish_data() {
    std::size_t size = wire_.size();
    event e = data_event(std::move(wire_), data_lines_, data_dot_stuffed_);
    e.cause = current_command_;
    wire_.clear();
    current_command_ = tracer_.incoming(std::move(e));
    release_data_notes();
    if (data_dot_stuffed_ > 0)
        note("smtp.note.dot_stuffing",
             fmt::format("{} line(s) began with \".\" on the wire; the first dot was removed",
                         data_dot_stuffed_),
             {{"count", data_dot_stuffed_}});

    bool accepted = false;
    if (data_oversize_) {
        note("smtp.note.size_exceeded",
             fmt::format("the message is over the limit of {} octets", config_.max_message_size),
             {{"size", size}, {"limit", config_.max_message_size}});
        reply(552, "5.3.4", "Message size exceeds fixed maximum message size");
    } else if (data_too_many_fields_) {
        // RFC 3463 5.6.0: a problem with the content the server will not deliver.
        reply(554, "5.6.0",
              fmt::format("Message header has more than {} fields", config_.limits.max_header_fields));
    } else {
        envelope env{helo_, esmtp_, tls_active_, auth_user_, config_.peer_address, mail_from_,
                     recipients_};
        std::string stored = received_header() + message_;
        note("smtp.note.received_added", "the server prepends a Received: header");
        delivery_outcome outcome = host_.deliver(env, stored, tracer_, *current_command_);
        if (outcome.ok) {
            ++messages_accepted_;
            reply(250, "2.0.0", fmt::format("OK: {}", outcome.detail));
        } else {
            reply(451, "4.3.0", fmt::format("Local error in processing: {}", outcome.detail));
        }
        accepted = outcome.ok;
    }
    message_.clear();
    reset_transaction();
    enter_state(server_state::ready, accepted ? "message accepted" : "message refused");
}

}  // namespace maillab::smtp
