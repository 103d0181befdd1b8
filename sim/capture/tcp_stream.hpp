// One direction of a TCP connection put back in order from captured segments (RFC 9293 3.4,
// 3.10.7.4): sequence numbers unwrapped past 2^32, segments that arrive early kept until the
// octets before them come, retransmitted and overlapping octets delivered once (the first copy
// wins), and octets the capture does not have reported as a gap with their count instead of
// being waited for forever. Sans-I/O: segments in, pieces of the byte stream out.
//
// A hole is given up on, and reported as a gap, when the peer acknowledges octets after it
// (the receiver had them, so they will not be sent again: the capture missed them), when the
// octets kept waiting behind it exceed the limit (bounded memory), or at flush() (the
// connection ended or the capture did).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace maillab::capture {

struct stream_piece {
    enum class kind { data, gap } type = kind::data;
    std::string bytes;       // data: the next octets of the stream
    std::uint64_t lost = 0;  // gap: how many octets are missing here
};

class tcp_stream {
public:
    explicit tcp_stream(std::size_t max_buffered) : max_buffered_(max_buffered) {}

    // The SYN: the data starts at isn + 1.
    void syn(std::uint32_t isn);
    // A segment whose data starts at `seq`: `captured` is what the capture holds of it, `length`
    // its payload length on the wire (longer when the snapshot length cut it), `fin` whether the
    // stream ends after it. Appends to `out` whatever became deliverable, in order.
    void segment(std::uint32_t seq, std::string_view captured, std::uint32_t length, bool fin,
                 std::vector<stream_piece>& out);
    // The peer acknowledged every octet before `ack`: a hole before it is a gap now.
    void acknowledged(std::uint32_t ack, std::vector<stream_piece>& out);
    // Nothing more will come: what is kept is delivered, with the holes (also one before the
    // FIN, or after the last octet seen) as gaps.
    void flush(std::vector<stream_piece>& out);

    bool started() const { return next_.has_value(); }
    // The FIN was reached: every octet before it was delivered or reported lost.
    bool finished() const { return fin_at_ && next_ && *next_ >= *fin_at_; }
    std::size_t buffered() const { return buffered_; }
    std::uint64_t duplicate_octets() const { return duplicates_; }
    std::uint64_t delivered_octets() const { return delivered_; }
    std::uint64_t lost_octets() const { return lost_; }

private:
    // The 64-bit stream offset of a 32-bit sequence number: the one nearest to next_.
    std::int64_t unwrap(std::uint32_t seq) const;
    void keep(std::int64_t start, std::string_view bytes);
    void deliver(std::vector<stream_piece>& out);
    void lose_until(std::int64_t offset, std::vector<stream_piece>& out);

    std::size_t max_buffered_;
    std::optional<std::int64_t> next_;    // offset of the next octet to deliver
    std::optional<std::int64_t> fin_at_;  // offset where the FIN sits
    std::int64_t highest_ = 0;            // end of the furthest segment seen
    std::map<std::int64_t, std::string> early_;  // start -> octets, never overlapping
    std::size_t buffered_ = 0;
    std::uint64_t duplicates_ = 0;
    std::uint64_t delivered_ = 0;
    std::uint64_t lost_ = 0;
};

}  // namespace maillab::capture
