// Recognising a captured connection's protocol (sim/capture/protocol_detection): by content
// first, by port when the content says nothing.
#include "sim/capture/protocol_detection.hpp"

#include <doctest/doctest.h>

using namespace maillab::capture;

namespace {
app_protocol detected(std::uint16_t port, std::string_view client, std::string_view server,
                      bool final = false) {
    auto d = detect_protocol(port, client, server, final);
    REQUIRE(d.has_value());
    return d->protocol;
}
}  // namespace

TEST_CASE("detection: the server's greeting names the protocol, whatever the port") {
    CHECK(detected(40000, "", "220 mail.example.org ESMTP ready\r\n") == app_protocol::smtp);
    CHECK(detected(40000, "", "220-first line of a long greeting\r\n") == app_protocol::smtp);
    CHECK(detected(40000, "", "+OK POP3 ready <1.2@x>\r\n") == app_protocol::pop3);
    CHECK(detected(40000, "", "* OK [CAPABILITY IMAP4rev1] ready\r\n") == app_protocol::imap);
    CHECK(detected(40000, "", "* PREAUTH welcome\r\n") == app_protocol::imap);
    CHECK(detected(40000, "", "HTTP/1.1 200 OK\r\n") == app_protocol::http);
    // A POP3 greeting on the SMTP port is POP3: content wins.
    CHECK(detected(25, "", "+OK hello\r\n") == app_protocol::pop3);
    auto d = detect_protocol(40000, "", "220 hi\r\n", false);
    REQUIRE(d);
    CHECK(d->reason.find("220 hi") != std::string::npos);
    CHECK_FALSE(d->implicit_tls);
}

TEST_CASE("detection: an HTTP request line from the client") {
    CHECK(detected(5000, "GET / HTTP/1.1\r\nHost: x\r\n", "") == app_protocol::http);
    CHECK(detected(5000, "POST /send HTTP/1.0\r\n", "") == app_protocol::http);
}

TEST_CASE("detection: waits for a whole first line, then falls back on the port") {
    CHECK_FALSE(detect_protocol(25, "", "22", false));
    CHECK_FALSE(detect_protocol(9999, "", "", false));
    // A line that names nothing: the port decides.
    CHECK(detected(110, "", "hello there\r\n") == app_protocol::pop3);
    CHECK(detected(1143, "a1 NOOP\r\n", "") == app_protocol::imap);
    CHECK(detected(9999, "", "hello there\r\n") == app_protocol::unknown);
    // The connection ended: decide with what there is.
    CHECK(detected(2525, "", "", true) == app_protocol::smtp);
    CHECK(detected(9999, "", "", true) == app_protocol::unknown);
}

TEST_CASE("detection: a TLS handshake first is implicit TLS; the port says what is inside") {
    std::string client_hello("\x16\x03\x01\x02\x00\x01\x00\x01\xfc", 9);
    for (auto [port, proto] : {std::pair{465, app_protocol::smtp}, {995, app_protocol::pop3},
                               {993, app_protocol::imap}, {4465, app_protocol::smtp},
                               {9950, app_protocol::pop3}, {9930, app_protocol::imap}}) {
        auto d = detect_protocol(static_cast<std::uint16_t>(port), client_hello, "", false);
        REQUIRE(d);
        CHECK(d->protocol == proto);
        CHECK(d->implicit_tls);
    }
    auto d = detect_protocol(12345, client_hello, "", false);
    REQUIRE(d);
    CHECK(d->protocol == app_protocol::unknown);
    CHECK(d->implicit_tls);
    // Plaintext on an implicit-TLS port is not what the port promises.
    CHECK(detected(993, "", "hello\r\n") == app_protocol::unknown);
    CHECK(detected(993, "", "* OK ready\r\n") == app_protocol::imap);
}

TEST_CASE("detection: the port table") {
    for (std::uint16_t p : {25, 587, 2525}) CHECK(protocol_by_port(p)->protocol == app_protocol::smtp);
    for (std::uint16_t p : {110, 1110}) CHECK(protocol_by_port(p)->protocol == app_protocol::pop3);
    for (std::uint16_t p : {143, 1143}) CHECK(protocol_by_port(p)->protocol == app_protocol::imap);
    for (std::uint16_t p : {80, 8080}) CHECK(protocol_by_port(p)->protocol == app_protocol::http);
    for (std::uint16_t p : {465, 995, 993, 4465, 9950, 9930}) CHECK(protocol_by_port(p)->implicit_tls);
    CHECK_FALSE(protocol_by_port(22));
    CHECK(to_string(app_protocol::unknown) == "tcp");
}
