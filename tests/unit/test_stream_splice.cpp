// stream_splice: one stretch of a stream replaced or dropped, whatever the chunking (the stream
// cut at every pair of offsets), and a stretch whose bytes are not the expected ones reported.
#include "sim/net/stream_splice.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace maillab;

namespace {

const std::string stream = "MAIL FROM:<a@x>\r\nRCPT TO:<b@y>\r\nDATA\r\n";
const std::string rcpt = "RCPT TO:<b@y>\r\n";

std::string pass_in_three(stream_splice& splice, std::size_t cut1, std::size_t cut2) {
    std::string out;
    out += splice.pass(std::string_view(stream).substr(0, cut1));
    out += splice.pass(std::string_view(stream).substr(cut1, cut2 - cut1));
    out += splice.pass(std::string_view(stream).substr(cut2));
    return out;
}

}  // namespace

TEST_CASE("stream_splice replaces the stretch at every split of the stream") {
    const std::size_t offset = stream.find(rcpt);
    for (std::size_t cut1 = 0; cut1 <= stream.size(); ++cut1)
        for (std::size_t cut2 = cut1; cut2 <= stream.size(); ++cut2) {
            CAPTURE(cut1);
            CAPTURE(cut2);
            stream_splice replace(offset, rcpt, "RCPT TO:<nobody@y>\r\n");
            CHECK(pass_in_three(replace, cut1, cut2) ==
                  "MAIL FROM:<a@x>\r\nRCPT TO:<nobody@y>\r\nDATA\r\n");
            CHECK(replace.started());
            CHECK(replace.done());
            CHECK_FALSE(replace.mismatch());

            stream_splice skip(offset, rcpt, "");
            CHECK(pass_in_three(skip, cut1, cut2) == "MAIL FROM:<a@x>\r\nDATA\r\n");
            CHECK_FALSE(skip.mismatch());
        }
}

TEST_CASE("stream_splice starts when the stretch's first byte passes, not before") {
    stream_splice s(stream.find(rcpt), rcpt, "X\r\n");
    CHECK(s.pass("MAIL FROM:<a@x>\r\n") == "MAIL FROM:<a@x>\r\n");
    CHECK_FALSE(s.started());
    CHECK(s.pass("RCPT") == "X\r\n");
    CHECK(s.started());
    CHECK_FALSE(s.done());
    CHECK(s.pass(" TO:<b@y>\r\nDATA\r\n") == "DATA\r\n");
    CHECK(s.done());
    CHECK(s.pass("QUIT\r\n") == "QUIT\r\n");
}

TEST_CASE("stream_splice reports bytes that are not the expected command") {
    stream_splice s(0, "EHLO a\r\n", "HELO a\r\n");
    CHECK(s.pass("QUIT\r\n") == "HELO a\r\n");
    CHECK(s.mismatch());
}
