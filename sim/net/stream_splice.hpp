// Replaces one stretch of a byte stream while it passes, chunk by chunk: the bytes at
// [offset, offset + expected.size()) of everything passed so far are dropped and `replacement`
// goes out in their place, whatever the chunking (a pipelined SMTP client sends MAIL, RCPT and
// DATA in one chunk; an IMAP literal arrives in two). A what-if branch (sim/world/what_if.hpp)
// puts one on a client's side of an in-memory link to change or skip a single command.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace maillab {

class stream_splice {
public:
    // `expected` is not empty (a command always has bytes).
    stream_splice(std::size_t offset, std::string expected, std::string replacement);

    // One chunk of the stream in; what goes on the wire instead out (possibly empty).
    std::string pass(std::string_view chunk);

    // The replaced stretch has begun (the replacement went out) / has fully passed.
    bool started() const { return started_; }
    bool done() const { return position_ >= offset_ + expected_.size(); }
    // Some byte of the stretch was not the expected one: the stream is not the one the edit
    // was planned on (the run diverged earlier, or the command was located wrongly).
    bool mismatch() const { return mismatch_; }

private:
    std::size_t offset_;
    std::string expected_;
    std::string replacement_;
    std::size_t position_ = 0;  // stream bytes passed so far
    bool started_ = false;
    bool mismatch_ = false;
};

}  // namespace maillab
