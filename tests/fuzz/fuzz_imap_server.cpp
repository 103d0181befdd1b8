// libFuzzer target: the IMAP server session (sim/imap/server_session) over a real in-memory
// store, fed what a client sends, cut where the input says (session_driver.hpp). STARTTLS is
// offered and completes when asked; literals (synchronising and LITERAL+) arrive split; and
// between chunks new mail may arrive (chosen by the input) and the session is told, so IDLE
// and the untagged EXISTS/RECENT of a selected mailbox are reached.
#include <cstddef>
#include <cstdint>

#include "sim/imap/server_session.hpp"
#include "session_driver.hpp"

using namespace maillab;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    fuzz::chunker input(data, size);
    virtual_clock clock;
    trace t{clock};
    mail_store store;
    fuzz::fill_store(store, clock.now_us());
    connection_tracer tracer(t, 1, "imap", "mail.example.org", "client");
    imap::server_config config;
    config.tls_available = true;
    {
        imap::server_session session(config, store, tracer);
        fuzz::drive(session, input, [&](fuzz::chunker& in) {
            if (!in.one_in(8)) return;
            store.deliver("bob@example.org", "INBOX", "Subject: new\r\n\r\nnew mail\r\n",
                          clock.now_us());
            session.world_changed();
        });
    }
    fuzz::serialise_all(t);
    return 0;
}
