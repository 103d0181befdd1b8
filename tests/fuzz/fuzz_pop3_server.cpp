// libFuzzer target: the POP3 server session (sim/pop3/server_session) over the real maildrop
// of an in-memory store, fed what a client sends, cut where the input says
// (session_driver.hpp). STLS is offered and completes when asked; USER/PASS, APOP and AUTH
// reach TRANSACTION; QUIT reaches UPDATE and really deletes.
#include <cstddef>
#include <cstdint>

#include "sim/pop3/server_session.hpp"
#include "sim/pop3/store_maildrop.hpp"
#include "session_driver.hpp"

using namespace maillab;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    fuzz::chunker input(data, size);
    virtual_clock clock;
    trace t{clock};
    mail_store store;
    fuzz::fill_store(store, clock.now_us());
    pop3::store_maildrop maildrop{store};
    connection_tracer tracer(t, 1, "pop3", "mail.example.org", "client");
    pop3::server_config config;
    config.tls_available = true;
    {
        pop3::server_session session(config, maildrop, tracer);
        fuzz::drive(session, input);
    }
    fuzz::serialise_all(t);
    return 0;
}
