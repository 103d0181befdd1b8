// A real SMTP server session on a virtual clock, fed bytes directly: the tests play the client.
#pragma once

#include <string>
#include <vector>

#include "sim/core/clock.hpp"
#include "sim/core/trace.hpp"
#include "sim/smtp/local_delivery.hpp"
#include "sim/smtp/reply.hpp"
#include "sim/smtp/server_session.hpp"
#include "sim/store/mail_store.hpp"

namespace maillab::test {

struct smtp_server_harness {
    virtual_clock clock;
    trace t{clock};
    mail_store store;
    smtp::local_delivery delivery{store, {"example.org"}};
    connection_tracer tracer{t, 1, "smtp", "mail.example.org", "client"};
    smtp::server_config config;
    smtp::server_session session;

    static smtp::server_config default_config() {
        smtp::server_config c;
        c.tls_available = true;
        c.max_message_size = 10000;
        return c;
    }

    explicit smtp_server_harness(smtp::server_config c = default_config())
        : config(std::move(c)), session(config, delivery, tracer) {
        store.add_user("alice@example.org", "alice-pw");
        store.add_user("bob@example.org", "bob-pw");
        session.start();
        greeting = session.take_output();
    }

    // Feeds bytes, returns the reply codes produced, in order.
    std::vector<int> send(std::string_view bytes) {
        session.receive(bytes);
        last_output = session.take_output();
        smtp::reply_parser parser;
        parser.feed(last_output);
        std::vector<int> codes;
        while (auto r = parser.next()) codes.push_back(r->code);
        return codes;
    }
    int send_one(std::string_view line) {
        auto codes = send(line);
        return codes.size() == 1 ? codes[0] : -static_cast<int>(codes.size());
    }

    std::vector<const event*> events_of(event_kind kind) const {
        std::vector<const event*> out;
        for (const auto& e : t.events())
            if (e.kind == kind) out.push_back(&e);
        return out;
    }
    bool has_note(std::string_view key) const {
        for (const auto& e : t.events())
            if (e.kind == event_kind::note && e.explain == key) return true;
        return false;
    }
    const mailbox& inbox(const std::string& user) const {
        return *store.find_mailbox(user, "INBOX");
    }

    std::string greeting;
    std::string last_output;
};

}  // namespace maillab::test
