// Where the other hosts of a class network are reached: --peer rules and the scenario's
// `address` keys, and the errors for rules that cannot be right.
#include "sim/world/peer_address.hpp"

#include <doctest/doctest.h>

#include <stdexcept>
#include <string>

#include "sim/world/scenario.hpp"
#include "sim/world/scenario_loader.hpp"

using namespace maillab::world;

namespace {

scenario two_hosts(const std::string& b_extra = "") {
    return load_scenario_text("class.json", R"({
  "maillab_scenario": 1, "title": "class",
  "hosts": [
    {"name": "mail.a.example", "roles": ["submission", "mx", "pop3"], "domains": ["a.example"]},
    {"name": "mail.b.example", "roles": ["mx", "imap"], "domains": ["b.example"])" + b_extra + R"(}
  ],
  "users": [{"address": "alice@a.example", "password": "pw"}, {"address": "bob@b.example", "password": "pw"}],
  "script": []
})");
}

std::string error_of(const std::string& text) {
    try {
        parse_peer_rule(text);
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST_CASE("parse_peer_rule: the three forms and IPv6") {
    peer_rule whole = parse_peer_rule("mail.b.example=10.0.0.2");
    CHECK(whole.host == "mail.b.example");
    CHECK(whole.service.empty());
    CHECK(whole.address == "10.0.0.2");
    CHECK_FALSE(whole.port);
    peer_rule smtp = parse_peer_rule("mail.b.example=10.0.0.2:2525");
    CHECK(smtp.port == 2525);
    peer_rule one = parse_peer_rule("mail.b.example:imap=pc7.lab:1143");
    CHECK(one.service == "imap");
    CHECK(one.address == "pc7.lab");
    CHECK(one.port == 1143);
    peer_rule v6 = parse_peer_rule("mail.b.example=[fd00::2]:25");
    CHECK(v6.address == "fd00::2");
    CHECK(v6.port == 25);
    CHECK(parse_peer_rule("mail.b.example=fd00::2").address == "fd00::2");
}

TEST_CASE("parse_peer_rule: mistakes are named") {
    CHECK(error_of("mail.b.example").find("expected HOST[:SERVICE]=ADDRESS[:PORT]") != std::string::npos);
    CHECK(error_of("=10.0.0.2").find("expected") != std::string::npos);
    CHECK(error_of("mail.b.example=").find("expected") != std::string::npos);
    CHECK(error_of("mail.b.example=10.0.0.2:0").find("\"0\" is not a port number") != std::string::npos);
    CHECK(error_of("mail.b.example=10.0.0.2:x").find("\"x\" is not a port number") != std::string::npos);
    CHECK(error_of("mail.b.example:smtpx=10.0.0.2:25").find("\"smtpx\" is not a service") != std::string::npos);
    CHECK(error_of("mail.b.example=[fd00::2").find("without \"]\"") != std::string::npos);
}

TEST_CASE("peer_table: a rule per service wins over one per host, which wins over the scenario") {
    scenario s = two_hosts(R"(, "address": "192.0.2.7")");
    SUBCASE("the scenario's address: standard ports") {
        peer_table t(s, {});
        auto smtp = t.find("mail.b.example", "smtp");
        REQUIRE(smtp);
        CHECK(smtp->address == "192.0.2.7");
        CHECK(smtp->port == 25);
        CHECK(t.find("mail.b.example", "imap")->port == 143);
        CHECK_FALSE(t.find("mail.a.example", "smtp"));
    }
    SUBCASE("a host rule with a port moves only its SMTP service") {
        peer_table t(s, {parse_peer_rule("mail.b.example=10.0.0.2:2525")});
        CHECK(t.find("mail.b.example", "smtp")->port == 2525);
        CHECK(t.find("mail.b.example", "smtp")->address == "10.0.0.2");
        CHECK(t.find("mail.b.example", "imap")->port == 143);
    }
    SUBCASE("a service rule") {
        peer_table t(s, {parse_peer_rule("mail.b.example=10.0.0.2"),
                         parse_peer_rule("mail.b.example:imap=10.0.0.9:1143")});
        CHECK(t.find("mail.b.example", "imap")->address == "10.0.0.9");
        CHECK(t.find("mail.b.example", "imap")->port == 1143);
        CHECK(t.find("mail.b.example", "smtp")->address == "10.0.0.2");
    }
    SUBCASE("a rule for a host the scenario does not have") {
        CHECK_THROWS_WITH_AS(peer_table(s, {parse_peer_rule("mail.c.example=10.0.0.3")}),
                             doctest::Contains("\"mail.c.example\" is not a host of the scenario"),
                             std::invalid_argument);
    }
}

TEST_CASE("a host's address in the scenario is checked when it loads") {
    CHECK_THROWS_WITH(two_hosts(R"(, "address": "10.0.0.2/24")"),
                      doctest::Contains("is not an IP address or a machine name"));
    CHECK_THROWS_WITH(two_hosts(R"(, "address": "")"), doctest::Contains("class.json"));
}
