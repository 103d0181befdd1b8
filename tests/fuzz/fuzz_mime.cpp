// libFuzzer target for the MIME parser and its codecs: any bytes must parse without a crash,
// a sanitizer report, a hang or unbounded memory.
#include <cstddef>
#include <cstdint>
#include <string>

#include "sim/mime/codecs.hpp"
#include "sim/mime/describe.hpp"
#include "sim/mime/message.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string input(reinterpret_cast<const char*>(data), size);
    maillab::mime::message m(input);
    (void)maillab::mime::canonical_json(m).dump(-1, ' ', false,
                                                 nlohmann::json::error_handler_t::replace);
    (void)maillab::mime::part_tree_text(m);
    (void)maillab::mime::decode_header_text(input);
    (void)maillab::mime::decode_quoted_printable(input);
    (void)maillab::mime::decode_base64(input);
    return 0;
}
