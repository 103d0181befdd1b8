// `maillab class new`'s plan (sim/world/class_plan): the patterns, the checks on them, and that
// the scenario it writes loads and runs: every student's greeting reaches the next student by
// an MX lookup and a relay between two students' servers.
#include "sim/world/class_plan.hpp"

#include <doctest/doctest.h>

#include <set>
#include <string>

#include "sim/world/scenario_loader.hpp"
#include "sim/world/scenario_run.hpp"

using namespace maillab;

namespace {

std::string counter_password() {
    static int n = 0;
    return "random-" + std::to_string(++n);
}

world::class_options options(int students, std::string domains, std::string addresses = "") {
    world::class_options o;
    o.students = students;
    o.domain_pattern = std::move(domains);
    o.address_pattern = std::move(addresses);
    return o;
}

std::string error_of(const world::class_options& o) {
    try {
        world::plan_class(o, counter_password);
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return "no error";
}

}  // namespace

TEST_SUITE("class plan") {

TEST_CASE("patterns expand {n}, {n+K} and {n-K} and say what is wrong with a bad one") {
    CHECK(world::expand_class_pattern("s{n}.lab", 7, "--domain-pattern") == "s7.lab");
    CHECK(world::expand_class_pattern("10.0.{n}.{n+100}", 3, "--address-pattern") == "10.0.3.103");
    CHECK(world::expand_class_pattern("pc{n-1}", 1, "--x") == "pc0");
    CHECK_THROWS_WITH(world::expand_class_pattern("s.lab", 1, "--domain-pattern"),
                      doctest::Contains("has no {n}"));
    CHECK_THROWS_WITH(world::expand_class_pattern("s{m}.lab", 1, "--domain-pattern"),
                      doctest::Contains("\"{m}\" at column 2 is not a placeholder"));
    CHECK_THROWS_WITH(world::expand_class_pattern("s{n", 1, "--domain-pattern"),
                      doctest::Contains("never closed"));
    CHECK_THROWS_WITH(world::expand_class_pattern("s}{n}", 1, "--domain-pattern"),
                      doctest::Contains("closes nothing"));
    CHECK_THROWS_WITH(world::expand_class_pattern("s{n-5}", 2, "--domain-pattern"),
                      doctest::Contains("negative number (-3) for student 2"));
}

TEST_CASE("each student gets a domain, a server host, a mail program host, a user and an MX") {
    auto o = options(3, "s{n}.lab", "192.168.10.{n+100}");
    o.first = 5;
    auto plan = world::plan_class(o, counter_password);
    REQUIRE(plan.students.size() == 3);
    const auto& st = plan.students[1];
    CHECK(st.number == 6);
    CHECK(st.domain == "s6.lab");
    CHECK(st.mail_host == "mail.s6.lab");
    CHECK(st.pc_host == "pc.s6.lab");
    CHECK(st.address == "192.168.10.106");
    CHECK(st.user == "student@s6.lab");
    CHECK(st.password.starts_with("random-"));
    CHECK(st.trace_token.starts_with("random-"));
    CHECK(st.trace_token != plan.students[0].trace_token);
    CHECK(plan.scenario["dns"]["mx"]["s6.lab"][0]["host"] == "mail.s6.lab");

    auto s = world::load_scenario_text("class.json", plan.scenario.dump());
    const auto* host = s.find_host("mail.s6.lab");
    REQUIRE(host != nullptr);
    CHECK(host->address == "192.168.10.106");
}

TEST_CASE("a password pattern replaces the random passwords") {
    auto o = options(2, "s{n}.lab");
    o.password_pattern = "pw-{n}";
    auto plan = world::plan_class(o, counter_password);
    CHECK(plan.students[0].password == "pw-1");
    CHECK(plan.students[1].password == "pw-2");
    CHECK(plan.students[0].address.empty());
    CHECK_FALSE(plan.scenario["hosts"][1].contains("address"));
}

TEST_CASE("options that cannot make a class are refused, naming the option and the student") {
    CHECK(error_of(options(1, "s{n}.lab")).find("--students: 1: a class network needs 2 to 500") == 0);
    CHECK(error_of(options(501, "s{n}.lab")).find("--students") == 0);
    CHECK(error_of(options(2, "s{n}")) .find("at least two labels") != std::string::npos);
    CHECK(error_of(options(2, "S{n}.lab")).find("upper case") != std::string::npos);
    CHECK(error_of(options(2, "s_{n}.lab")).find("\"_\" at column 2") != std::string::npos);
    CHECK(error_of(options(2, "-{n}.lab")).find("starts or ends with a hyphen") != std::string::npos);
    CHECK(error_of(options(2, "s{n}.class")).find("dns.class") != std::string::npos);
    CHECK(error_of(options(2, "s{n}.lab", "10.0.0.{n+254}"))
              .find("student 2: \"10.0.0.256\" is not an IPv4 address (256 is above 255)") !=
          std::string::npos);
    CHECK(error_of(options(2, "s{n}.lab", "10.0.{n}")).find("3 parts, not 4") != std::string::npos);
    CHECK(error_of(options(3, "s{n}.lab", "10.0.0.{n-1}.x")).find("no error") == 0);
    auto same_address = options(2, "s{n}.lab", "10.0.0.{n}");
    same_address.address_pattern = "pc{n}.room";
    CHECK(error_of(same_address) == "no error");
}

TEST_CASE("the class scenario runs: a greeting goes round the class, relayed between servers") {
    auto plan = world::plan_class(options(4, "s{n}.lab"), counter_password);
    auto s = world::load_scenario_text("class.json", plan.scenario.dump());
    auto r = world::run_scenario(s);
    CHECK(r.passed);
    CHECK(r.expectations.size() == 8);  // four greetings, four empty queues

    // Each of the four greetings was relayed from the sender's server to the next student's.
    std::set<std::string> relayed;
    for (const auto& e : r.events)
        if (e.kind == event_kind::queue && e.fields.value("action", "") == "delivered")
            relayed.insert(e.from + " -> " + e.fields.value("mx", ""));
    CHECK(relayed == std::set<std::string>{"mail.s1.lab -> mail.s2.lab", "mail.s2.lab -> mail.s3.lab",
                                           "mail.s3.lab -> mail.s4.lab", "mail.s4.lab -> mail.s1.lab"});
}

}  // TEST_SUITE
