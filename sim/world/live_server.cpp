#include "sim/world/live_server.hpp"

#include <algorithm>
#include <chrono>
#include <stdexcept>

#include <fmt/format.h>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "sim/http/server_session.hpp"
#include "sim/http/webmail_app.hpp"
#include "sim/imap/server_session.hpp"
#include "sim/net/tcp_connector.hpp"
#include "sim/world/webmail_legs.hpp"
#include "sim/pop3/server_session.hpp"
#include "sim/smtp/address.hpp"
#include "sim/smtp/server_session.hpp"

namespace maillab {

live_user parse_user_spec(const std::string& spec) {
    auto colon = spec.find(':');
    if (colon == std::string::npos)
        throw std::invalid_argument(
            fmt::format("--user \"{}\": expected NAME@DOMAIN:PASSWORD (no ':' found)", spec));
    live_user user{spec.substr(0, colon), spec.substr(colon + 1)};
    if (!smtp::plausible_mailbox(user.address))
        throw std::invalid_argument(fmt::format(
            "--user \"{}\": \"{}\" is not an address like bob@b.example", spec, user.address));
    if (user.password.empty())
        throw std::invalid_argument(fmt::format("--user \"{}\": the password is empty", spec));
    return user;
}

// The webmail of the single server: its IMAP and submission legs are real TCP connections to
// this server's own imap and smtp listeners, as a webmail beside a mail server would make.
class live_server::webmail_connections final : public world::relay_environment {
public:
    explicit webmail_connections(live_server& server)
        : server_(server),
          legs_(*this, server.config_.hostname, server.config_.hostname, server.config_.hostname,
                world::random_tokens()),
          app_(config_for(server.config_.limits), legs_) {}

    http::webmail::webmail_app& app() { return app_; }

    trace& trace_ref() override { return server_.trace_; }
    std::int64_t now_us() const override { return server_.trace_.clock().now_us(); }
    void after(std::int64_t delay_us, std::function<void()> action) override {
        auto timer = std::make_shared<boost::asio::steady_timer>(
            server_.io_, std::chrono::microseconds(delay_us));
        timer->async_wait([timer, action = std::move(action)](const boost::system::error_code& ec) {
            if (!ec) action();
        });
    }
    void connect(const std::string& from_host, const std::string& to_host, const std::string& port,
                 client_factory make_client, connection_done done) override {
        // "submission" is served by the smtp listener here (it offers AUTH).
        std::string service = port == "submission" ? "smtp" : port;
        const tcp_listener* target = nullptr;
        for (const auto& l : server_.listeners_)
            if (l->spec().name == service) target = l.get();
        if (!target) {
            after(0, [done] { done(false, nullptr); });
            return;
        }
        connect_spec spec;
        spec.host = server_.config_.bind_address == "0.0.0.0" ? "127.0.0.1"
                                                               : server_.config_.bind_address;
        spec.port = target->port();
        spec.proto = target->spec().proto;
        spec.local_host = from_host;
        spec.peer_host = to_host;
        auto holder = std::make_shared<client_factory>(std::move(make_client));
        tcp_connect(
            server_.io_, server_.trace_, spec, server_.client_tls_.get(),
            [holder](connection_tracer& tracer, bool) { return (*holder)(tracer); },
            [done](protocol_session& session) { done(true, &session); },
            [done](const std::string&) { done(false, nullptr); });
    }

private:
    static http::webmail::webmail_config config_for(const world::serve_limits& limits) {
        http::webmail::webmail_config config;
        config.idle_timeout_us =
            std::chrono::duration_cast<std::chrono::microseconds>(limits.webmail_session).count();
        return config;
    }

    live_server& server_;
    world::webmail_legs legs_;
    http::webmail::webmail_app app_;
};

live_server::~live_server() = default;

live_server::live_server(boost::asio::io_context& io, trace& t, live_server_config config)
    : io_(io), trace_(t), config_(std::move(config)) {
    store_ = config_.store_dir.empty() ? std::make_unique<mail_store>()
                                       : std::make_unique<mail_store>(config_.store_dir);
    for (const auto& u : config_.users) store_->add_user(u.address, u.password);
    if (config_.domains.empty())
        for (const auto& u : config_.users) {
            std::string d = smtp::domain_of(u.address);
            if (std::find(config_.domains.begin(), config_.domains.end(), d) ==
                config_.domains.end())
                config_.domains.push_back(d);
        }
    if (config_.domains.empty())
        throw std::invalid_argument("no mail domain: give --domain or --user");
    for (const auto& u : config_.users)
        if (std::find(config_.domains.begin(), config_.domains.end(),
                      smtp::domain_of(u.address)) == config_.domains.end())
            throw std::invalid_argument(fmt::format(
                "--user {}: its domain is not one of the --domain values", u.address));
    if (config_.hostname.empty()) config_.hostname = "mail." + config_.domains.front();
    delivery_ = std::make_unique<smtp::local_delivery>(*store_, config_.domains);
    maildrop_ = std::make_unique<pop3::store_maildrop>(*store_);
    gate_ = std::make_shared<connection_gate>(config_.limits.max_connections,
                                               config_.limits.max_connections_per_address);
    if (!config_.certificate.cert_pem.empty())
        tls_ = std::make_unique<boost::asio::ssl::context>(
            make_server_tls_context(config_.certificate));

    auto smtp_factory = [this](bool implicit) {
        return [this, implicit](connection_tracer& tracer,
                                bool tls_active) -> std::unique_ptr<protocol_session> {
            smtp::server_config sc;
            sc.hostname = config_.hostname;
            // "127.0.0.1:5555" -> "[127.0.0.1]", the address-literal form of RFC 5321 4.4.
            const std::string& peer = tracer.peer_host();
            std::string ip = peer.substr(0, peer.rfind(':'));
            sc.peer_address = ip.find(':') == std::string::npos ? "[" + ip + "]"
                                                                : "[IPv6:" + ip + "]";
            sc.max_message_size = config_.max_message_size;
            sc.limits = config_.limits.session;
            sc.tls_available = tls_ != nullptr;
            sc.tls_active = tls_active || implicit;
            return std::make_unique<smtp::server_session>(sc, *delivery_, tracer);
        };
    };
    auto pop3_factory = [this](bool implicit) {
        return [this, implicit](connection_tracer& tracer,
                                bool tls_active) -> std::unique_ptr<protocol_session> {
            pop3::server_config pc;
            pc.hostname = config_.hostname;
            pc.tls_available = tls_ != nullptr;
            pc.tls_active = tls_active || implicit;
            pc.limits = config_.limits.session;
            return std::make_unique<pop3::server_session>(pc, *maildrop_, tracer);
        };
    };
    tls_mode upgrade = tls_ ? tls_mode::starttls : tls_mode::none;
    add_listener("smtp", "smtp", config_.smtp_port, upgrade, smtp_factory(false));
    add_listener("smtps", "smtp", config_.smtps_port, tls_mode::implicit, smtp_factory(true));
    add_listener("pop3", "pop3", config_.pop3_port, upgrade, pop3_factory(false));
    add_listener("pop3s", "pop3", config_.pop3s_port, tls_mode::implicit, pop3_factory(true));
    auto imap_factory = [this](bool implicit) {
        return [this, implicit](connection_tracer& tracer,
                                bool tls_active) -> std::unique_ptr<protocol_session> {
            imap::server_config ic;
            ic.hostname = config_.hostname;
            ic.tls_available = tls_ != nullptr;
            ic.tls_active = tls_active || implicit;
            ic.session_limits = config_.limits.session;
            // APPEND brings a whole message as one literal: the SIZE limit applies to it too.
            ic.limits.max_literal = config_.max_message_size;
            return std::make_unique<imap::server_session>(ic, *store_, tracer);
        };
    };
    add_listener("imap", "imap", config_.imap_port, upgrade, imap_factory(false));
    add_listener("imaps", "imap", config_.imaps_port, tls_mode::implicit, imap_factory(true));
    if (config_.http_port) {
        client_tls_ = std::make_unique<boost::asio::ssl::context>(make_client_tls_context());
        webmail_ = std::make_unique<webmail_connections>(*this);
        add_listener("http", "http", config_.http_port, tls_mode::none,
                     [this](connection_tracer& tracer, bool) -> std::unique_ptr<protocol_session> {
                         return std::make_unique<http::server_session>(http::server_config{},
                                                                       webmail_->app(), tracer);
                     });
    }

    // New mail or another client's change: wake the sessions that push updates (IMAP IDLE),
    // once per burst of changes, after the current handler has finished.
    store_->set_on_change([this](const std::string&, const std::string&) {
        if (poke_posted_) return;
        poke_posted_ = true;
        boost::asio::post(io_, [this] {
            poke_posted_ = false;
            for (auto& l : listeners_) l->poke_all();
        });
    });
}

void live_server::add_listener(const char* name, const char* proto,
                               std::optional<unsigned short> port, tls_mode mode,
                               tcp_connection::session_factory factory) {
    if (!port) return;
    if (mode == tls_mode::implicit && !tls_)
        throw std::invalid_argument(fmt::format("{} needs a TLS certificate", name));
    listener_spec spec{name, proto, config_.bind_address, *port, mode, config_.hostname,
                       config_.limits.timeouts_for(proto)};
    try {
        listeners_.push_back(
            std::make_unique<tcp_listener>(io_, trace_, spec, tls_.get(), std::move(factory)));
        listeners_.back()->set_gate(gate_);
    } catch (const boost::system::system_error& err) {
        throw std::runtime_error(fmt::format("cannot listen for {} on {}:{}: {}", name,
                                             config_.bind_address, *port, err.code().message()));
    }
}

void live_server::start() {
    for (auto& l : listeners_) l->start();
}

void live_server::stop() {
    for (auto& l : listeners_) l->stop();
}

}  // namespace maillab
