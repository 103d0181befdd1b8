#include "sim/net/stream_splice.hpp"

#include <algorithm>

namespace maillab {

stream_splice::stream_splice(std::size_t offset, std::string expected, std::string replacement)
    : offset_(offset), expected_(std::move(expected)), replacement_(std::move(replacement)) {}

std::string stream_splice::pass(std::string_view chunk) {
    const std::size_t begin = position_;
    const std::size_t end = begin + chunk.size();
    position_ = end;
    const std::size_t cut_begin = std::clamp(offset_, begin, end);
    const std::size_t cut_end = std::clamp(offset_ + expected_.size(), begin, end);
    if (cut_begin >= cut_end) return std::string(chunk);  // the stretch is not in this chunk

    std::string out(chunk.substr(0, cut_begin - begin));
    // The part of the stretch inside this chunk must be what the original run sent there.
    std::string_view cut = chunk.substr(cut_begin - begin, cut_end - cut_begin);
    if (cut != std::string_view(expected_).substr(cut_begin - offset_, cut.size())) mismatch_ = true;
    if (!started_ && cut_begin == offset_) {
        started_ = true;
        out += replacement_;
    }
    out += chunk.substr(cut_end - begin);
    return out;
}

}  // namespace maillab
