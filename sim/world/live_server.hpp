// The servers of `maillab serve` on real sockets: one store, one delivery policy, and a
// listener per protocol port, all on one io_context. Shared by the CLI and (later) the GUI.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>

#include "sim/core/trace.hpp"
#include "sim/net/tcp_listener.hpp"
#include "sim/net/tls_context.hpp"
#include "sim/pop3/store_maildrop.hpp"
#include "sim/smtp/local_delivery.hpp"
#include "sim/store/mail_store.hpp"
#include "sim/world/serve_limits.hpp"

namespace maillab {

struct live_user {
    std::string address;
    std::string password;
};

struct live_server_config {
    std::string bind_address = "127.0.0.1";
    std::string hostname;                 // default: "mail." + first domain
    std::vector<std::string> domains;     // default: the users' domains
    std::vector<live_user> users;
    // nullopt turns a listener off; 0 lets the OS choose a free port (tests).
    std::optional<unsigned short> smtp_port = 2525;
    std::optional<unsigned short> smtps_port = 4465;
    std::optional<unsigned short> pop3_port = 1110;
    std::optional<unsigned short> pop3s_port = 9950;
    std::optional<unsigned short> imap_port = 1143;
    std::optional<unsigned short> imaps_port = 9930;
    // The webmail (HTTP); it reads and sends through the imap and smtp listeners above.
    std::optional<unsigned short> http_port = 8080;
    std::string store_dir;                // empty: mail in memory only
    std::size_t max_message_size = 32 * 1024 * 1024;
    certificate_pair certificate;         // required when any TLS is offered
    world::serve_limits limits;
};

// "bob@b.example:secret" -> {address, password}; throws std::invalid_argument saying what is
// wrong.
live_user parse_user_spec(const std::string& spec);

class live_server {
public:
    // Throws on a bad configuration or a port that cannot be bound (naming the port).
    live_server(boost::asio::io_context& io, trace& t, live_server_config config);
    ~live_server();
    void start();
    void stop();

    const std::vector<std::unique_ptr<tcp_listener>>& listeners() const { return listeners_; }
    const mail_store& store() const { return *store_; }
    const live_server_config& config() const { return config_; }

private:
    class webmail_connections;

    void add_listener(const char* name, const char* proto, std::optional<unsigned short> port,
                      tls_mode mode, tcp_connection::session_factory factory);

    boost::asio::io_context& io_;
    trace& trace_;
    live_server_config config_;
    std::unique_ptr<mail_store> store_;
    std::unique_ptr<smtp::local_delivery> delivery_;
    std::unique_ptr<pop3::store_maildrop> maildrop_;
    std::unique_ptr<boost::asio::ssl::context> tls_;
    std::unique_ptr<boost::asio::ssl::context> client_tls_;  // the webmail's legs
    std::vector<std::unique_ptr<tcp_listener>> listeners_;
    std::unique_ptr<webmail_connections> webmail_;
    std::shared_ptr<connection_gate> gate_;
    bool poke_posted_ = false;  // one wake-up in flight for any number of store changes
};

}  // namespace maillab
