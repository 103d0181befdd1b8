// The maillab side of the MIME benchmark (tests/bench/bench_mime.py): parses every file named
// on the command line with maillab's MIME parser and decodes every part, the way a mail reader
// would show it: each leaf part's body transfer-decoded (text parts also converted to UTF-8) and
// each message's Subject and From with their encoded words decoded. Prints one JSON line with
// the counts, so the harness can check that all three parsers did the same work, and the time.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>

#include "sim/mime/message.hpp"

namespace {

struct tally {
    std::size_t messages = 0;
    std::size_t leaf_parts = 0;
    std::size_t decoded_bytes = 0;  // so the work cannot be optimised away
};

void walk(const maillab::mime::message& m, const maillab::mime::part& p, bool is_message,
          tally& t) {
    if (is_message) {
        ++t.messages;
        t.decoded_bytes += m.header_text(p, "Subject").size() + m.header_text(p, "From").size();
    }
    if (p.is_multipart()) {
        for (const auto& child : p.children) walk(m, child, false, t);
    } else if (p.is_message()) {
        for (const auto& child : p.children) walk(m, child, true, t);
    } else {
        ++t.leaf_parts;
        t.decoded_bytes += p.type.type == "text" ? m.text(p).size() : m.decoded_body(p).size();
    }
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: mime_parse_maillab FILE...\n");
        return 2;
    }
    tally t;
    std::size_t input_bytes = 0;
    auto start = std::chrono::steady_clock::now();
    for (int i = 1; i < argc; ++i) {
        std::ifstream in(argv[i], std::ios::binary | std::ios::ate);
        if (!in) {
            std::fprintf(stderr, "mime_parse_maillab: cannot open %s\n", argv[i]);
            return 1;
        }
        // One read of the whole file, as GMime's stream does (not a character at a time).
        std::string raw(static_cast<std::size_t>(in.tellg()), '\0');
        in.seekg(0);
        in.read(raw.data(), static_cast<std::streamsize>(raw.size()));
        input_bytes += raw.size();
        maillab::mime::message m(std::move(raw));
        walk(m, m.root(), true, t);
    }
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf(
        "{\"files\":%d,\"bytes\":%zu,\"messages\":%zu,\"leaf_parts\":%zu,\"decoded_bytes\":%zu,"
        "\"seconds\":%.6f}\n",
        argc - 1, input_bytes, t.messages, t.leaf_parts, t.decoded_bytes, seconds);
    return 0;
}
