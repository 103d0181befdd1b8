#include "sim/capture/tcp_stream.hpp"

#include <algorithm>

namespace maillab::capture {
namespace {

void append_data(std::vector<stream_piece>& out, std::string_view bytes) {
    if (bytes.empty()) return;
    if (!out.empty() && out.back().type == stream_piece::kind::data) {
        out.back().bytes.append(bytes);
        return;
    }
    out.push_back({stream_piece::kind::data, std::string(bytes), 0});
}

// An acknowledgment further ahead than this is not about octets of this capture (a window is
// at most 1 GiB, RFC 7323 2.3).
constexpr std::int64_t max_plausible_ack_jump = std::int64_t{1} << 30;

}  // namespace

void tcp_stream::syn(std::uint32_t isn) {
    // RFC 9293 3.4: the SYN occupies one sequence number; data starts after it.
    if (next_) return;  // a retransmitted SYN
    next_ = static_cast<std::int64_t>(isn) + 1;
    highest_ = *next_;
}

std::int64_t tcp_stream::unwrap(std::uint32_t seq) const {
    // RFC 9293 3.4: sequence numbers are modulo 2^32; of all offsets with these low 32 bits,
    // the segment's is the one within 2^31 of where the stream is now.
    auto here = static_cast<std::uint32_t>(*next_);
    return *next_ + static_cast<std::int32_t>(seq - here);
}

void tcp_stream::segment(std::uint32_t seq, std::string_view captured, std::uint32_t length,
                         bool fin, std::vector<stream_piece>& out) {
    if (!next_) {
        // No SYN in the capture: the stream starts with the first octet seen.
        if (length == 0 && !fin) return;
        next_ = static_cast<std::int64_t>(seq);
        highest_ = *next_;
    }
    std::int64_t start = unwrap(seq);
    std::int64_t end = start + length;
    if (fin && !fin_at_) fin_at_ = end;
    highest_ = std::max(highest_, end);
    captured = captured.substr(0, length);
    std::int64_t captured_end = start + static_cast<std::int64_t>(captured.size());
    if (captured_end <= *next_) {
        duplicates_ += captured.size();  // a retransmission or a keep-alive probe
    } else {
        if (start < *next_) {
            // Overlap with what was delivered: only the new octets count.
            auto seen = static_cast<std::size_t>(*next_ - start);
            duplicates_ += seen;
            captured.remove_prefix(seen);
            start = *next_;
        }
        keep(start, captured);
    }
    deliver(out);
}

void tcp_stream::keep(std::int64_t start, std::string_view bytes) {
    std::int64_t end = start + static_cast<std::int64_t>(bytes.size());
    std::int64_t at = start;
    // Octets already kept win over a later copy of them: skip into the piece that covers `at`.
    auto it = early_.upper_bound(at);
    if (it != early_.begin()) {
        auto before = std::prev(it);
        std::int64_t before_end = before->first + static_cast<std::int64_t>(before->second.size());
        if (before_end > at) {
            duplicates_ += static_cast<std::uint64_t>(std::min(before_end, end) - at);
            at = before_end;
        }
    }
    while (at < end) {
        it = early_.lower_bound(at);
        std::int64_t stop = it == early_.end() ? end : std::min(end, it->first);
        if (stop > at) {
            early_.emplace(at, std::string(bytes.substr(static_cast<std::size_t>(at - start),
                                                        static_cast<std::size_t>(stop - at))));
            buffered_ += static_cast<std::size_t>(stop - at);
        }
        if (it == early_.end() || it->first >= end) break;
        duplicates_ += static_cast<std::uint64_t>(
            std::min(end, it->first + static_cast<std::int64_t>(it->second.size())) - it->first);
        at = it->first + static_cast<std::int64_t>(it->second.size());
    }
}

void tcp_stream::deliver(std::vector<stream_piece>& out) {
    for (;;) {
        while (!early_.empty() && early_.begin()->first == *next_) {
            auto node = early_.extract(early_.begin());
            append_data(out, node.mapped());
            buffered_ -= node.mapped().size();
            delivered_ += node.mapped().size();
            *next_ += static_cast<std::int64_t>(node.mapped().size());
        }
        // Bounded memory: rather than keep more octets waiting behind a hole, give it up.
        if (buffered_ <= max_buffered_ || early_.empty()) return;
        lose_until(early_.begin()->first, out);
    }
}

void tcp_stream::lose_until(std::int64_t offset, std::vector<stream_piece>& out) {
    if (offset <= *next_) return;
    auto lost = static_cast<std::uint64_t>(offset - *next_);
    out.push_back({stream_piece::kind::gap, {}, lost});
    lost_ += lost;
    *next_ = offset;
}

void tcp_stream::acknowledged(std::uint32_t ack, std::vector<stream_piece>& out) {
    if (!next_) return;
    std::int64_t upto = unwrap(ack);
    // The FIN takes a sequence number too: an ACK of it is one past the data.
    if (fin_at_) upto = std::min(upto, *fin_at_);
    if (upto <= *next_ || upto - *next_ > max_plausible_ack_jump) return;
    while (*next_ < upto) {
        std::int64_t hole_end = early_.empty() ? upto : std::min(upto, early_.begin()->first);
        lose_until(hole_end, out);
        deliver(out);
    }
}

void tcp_stream::flush(std::vector<stream_piece>& out) {
    if (!next_) return;
    while (!early_.empty()) {
        lose_until(early_.begin()->first, out);
        deliver(out);
    }
    std::int64_t last = std::max(highest_, fin_at_.value_or(0));
    lose_until(last, out);
}

}  // namespace maillab::capture
