#include "sim/capture/tls_records.hpp"

#include <openssl/ssl.h>

#include <memory>
#include <utility>

#include <fmt/format.h>

namespace maillab::capture {
namespace {

// RFC 8446 5.1: a record is at most 2^14 octets of plaintext, plus expansion of at most 256
// (TLS 1.3) or 2048 (TLS 1.2) when encrypted.
constexpr std::size_t max_record = (1u << 14) + 2048;

std::uint16_t be16(std::string_view b, std::size_t at) {
    return static_cast<std::uint16_t>((static_cast<unsigned char>(b[at]) << 8) |
                                      static_cast<unsigned char>(b[at + 1]));
}

std::string_view alert_name(std::uint8_t description) {
    switch (description) {  // RFC 8446 6
        case 0: return "close_notify";
        case 10: return "unexpected_message";
        case 20: return "bad_record_mac";
        case 40: return "handshake_failure";
        case 42: return "bad_certificate";
        case 46: return "certificate_unknown";
        case 48: return "unknown_ca";
        case 50: return "decode_error";
        case 51: return "decrypt_error";
        case 70: return "protocol_version";
        case 80: return "internal_error";
        case 86: return "inappropriate_fallback";
        case 109: return "missing_extension";
        case 112: return "unrecognized_name";
        case 116: return "certificate_required";
        case 120: return "no_application_protocol";
        default: return "alert";
    }
}

std::string_view handshake_name(std::uint8_t type) {
    switch (type) {  // RFC 8446 4
        case 1: return "ClientHello";
        case 2: return "ServerHello";
        case 4: return "NewSessionTicket";
        case 8: return "EncryptedExtensions";
        case 11: return "Certificate";
        case 12: return "ServerKeyExchange";
        case 13: return "CertificateRequest";
        case 14: return "ServerHelloDone";
        case 15: return "CertificateVerify";
        case 16: return "ClientKeyExchange";
        case 20: return "Finished";
        default: return "handshake message";
    }
}

// Reads the fields of a hello message, stopping quietly where it is malformed.
class hello_reader {
public:
    explicit hello_reader(std::string_view b) : b_(b) {}
    bool skip(std::size_t n) {
        if (b_.size() - at_ < n) return false;
        at_ += n;
        return true;
    }
    std::optional<std::uint16_t> u16() {
        if (b_.size() - at_ < 2) return std::nullopt;
        auto v = be16(b_, at_);
        at_ += 2;
        return v;
    }
    std::optional<std::uint8_t> u8() {
        if (b_.size() - at_ < 1) return std::nullopt;
        return static_cast<std::uint8_t>(b_[at_++]);
    }
    std::optional<std::string_view> bytes(std::size_t n) {
        if (b_.size() - at_ < n) return std::nullopt;
        auto v = b_.substr(at_, n);
        at_ += n;
        return v;
    }

private:
    std::string_view b_;
    std::size_t at_ = 0;
};

}  // namespace

std::string tls_version_name(std::uint16_t version) {
    switch (version) {
        case 0x0304: return "TLSv1.3";
        case 0x0303: return "TLSv1.2";
        case 0x0302: return "TLSv1.1";
        case 0x0301: return "TLSv1";
        case 0x0300: return "SSLv3";
        default: return fmt::format("0x{:04x}", version);
    }
}

std::string cipher_suite_name(std::uint16_t suite) {
    // OpenSSL knows every suite's name but looks one up only through a connection object.
    static const auto ssl = [] {
        SSL_CTX* ctx = SSL_CTX_new(TLS_method());
        SSL* s = ctx ? SSL_new(ctx) : nullptr;
        if (ctx) SSL_CTX_free(ctx);  // the SSL keeps its own reference
        return std::unique_ptr<SSL, decltype(&SSL_free)>(s, &SSL_free);
    }();
    unsigned char wire[2] = {static_cast<unsigned char>(suite >> 8),
                             static_cast<unsigned char>(suite & 0xFF)};
    if (ssl) {
        if (const SSL_CIPHER* c = SSL_CIPHER_find(ssl.get(), wire)) return SSL_CIPHER_get_name(c);
    }
    return fmt::format("0x{:04x}", suite);
}

std::string describe(const tls_record_seen& r) {
    switch (static_cast<tls_content>(r.content_type)) {
        case tls_content::change_cipher_spec: return "change_cipher_spec";
        case tls_content::alert:
            if (r.alert)
                return fmt::format("alert ({} {})", r.alert->first == 2 ? "fatal" : "warning",
                                   alert_name(r.alert->second));
            return "alert (encrypted)";
        case tls_content::handshake:
            if (r.handshake_type)
                return fmt::format("handshake ({})", handshake_name(*r.handshake_type));
            return "handshake (encrypted)";
        case tls_content::application_data: return "application_data";
    }
    return fmt::format("record type {}", r.content_type);
}

std::vector<tls_record_seen> tls_record_reader::feed(std::string_view bytes) {
    std::vector<tls_record_seen> out;
    if (lost_sync_) return out;
    pending_.append(bytes);
    std::size_t at = 0;
    while (pending_.size() - at >= 5) {
        auto type = static_cast<std::uint8_t>(pending_[at]);
        auto major = static_cast<unsigned char>(pending_[at + 1]);
        std::size_t length = be16(pending_, at + 3);
        if (type < 20 || type > 24 || major != 3 || length > max_record) {
            lost_sync_ = true;
            pending_.clear();
            return out;
        }
        if (pending_.size() - at < 5 + length) break;
        tls_record_seen seen;
        seen.content_type = type;
        seen.length = length;
        std::string_view body(pending_.data() + at + 5, length);
        if (type == static_cast<std::uint8_t>(tls_content::change_cipher_spec)) encrypted_ = true;
        if (!encrypted_ && type == static_cast<std::uint8_t>(tls_content::handshake))
            read_handshake(body, seen);
        if (!encrypted_ && type == static_cast<std::uint8_t>(tls_content::alert) && length == 2)
            seen.alert = std::make_pair(static_cast<std::uint8_t>(body[0]),
                                        static_cast<std::uint8_t>(body[1]));
        out.push_back(seen);
        at += 5 + length;
    }
    pending_.erase(0, at);
    return out;
}

void tls_record_reader::read_handshake(std::string_view body, tls_record_seen& seen) {
    if (body.empty()) return;
    seen.handshake_type = static_cast<std::uint8_t>(body[0]);
    if (*seen.handshake_type != 1 && *seen.handshake_type != 2) return;
    bool server = *seen.handshake_type == 2;
    // RFC 8446 4.1.2 and 4.1.3: type(1) length(3) legacy_version(2) random(32)
    // legacy_session_id<0..32> then the client's list of suites and compressions, or the
    // server's one suite and compression; then extensions.
    hello_reader r(body);
    if (!r.skip(4)) return;
    auto legacy = r.u16();
    if (!legacy || !r.skip(32)) return;
    auto session_id = r.u8();
    if (!session_id || !r.skip(*session_id)) return;
    std::optional<std::uint16_t> suite;
    if (server) {
        suite = r.u16();
        if (!suite || !r.skip(1)) return;
        version_ = tls_version_name(*legacy);
        cipher_ = cipher_suite_name(*suite);
    } else {
        auto suites = r.u16();
        if (!suites || !r.skip(*suites)) return;
        auto compressions = r.u8();
        if (!compressions || !r.skip(*compressions)) return;
    }
    auto extensions = r.u16();
    if (!extensions) return;
    auto ext_bytes = r.bytes(*extensions);
    if (!ext_bytes) return;
    hello_reader x(*ext_bytes);
    for (;;) {
        auto type = x.u16();
        auto length = x.u16();
        if (!type || !length) return;
        auto data = x.bytes(*length);
        if (!data) return;
        hello_reader d(*data);
        if (server && *type == 43) {  // supported_versions: the version chosen
            if (auto v = d.u16()) version_ = tls_version_name(*v);
        } else if (!server && *type == 0) {  // server_name: list<type(1) name<2>>
            if (!d.u16()) continue;
            auto name_type = d.u8();
            auto name_length = d.u16();
            if (!name_type || !name_length || *name_type != 0) continue;
            if (auto name = d.bytes(*name_length)) server_name_ = std::string(*name);
        }
    }
}

}  // namespace maillab::capture
