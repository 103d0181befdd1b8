// libFuzzer target: the SMTP server session (sim/smtp/server_session) fed what a client sends,
// cut where the input says (session_driver.hpp), with the real local delivery into a real
// in-memory store. STARTTLS is offered and completes when asked, AUTH PLAIN/LOGIN checks the
// store's passwords, DATA delivers: every state is reachable from the seeds in corpus/smtp.
#include <cstddef>
#include <cstdint>

#include "sim/smtp/local_delivery.hpp"
#include "sim/smtp/server_session.hpp"
#include "session_driver.hpp"

using namespace maillab;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    fuzz::chunker input(data, size);
    virtual_clock clock;
    trace t{clock};
    mail_store store;
    fuzz::fill_store(store, clock.now_us());
    smtp::local_delivery delivery(store, fuzz::local_domains());
    connection_tracer tracer(t, 1, "smtp", "mail.example.org", "client");
    smtp::server_config config;
    config.tls_available = true;
    config.max_message_size = 64 * 1024;  // small enough that the fuzzer reaches the limit
    smtp::server_session session(config, delivery, tracer);
    fuzz::drive(session, input);
    fuzz::serialise_all(t);
    return 0;
}
