#include "sim/net/tls_context.hpp"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>

namespace maillab {
namespace {

template <class T, void (*Free)(T*)>
struct openssl_deleter {
    void operator()(T* p) const { Free(p); }
};
using pkey_ptr = std::unique_ptr<EVP_PKEY, openssl_deleter<EVP_PKEY, EVP_PKEY_free>>;
using x509_ptr = std::unique_ptr<X509, openssl_deleter<X509, X509_free>>;
using bio_ptr = std::unique_ptr<BIO, openssl_deleter<BIO, BIO_free_all>>;

void check(bool ok, const char* what) {
    if (!ok) throw std::runtime_error(std::string("OpenSSL failed: ") + what);
}

std::string bio_to_string(BIO* bio) {
    char* data = nullptr;
    long len = BIO_get_mem_data(bio, &data);
    return std::string(data, static_cast<std::size_t>(len));
}

void add_extension(X509* cert, int nid, const char* value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    check(ext != nullptr, "X509V3_EXT_conf_nid");
    X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
}

std::string read_file(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

}  // namespace

certificate_pair make_self_signed_certificate(const std::string& hostname) {
    pkey_ptr key(EVP_EC_gen("P-256"));
    check(key != nullptr, "EVP_EC_gen");
    x509_ptr cert(X509_new());
    check(cert != nullptr, "X509_new");
    X509_set_version(cert.get(), 2);  // X.509 v3
    ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), 10L * 365 * 24 * 3600);
    X509_set_pubkey(cert.get(), key.get());
    X509_NAME* name = X509_get_subject_name(cert.get());
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>("maillab"), -1, -1, 0);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>(hostname.c_str()), -1, -1,
                               0);
    X509_set_issuer_name(cert.get(), name);
    std::string san = "DNS:" + hostname + ",DNS:localhost,IP:127.0.0.1";
    add_extension(cert.get(), NID_subject_alt_name, san.c_str());
    add_extension(cert.get(), NID_basic_constraints, "critical,CA:FALSE");
    check(X509_sign(cert.get(), key.get(), EVP_sha256()) > 0, "X509_sign");

    bio_ptr cert_bio(BIO_new(BIO_s_mem()));
    bio_ptr key_bio(BIO_new(BIO_s_mem()));
    check(PEM_write_bio_X509(cert_bio.get(), cert.get()) == 1, "PEM_write_bio_X509");
    check(PEM_write_bio_PrivateKey(key_bio.get(), key.get(), nullptr, nullptr, 0, nullptr,
                                   nullptr) == 1,
          "PEM_write_bio_PrivateKey");
    return {bio_to_string(cert_bio.get()), bio_to_string(key_bio.get())};
}

certificate_pair load_or_create_certificate(const std::string& dir, const std::string& hostname,
                                            bool& created) {
    namespace fs = std::filesystem;
    fs::path cert_path = fs::path(dir) / "cert.pem";
    fs::path key_path = fs::path(dir) / "key.pem";
    if (fs::exists(cert_path) && fs::exists(key_path)) {
        created = false;
        return {read_file(cert_path), read_file(key_path)};
    }
    certificate_pair pair = make_self_signed_certificate(hostname);
    fs::create_directories(dir);
    {
        std::ofstream(cert_path, std::ios::binary) << pair.cert_pem;
        std::ofstream key_out(key_path, std::ios::binary);
        key_out << pair.key_pem;
    }
    fs::permissions(key_path, fs::perms::owner_read | fs::perms::owner_write);
    created = true;
    return pair;
}

std::string default_tls_dir() {
    if (const char* home = std::getenv("MAILLAB_HOME"); home && *home)
        return std::string(home) + "/tls";
    if (const char* home = std::getenv("HOME"); home && *home)
        return std::string(home) + "/.maillab/tls";
    return ".maillab/tls";
}

boost::asio::ssl::context make_server_tls_context(const certificate_pair& pair) {
    namespace ssl = boost::asio::ssl;
    ssl::context ctx(ssl::context::tls_server);
    // RFC 8996: TLS 1.0 and 1.1 are deprecated; only 1.2 and 1.3 are offered.
    SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_2_VERSION);
    ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                    ssl::context::no_sslv3 | ssl::context::single_dh_use);
    ctx.use_certificate_chain(boost::asio::buffer(pair.cert_pem));
    ctx.use_private_key(boost::asio::buffer(pair.key_pem), ssl::context::pem);
    return ctx;
}

boost::asio::ssl::context make_client_tls_context() {
    namespace ssl = boost::asio::ssl;
    ssl::context ctx(ssl::context::tls_client);
    SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_2_VERSION);
    ctx.set_verify_mode(ssl::verify_none);
    return ctx;
}

}  // namespace maillab
