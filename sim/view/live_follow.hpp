// Where the cursor goes while a live trace grows: on the newest event while following; left
// where the teacher put it once they step back, click an event or drag the scrubber; back on
// the newest event, following again, with End or the Follow button. Plain data, so the rule
// is unit-tested without a window.
#pragma once

#include <cstddef>
#include <optional>

namespace maillab::view {

class live_follow {
public:
    bool following() const { return following_; }

    // Each frame, before anything moves the cursor on its own: a cursor that is not on the
    // newest event was moved there by the teacher, which ends following.
    void observe(std::size_t cursor, std::size_t size) {
        if (following_ && size > 0 && cursor + 1 != size) following_ = false;
    }
    // The trace grew to `size` events: the index to put the cursor on, if it should move.
    std::optional<std::size_t> on_growth(std::size_t size) const {
        if (following_ && size > 0) return size - 1;
        return std::nullopt;
    }
    // End or Follow: follow again; the index of the newest event, if any.
    std::optional<std::size_t> resume(std::size_t size) {
        following_ = true;
        return on_growth(size);
    }

private:
    bool following_ = true;
};

}  // namespace maillab::view
