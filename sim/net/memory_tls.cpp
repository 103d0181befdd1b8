#include "sim/net/memory_tls.hpp"

#include <openssl/err.h>

namespace maillab {

memory_tls::memory_tls(SSL_CTX* ctx, bool server_side) {
    ssl_ = SSL_new(ctx);
    in_ = BIO_new(BIO_s_mem());
    out_ = BIO_new(BIO_s_mem());
    SSL_set_bio(ssl_, in_, out_);
    if (server_side) SSL_set_accept_state(ssl_);
    else SSL_set_connect_state(ssl_);
}

memory_tls::~memory_tls() { SSL_free(ssl_); }

void memory_tls::start() { advance(); }

void memory_tls::feed(std::string_view ciphertext) {
    if (failed_) return;
    BIO_write(in_, ciphertext.data(), static_cast<int>(ciphertext.size()));
    advance();
}

void memory_tls::write(std::string_view plaintext) {
    if (!established_ || failed_ || plaintext.empty()) return;
    int ret = SSL_write(ssl_, plaintext.data(), static_cast<int>(plaintext.size()));
    if (ret <= 0) record_error(ret);
}

std::string memory_tls::take_ciphertext() {
    std::string out;
    char buf[16384];
    int n;
    while ((n = BIO_read(out_, buf, sizeof buf)) > 0) out.append(buf, static_cast<std::size_t>(n));
    return out;
}

tls_info memory_tls::info() const {
    return {SSL_get_version(ssl_), SSL_CIPHER_get_name(SSL_get_current_cipher(ssl_))};
}

void memory_tls::record_error(int ret) {
    int err = SSL_get_error(ssl_, ret);
    if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) return;
    if (err == SSL_ERROR_ZERO_RETURN) {
        peer_closed_ = true;
        return;
    }
    failed_ = true;
    unsigned long code = ERR_get_error();
    char text[256] = "TLS error";
    if (code) ERR_error_string_n(code, text, sizeof text);
    error_ = text;
    ERR_clear_error();
}

void memory_tls::advance() {
    if (!established_) {
        int ret = SSL_do_handshake(ssl_);
        if (ret == 1) established_ = true;
        else return record_error(ret);
    }
    char buf[16384];
    while (true) {
        int n = SSL_read(ssl_, buf, sizeof buf);
        if (n <= 0) return record_error(n);
        plaintext_.append(buf, static_cast<std::size_t>(n));
    }
}

}  // namespace maillab
