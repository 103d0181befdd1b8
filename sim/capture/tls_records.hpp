// What a network observer can read of TLS (RFC 8446 5.1, RFC 5246 6.2): the record layer's
// content types and lengths, and from the handshake messages sent before encryption starts the
// ClientHello's server name (RFC 6066 3) and the ServerHello's version (RFC 8446 4.2.1) and
// cipher suite. Everything after that is ciphertext, and stays so. Sans-I/O, one reader per
// direction; records may be split across feeds in any way.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace maillab::capture {

enum class tls_content : std::uint8_t {
    change_cipher_spec = 20,
    alert = 21,
    handshake = 22,
    application_data = 23,
};

struct tls_record_seen {
    std::uint8_t content_type = 0;  // a tls_content, or anything else found on the wire
    std::size_t length = 0;
    // A plaintext handshake message in this record: 1 ClientHello, 2 ServerHello, ...
    std::optional<std::uint8_t> handshake_type;
    // A plaintext alert (RFC 8446 6): level and description.
    std::optional<std::pair<std::uint8_t, std::uint8_t>> alert;
};

// "application data", "handshake (ServerHello)", "alert (fatal handshake_failure)", ...
std::string describe(const tls_record_seen& r);

class tls_record_reader {
public:
    // The records whose header was read in these bytes, in order.
    std::vector<tls_record_seen> feed(std::string_view bytes);

    // From a ClientHello: the server_name extension.
    const std::optional<std::string>& server_name() const { return server_name_; }
    // From a ServerHello: "TLSv1.3", "TLSv1.2", ... (the supported_versions extension first).
    const std::optional<std::string>& version() const { return version_; }
    // From a ServerHello: the suite's name as OpenSSL gives it (as maillab's live traces show
    // it), or "0x1302" for one OpenSSL does not know.
    const std::optional<std::string>& cipher() const { return cipher_; }
    // The bytes did not look like TLS records, or octets were missing: nothing more is read.
    bool lost_sync() const { return lost_sync_; }
    void lose_sync() {
        lost_sync_ = true;
        pending_.clear();
    }
    // After ChangeCipherSpec (TLS 1.2) or the ServerHello (TLS 1.3, on the server's side),
    // handshake records are encrypted and not parsed.
    void set_encrypted() { encrypted_ = true; }
    bool encrypted() const { return encrypted_; }

private:
    void read_handshake(std::string_view body, tls_record_seen& seen);

    std::string pending_;       // an incomplete record header or body
    bool lost_sync_ = false;
    bool encrypted_ = false;
    std::optional<std::string> server_name_;
    std::optional<std::string> version_;
    std::optional<std::string> cipher_;
};

// The name of a TLS cipher suite number (from OpenSSL's table).
std::string cipher_suite_name(std::uint16_t suite);
// "TLSv1.3" for 0x0304, ... "SSLv3" for 0x0300.
std::string tls_version_name(std::uint16_t version);

}  // namespace maillab::capture
