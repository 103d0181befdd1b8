// libFuzzer target: HTTP request handling, the whole way a browser's bytes go. The HTTP/1.1
// server session (sim/http/server_session, Boost.Beast's parser) is fed what a browser sends,
// cut where the input says (session_driver.hpp); the webmail application behind it
// (sim/http/webmail_app) answers, with its real IMAP and SMTP submission legs to real server
// sessions over an in-memory store (memory_mail_backend.hpp). Session and CSRF tokens are
// "token0001", "token0002", ... so the seeds in corpus/http can log in, read, download a part,
// flag, compose, send with an attachment and log out.
#include <cstddef>
#include <cstdint>

#include "memory_mail_backend.hpp"
#include "session_driver.hpp"
#include "sim/http/server_session.hpp"
#include "sim/http/webmail_app.hpp"

using namespace maillab;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    fuzz::chunker input(data, size);
    virtual_clock clock;
    trace t{clock};
    mail_store store;
    fuzz::fill_store(store, clock.now_us());
    fuzz::memory_mail_backend backend(t, clock, store);
    {
        http::webmail::webmail_app app(http::webmail::webmail_config{}, backend);
        connection_tracer tracer(t, 1, "http", "webmail.example.org", "browser");
        http::server_config config;
        config.max_body_bytes = 256 * 1024;
        http::server_session session(config, app, tracer);
        session.set_wake([] {});  // the driver takes the output after every chunk anyway
        fuzz::drive(session, input, [&](fuzz::chunker&) { backend.run_pending(); });
    }
    fuzz::serialise_all(t);
    return 0;
}
