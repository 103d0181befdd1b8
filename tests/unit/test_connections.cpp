#include <doctest/doctest.h>

#include "golden_traces.hpp"
#include "sim/view/connections.hpp"

using namespace maillab;
using namespace maillab::view;

TEST_CASE("connections: the port of a connect event, simulated or real") {
    auto p = port_in_connect_text(
        "pc.alice connects to mail.a.example (port 587 (submission), in-memory link, 2 ms "
        "latency)");
    REQUIRE(p);
    CHECK(p->number == 587);
    CHECK(p->name == "submission");
    p = port_in_connect_text("mail.a.example connects to mx1.b.example port 25 (smtp)");
    REQUIRE(p);
    CHECK(p->number == 25);
    CHECK(p->name == "smtp");
    p = port_in_connect_text("connection 127.0.0.1:40000 -> 127.0.0.1:2525");
    REQUIRE(p);
    CHECK(p->number == 2525);
    CHECK(p->name.empty());
    CHECK_FALSE(port_in_connect_text("closed by the client"));
    CHECK_FALSE(port_in_connect_text("port 99999999 is not a port"));
    CHECK(protocol_label("smtp", 587) == "SMTP 587");
    CHECK(protocol_label("imap", 0) == "IMAP");
}

TEST_CASE("connections: the webmail scenario's fourteen, with ends, protocol and port") {
    auto m = test::golden_trace("webmail");
    auto conns = list_connections(m);
    REQUIRE(conns.size() == 14);
    CHECK(conns[0].conn == 1);
    CHECK(conns[0].client == "pc.alice");
    CHECK(conns[0].server == "webmail.a.example");
    CHECK(conns[0].proto == "http");
    CHECK(conns[0].port.number == 80);
    const auto& relay = conns[5];
    CHECK(relay.conn == 6);
    CHECK(relay.client == "mail.a.example");
    CHECK(relay.server == "mail.b.example");
    CHECK(relay.proto == "smtp");
    CHECK(relay.port.number == 25);
    CHECK(relay.port.name == "smtp");
    REQUIRE(relay.connect_event);
    CHECK(m.at(*relay.connect_event).seq == 169);
    CHECK(conns[4].port.name == "submission");
    for (const auto& c : conns) {
        CHECK(c.first_event <= c.last_event);
        CHECK_FALSE(c.failed);
    }
}

TEST_CASE("connections: a connection that never got through is marked failed") {
    auto m = test::golden_trace("failures");
    auto conns = list_connections(m);
    std::size_t failed = 0;
    for (const auto& c : conns) {
        if (!c.failed) continue;
        ++failed;
        CHECK(c.client == "mail.a.example");
        CHECK((c.server == "mx1.b.example" || c.server == "mail.c.example"));
    }
    CHECK(failed == 5);
}
