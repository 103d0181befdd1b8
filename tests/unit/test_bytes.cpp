#include "sim/core/bytes.hpp"

#include <doctest/doctest.h>

#include <vector>

using namespace maillab;

TEST_CASE("base64 round trip and strict decoding") {
    for (std::string s : std::vector<std::string>{"", "a", "ab", "abc", "abcd", std::string("\0alice\0pw", 9)})
        CHECK(base64_decode(base64_encode(s)) == s);
    CHECK(base64_encode(std::string("\0alice\0secret", 13)) == "AGFsaWNlAHNlY3JldA==");
    CHECK_FALSE(base64_decode("abc"));     // length not a multiple of 4
    CHECK_FALSE(base64_decode("ab=c"));    // padding in the middle
    CHECK_FALSE(base64_decode("a b c d")); // whitespace
    CHECK_FALSE(base64_decode("!!!!"));
    CHECK(base64_decode("YQ==") == "a");
}

TEST_CASE("UTF-8 validity") {
    CHECK(is_valid_utf8("plain ascii"));
    CHECK(is_valid_utf8("\xe4\xbd\xa0\xe5\xa5\xbd"));  // 你好
    CHECK_FALSE(is_valid_utf8("\xc4\xe3\xba\xc3"));    // 你好 in GBK
    CHECK_FALSE(is_valid_utf8("\xe4\xbd"));            // cut off
    CHECK_FALSE(is_valid_utf8("\xc0\xaf"));            // overlong
    CHECK_FALSE(is_valid_utf8("\xed\xa0\x80"));        // surrogate
    CHECK(visible_bytes("A\r\n") == "A\\r\\n");
    CHECK(visible_bytes("\xc4\xe3") == "\\xC4\\xE3");
}
