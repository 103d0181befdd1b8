// maillab's own SMTP client against maillab's servers over real loopback sockets: plain,
// STARTTLS and implicit TLS, with the tap's tcp/tls/bytes events checked.
#include "sim/net/tcp_connector.hpp"

#include <doctest/doctest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "sim/smtp/client_session.hpp"
#include "sim/world/live_server.hpp"

using namespace maillab;

namespace {
struct loopback {
    boost::asio::io_context io;
    real_clock clock;
    trace t{clock};
    std::unique_ptr<live_server> server;
    boost::asio::ssl::context client_tls = make_client_tls_context();

    loopback() {
        live_server_config c;
        c.users = {{"alice@example.org", "pw"}, {"bob@example.org", "pw"}};
        c.smtp_port = 0;   // the OS picks free ports
        c.smtps_port = 0;
        c.pop3_port = 0;
        c.pop3s_port = 0;
        c.imap_port = 0;
        c.imaps_port = 0;
        c.certificate = make_self_signed_certificate("mail.example.org");
        server = std::make_unique<live_server>(io, t, c);
        server->start();
    }
    unsigned short port(const std::string& name) {
        for (const auto& l : server->listeners())
            if (l->spec().name == name) return l->port();
        return 0;
    }
    // Runs one client job to the end (bounded by a 10 s guard) and returns its result.
    smtp::client_result send(smtp::client_job job, const std::string& listener, tls_mode mode) {
        smtp::client_result result;
        bool done = false;
        connect_spec spec{"127.0.0.1", port(listener), "smtp", "ua.test", "", mode};
        tcp_connect(io, t, spec, &client_tls,
                    [job](connection_tracer& tracer, bool) -> std::unique_ptr<protocol_session> {
                        return std::make_unique<smtp::client_session>(job, tracer);
                    },
                    [&](protocol_session& s) {
                        result = static_cast<smtp::client_session&>(s).result();
                        done = true;
                    },
                    [&](const std::string&) { done = true; });
        boost::asio::steady_timer guard(io, std::chrono::seconds(10));
        guard.async_wait([&](const boost::system::error_code& ec) {
            if (!ec) done = true;
        });
        while (!done && io.run_one()) {}
        guard.cancel();
        // Let the connections finish closing.
        for (int i = 0; i < 50 && io.poll() > 0; ++i) {}
        return result;
    }
    std::size_t count(event_kind kind, std::string_view field, std::string_view value) {
        std::size_t n = 0;
        for (const auto& e : t.events())
            if (e.kind == kind && e.fields.value(std::string(field), std::string()) == value) ++n;
        return n;
    }
};

smtp::client_job job_for(std::string subject) {
    smtp::client_job job;
    job.mail_from = "alice@example.org";
    job.recipients = {"bob@example.org"};
    job.message = "Subject: " + subject + "\r\n\r\nbody\r\n.dot line\r\n";
    job.user = "alice";
    job.password = "pw";
    return job;
}
}  // namespace

TEST_CASE("real TCP: plain, STARTTLS and implicit TLS all deliver") {
    loopback lb;
    auto plain = lb.send(job_for("plain"), "smtp", tls_mode::starttls);
    CHECK(plain.accepted);

    auto job = job_for("starttls");
    job.use_starttls = true;
    job.require_tls = true;
    auto tls = lb.send(job, "smtp", tls_mode::starttls);
    CHECK(tls.accepted);
    CHECK(lb.count(event_kind::tls, "phase", "established") == 2);  // both ends traced it

    auto implicit = lb.send(job_for("implicit"), "smtps", tls_mode::implicit);
    CHECK(implicit.accepted);
    CHECK(lb.count(event_kind::tls, "phase", "established") == 4);

    const mailbox* box = lb.server->store().find_mailbox("bob@example.org", "INBOX");
    REQUIRE(box);
    REQUIRE(box->messages.size() == 3);
    CHECK(box->messages[0].bytes.find("with ESMTPA\r\n") != std::string::npos);
    CHECK(box->messages[1].bytes.find("with ESMTPSA") != std::string::npos);
    CHECK(box->messages[2].bytes.find("with ESMTPSA") != std::string::npos);
    CHECK(box->messages[1].bytes.ends_with("Subject: starttls\r\n\r\nbody\r\n.dot line\r\n"));

    // Commands after STARTTLS are marked as inside TLS.
    bool auth_inside_tls = false;
    for (const auto& e : lb.t.events())
        if (e.kind == event_kind::command && e.fields.value("verb", "") == "AUTH" &&
            e.fields.value("tls", false))
            auth_inside_tls = true;
    CHECK(auth_inside_tls);
    CHECK(lb.count(event_kind::tcp, "action", "connect") >= 6);
}

TEST_CASE("real TCP: connection refused is traced and reported") {
    boost::asio::io_context io;
    real_clock clock;
    trace t(clock);
    // Bind then close to get a port nobody listens on.
    unsigned short port;
    {
        boost::asio::ip::tcp::acceptor a(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
        port = a.local_endpoint().port();
    }
    std::string failure;
    tcp_connect(io, t, {"127.0.0.1", port, "smtp", "ua", "", tls_mode::none}, nullptr,
                [](connection_tracer&, bool) -> std::unique_ptr<protocol_session> {
                    return nullptr;
                },
                {}, [&](const std::string& why) { failure = why; });
    io.run();
    CHECK_FALSE(failure.empty());
    REQUIRE(t.events().size() == 1);
    CHECK(t.events()[0].fields["action"] == "connect_failed");
}
