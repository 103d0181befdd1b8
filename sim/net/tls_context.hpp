// TLS set-up for real sockets (Boost.Asio SSL over OpenSSL 3): TLS 1.2 or newer only, and a
// self-signed certificate made at first start when none is configured.
#pragma once

#include <string>

#include <boost/asio/ssl/context.hpp>

namespace maillab {

struct certificate_pair {
    std::string cert_pem;
    std::string key_pem;
};

// A new P-256 key and a self-signed certificate for `hostname` (also valid for localhost and
// 127.0.0.1), good for ten years. Throws std::runtime_error on an OpenSSL failure.
certificate_pair make_self_signed_certificate(const std::string& hostname);

// Loads cert.pem and key.pem from `dir`, or makes and saves them there when absent.
// `created` tells which happened.
certificate_pair load_or_create_certificate(const std::string& dir, const std::string& hostname,
                                            bool& created);

// The default place for the generated certificate: $MAILLAB_HOME/tls or ~/.maillab/tls.
std::string default_tls_dir();

boost::asio::ssl::context make_server_tls_context(const certificate_pair& pair);
// Clients in the simulator talk to servers with self-signed certificates: no verification.
boost::asio::ssl::context make_client_tls_context();

}  // namespace maillab
