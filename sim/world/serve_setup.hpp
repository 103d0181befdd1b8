// The servers of one live session, as `maillab serve` and `maillab-gui --serve` both run them:
// without a scenario, one mail server (SMTP, POP3, IMAP, their TLS forms and the webmail) for
// the users given; with one, every server host of the scenario (world/live_world). The options
// are plain data here; cli/serve_options.cpp declares them on the command line once for both
// programs. Nothing here prints: what the teacher should read is returned as lines.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>

#include "sim/core/trace.hpp"
#include "sim/world/serve_limits.hpp"

namespace maillab {
class live_server;
}

namespace maillab::world {

struct scenario;
class live_world;

// What `serve` accepts. A port of 0 turns that listener off (single server); --base-port 0
// lets the OS choose every port (scenario).
struct serve_options {
    std::string scenario_path;  // empty: the single mail server
    int base_port = -1;  // -1: not given (the OS picks; with --as, the standard ports)
    std::vector<std::string> domains;
    std::vector<std::string> users;  // NAME@DOMAIN:PASSWORD
    int smtp_port = 2525;
    int smtps_port = 4465;
    int pop3_port = 1110;
    int pop3s_port = 9950;
    int imap_port = 1143;
    int imaps_port = 9930;
    int http_port = 8080;
    std::string store_dir;
    std::string bind = "127.0.0.1";
    std::string hostname;
    std::string record_path;  // --record FILE; empty: no recording
    std::string tls_cert;
    std::string tls_key;
    std::string tls_dir;
    std::size_t max_message_size = 32 * 1024 * 1024;
    // Class network: run only this scenario host here (--as) and reach the others at these
    // addresses (--peer HOST[:SERVICE]=ADDRESS[:PORT], sim/world/peer_address.hpp).
    std::string as_host;
    std::vector<std::string> peers;
    serve_limits limits;  // timeouts, connection caps, per-session limits
};

// One listening socket, as the teacher tells the class about it.
struct listen_endpoint {
    std::string host;     // the scenario host, or the single server's name
    std::string service;  // "smtp", "submission", "pop3s", "http", ...
    std::string address;  // the bound address, e.g. 127.0.0.1
    unsigned short port = 0;
    std::string remark;   // "(implicit TLS)", "(STARTTLS offered)", "(webmail: open ...)" or ""
};

class live_servers {
public:
    // Reads the scenario (if any), the users and the TLS certificate (made on first use; what
    // was done is added to notes()). Binds nothing yet. Throws std::invalid_argument (bad
    // option), world::scenario errors (file:line:col) or std::runtime_error (unreadable file).
    explicit live_servers(serve_options opts);
    ~live_servers();
    live_servers(const live_servers&) = delete;
    live_servers& operator=(const live_servers&) = delete;

    // The header of the session's trace: the scenario's (its world) or "serve", with
    // "mode": "live".
    nlohmann::json trace_header() const;

    // Binds every listener on `io`, reporting to `t` (both must outlive this object's servers).
    // Throws std::runtime_error naming the service, address and port that cannot be bound.
    void open(boost::asio::io_context& io, trace& t);
    // Accepts connections (call on the io_context's thread or before it runs).
    void start();
    // Closes the listeners and every open connection. Call on the io_context's thread.
    void stop();
    // Destroys the servers (their sockets, sessions and stores). Call it before the io_context
    // given to open() is destroyed; the destructor does it too.
    void close();

    // Valid after open(); kept after stop().
    const std::vector<listen_endpoint>& endpoints() const { return endpoints_; }
    // The lines `serve` prints before "ready": the scenario's title or the local domains, every
    // endpoint, the users. Valid after open().
    std::vector<std::string> describe() const;
    // What preparing the servers did (e.g. "created a self-signed TLS certificate in DIR").
    const std::vector<std::string>& notes() const { return notes_; }
    const serve_options& options() const { return opts_; }

private:
    serve_options opts_;
    std::vector<std::string> notes_;
    std::unique_ptr<scenario> scenario_;
    std::unique_ptr<live_world> world_;
    std::unique_ptr<live_server> server_;
    struct prepared;
    std::unique_ptr<prepared> prepared_;
    std::vector<listen_endpoint> endpoints_;
};

// "host:port" of an endpoint, the address a client connects to.
std::string connect_address(const listen_endpoint& e);

}  // namespace maillab::world
