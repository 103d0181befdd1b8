// What the protocol-session fuzz targets share: cutting the input into the chunks a client's
// bytes arrive in, a small mail world with real users and mail, and a loop that plays the
// transport (takes the output, finishes a STARTTLS the session asked for, stops at a close).
//
// Input layout: the first byte chooses the cuts, the rest is what the client sends.
//   first byte 0            everything in one receive()
//   first byte N, 1..127    chunks of 1..N bytes, lengths from a small generator seeded with N
//   first byte 128 + N      the same, but a chunk also ends after each line feed: the way a
//                           client that waits for each reply sends. Needed to get past
//                           STARTTLS, after which a server drops what was pipelined behind it
//                           (RFC 3207 4.2, RFC 2595 3.1), as a real client never sends it.
// So a seed is a readable client session with one byte in front ("@" cuts into chunks of up
// to 64 bytes), and the fuzzer explores both the bytes and where TCP splits them.
// MAILLAB_FUZZ_ECHO=1 in the environment prints the conversation to stderr (for reproducing a
// finding by hand: ./fuzz_smtp_server crash-FILE).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/core/clock.hpp"
#include "sim/core/session.hpp"
#include "sim/core/trace.hpp"
#include "sim/record/trace_io.hpp"
#include "sim/store/mail_store.hpp"

namespace maillab::fuzz {

class chunker {
public:
    chunker(const std::uint8_t* data, std::size_t size) {
        if (size == 0) return;
        max_ = data[0] & 0x7f;
        line_by_line_ = (data[0] & 0x80) != 0;
        state_ = 0x9e3779b9u ^ data[0];
        rest_ = std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1);
    }
    bool done() const { return rest_.empty(); }
    std::string_view next() {
        std::size_t n = max_ == 0 ? rest_.size() : 1 + random() % max_;
        if (n > rest_.size()) n = rest_.size();
        if (line_by_line_) {
            std::size_t lf = rest_.find('\n');
            if (lf != std::string_view::npos && lf + 1 < n) n = lf + 1;
        }
        std::string_view chunk = rest_.substr(0, n);
        rest_.remove_prefix(n);
        return chunk;
    }
    // A decision the harness makes between chunks (e.g. "new mail arrives now"), also taken
    // from the input so that a finding replays the same way.
    bool one_in(std::uint32_t n) { return random() % n == 0; }

private:
    std::uint32_t random() {  // xorshift32: deterministic, fine for choosing cuts
        state_ ^= state_ << 13;
        state_ ^= state_ >> 17;
        state_ ^= state_ << 5;
        return state_;
    }
    std::string_view rest_;
    std::uint32_t max_ = 0;
    bool line_by_line_ = false;
    std::uint32_t state_ = 1;
};

inline bool echo_enabled() {
    static const bool on = std::getenv("MAILLAB_FUZZ_ECHO") != nullptr;
    return on;
}

inline void echo(const char* who, std::string_view bytes) {
    if (!echo_enabled() || bytes.empty()) return;
    std::fprintf(stderr, "%s %.*s", who, static_cast<int>(bytes.size()), bytes.data());
    if (bytes.back() != '\n') std::fputc('\n', stderr);
}

// The domains and users every session target starts with: the shipped scenarios' accounts, so
// that the client sessions of the golden traces log in as they did, and mail in bob's INBOX, so
// that a seed can list, fetch, flag and expunge real messages.
inline const std::vector<std::string>& local_domains() {
    static const std::vector<std::string> domains{"example.org", "a.example", "b.example",
                                                  "c.example"};
    return domains;
}

inline void fill_store(mail_store& store, std::int64_t now_us) {
    store.add_user("alice@example.org", "alice-pw");
    store.add_user("bob@example.org", "bob-pw");
    store.add_user("alice@a.example", "alice-pw");
    store.add_user("sender@a.example", "sender-pw");
    store.add_user("receiver@a.example", "password");
    store.add_user("bob@b.example", "bob-pw");
    store.add_user("carol@c.example", "carol-pw");
    store.deliver("bob@b.example", "INBOX", "Subject: hello\r\n\r\nfor the golden sessions\r\n",
                  now_us);
    store.deliver("bob@example.org", "INBOX",
                  "From: Alice <alice@example.org>\r\nTo: bob@example.org\r\n"
                  "Subject: =?UTF-8?B?5pyf5pyr6ICD6K+V?=\r\nMessage-ID: <m1@example.org>\r\n"
                  "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
                  "--b\r\nContent-Type: text/plain; charset=utf-8\r\n"
                  "Content-Transfer-Encoding: base64\r\n\r\n5L2g5aW977yM\r\n"
                  "--b\r\nContent-Type: application/pdf; name=exam.pdf\r\n"
                  "Content-Disposition: attachment; filename=exam.pdf\r\n"
                  "Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--b--\r\n",
                  now_us);
    store.deliver("bob@example.org", "INBOX",
                  "Subject: second\r\nFrom: carol@example.org\r\n\r\nhello\r\n..dot\r\n", now_us);
    store.deliver("bob@example.org", "INBOX", "subject: bare lf\n\nline\n", now_us);
}

// Every event must survive the recorder's serialisation (`--record` writes peer bytes).
inline void serialise_all(const trace& t) {
    for (const auto& e : t.events()) (void)event_line(e);
}

// Plays the transport for one server session fed `input`. `between` runs after each chunk and
// its output were handled (the IMAP target delivers new mail there).
inline void drive(protocol_session& session, chunker& input,
                  const std::function<void(chunker&)>& between = {}) {
    tls_info tls{"TLSv1.3", "TLS_AES_256_GCM_SHA384"};
    auto pump = [&]() -> bool {  // false once the session closed the connection
        for (int round = 0; round < 4; ++round) {
            echo("S:", session.take_output());
            if (session.wants_close()) return false;
            if (!session.wants_tls()) return true;
            session.tls_established(tls);
        }
        return true;
    };
    session.start();
    if (!pump()) return;
    while (!input.done()) {
        std::string_view chunk = input.next();
        echo("C:", chunk);
        session.receive(chunk);
        if (!pump()) return;
        if (between) {
            between(input);
            if (!pump()) return;
        }
    }
    session.connection_lost();
    echo("S:", session.take_output());
}

}  // namespace maillab::fuzz
