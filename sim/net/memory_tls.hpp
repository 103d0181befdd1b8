// A real TLS endpoint (OpenSSL 3) over memory buffers instead of a socket, so that STARTTLS,
// SMTPS, POP3S and IMAPS run inside a deterministic scenario: the handshake and the records are
// real, their bytes travel over the in-memory pipe. Only the plaintext and the handshake's
// outcome (version, cipher) are traced: the ciphertext is random by design and would make two
// runs of the same scenario differ.
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include <openssl/ssl.h>

#include "sim/core/session.hpp"

namespace maillab {

class memory_tls {
public:
    memory_tls(SSL_CTX* ctx, bool server_side);
    ~memory_tls();
    memory_tls(const memory_tls&) = delete;
    memory_tls& operator=(const memory_tls&) = delete;

    // Client: produces the ClientHello (take it with take_ciphertext). Server: nothing yet.
    void start();
    // Records from the peer: advances the handshake, decrypts application data.
    void feed(std::string_view ciphertext);
    // Encrypts application data (after the handshake).
    void write(std::string_view plaintext);

    std::string take_ciphertext();
    std::string take_plaintext() { return std::exchange(plaintext_, {}); }

    bool established() const { return established_; }
    bool failed() const { return failed_; }
    bool peer_closed() const { return peer_closed_; }  // close_notify received
    const std::string& error() const { return error_; }
    tls_info info() const;

private:
    void advance();
    void record_error(int ret);

    SSL* ssl_ = nullptr;
    BIO* in_ = nullptr;   // owned by ssl_
    BIO* out_ = nullptr;  // owned by ssl_
    bool established_ = false;
    bool failed_ = false;
    bool peer_closed_ = false;
    std::string error_;
    std::string plaintext_;
};

}  // namespace maillab
