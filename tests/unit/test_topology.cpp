#include <doctest/doctest.h>

#include "golden_traces.hpp"
#include "sim/view/topology.hpp"
#include "sim/world/builtin_demo.hpp"

using namespace maillab;
using namespace maillab::view;

namespace {
const topology_host& host(const topology& t, const std::string& name) {
    auto i = t.host_index(name);
    REQUIRE_MESSAGE(i.has_value(), "no host " << name);
    return t.hosts()[*i];
}

const topology_link* link(const topology& t, const std::string& client, const std::string& server,
                          const std::string& label) {
    for (const auto& l : t.links())
        if (t.hosts()[l.client].name == client && t.hosts()[l.server].name == server &&
            l.label == label)
            return &l;
    return nullptr;
}
}  // namespace

TEST_CASE("topology: the webmail world, its links labelled with protocol and port") {
    auto m = test::golden_trace("webmail");
    topology t = topology::build(m);
    REQUIRE(t.hosts().size() == 7);
    CHECK(t.hosts()[0].name == "pc.alice");  // header order
    CHECK(t.hosts()[0].declared);
    CHECK(t.hosts()[0].description_en == "Alice's laptop: only a web browser");
    CHECK(t.links().size() == 7);
    struct expected {
        const char *client, *server, *label;
        link_kind kind;
    };
    for (auto x :
         {expected{"pc.alice", "webmail.a.example", "HTTP 80", link_kind::http},
          expected{"webmail.a.example", "mail.a.example", "IMAP 143", link_kind::retrieval},
          expected{"webmail.a.example", "mail.a.example", "SMTP 587", link_kind::submission},
          expected{"mail.a.example", "mail.b.example", "SMTP 25", link_kind::relay},
          expected{"mail.a.example", "dns", "DNS MX", link_kind::dns},
          expected{"pc.bob", "webmail.b.example", "HTTP 80", link_kind::http},
          expected{"webmail.b.example", "mail.b.example", "IMAP 143", link_kind::retrieval}}) {
        const topology_link* l = link(t, x.client, x.server, x.label);
        REQUIRE_MESSAGE(l, x.client << " -> " << x.server << " " << x.label);
        CHECK(l->kind == x.kind);
    }
    // Five IMAP legs of alice's webmail share one link, drawn beside its SMTP submission link.
    const topology_link* imap = link(t, "webmail.a.example", "mail.a.example", "IMAP 143");
    CHECK(imap->uses == 5);
    CHECK(imap->parallel_count == 2);
    CHECK(link(t, "webmail.a.example", "mail.a.example", "SMTP 587")->parallel_index !=
          imap->parallel_index);
}

TEST_CASE("topology: browsers left, webmail, sender, DNS, receiver right; Alice above Bob") {
    auto m = test::golden_trace("webmail");
    topology t = topology::build(m);
    CHECK(t.columns() == 5);
    CHECK(host(t, "pc.alice").column == 0);
    CHECK(host(t, "pc.bob").column == 0);
    CHECK(host(t, "webmail.a.example").column == 1);
    CHECK(host(t, "webmail.b.example").column == 1);
    CHECK(host(t, "mail.a.example").column == 2);
    CHECK(host(t, "dns").column == 3);
    CHECK(host(t, "mail.b.example").column == 4);
    CHECK(host(t, "pc.alice").y < host(t, "pc.bob").y);
    CHECK(host(t, "webmail.a.example").y < host(t, "webmail.b.example").y);
    CHECK(host(t, "dns").y < host(t, "mail.a.example").y);  // above the relay line
    for (const auto& h : t.hosts()) {
        CHECK(h.x > 0.0f);
        CHECK(h.x < 1.0f);
        CHECK(h.y > 0.0f);
        CHECK(h.y < 1.0f);
    }
    // Deterministic: the same trace, the same picture.
    topology again = topology::build(m);
    for (std::size_t i = 0; i < t.hosts().size(); ++i) {
        CHECK(t.hosts()[i].x == again.hosts()[i].x);
        CHECK(t.hosts()[i].y == again.hosts()[i].y);
    }
}

TEST_CASE("topology: which link the event at index i uses, and in which direction") {
    auto m = test::golden_trace("webmail");
    topology t = topology::build(m);
    auto data = t.hop_of(m, test::at_seq(m, 158));  // the webmail's DATA to mail.a.example
    REQUIRE(data);
    CHECK(t.links()[data->link].label == "SMTP 587");
    CHECK(data->towards_server);
    auto relayed = t.hop_of(m, test::at_seq(m, 304));  // the relay's DATA
    REQUIRE(relayed);
    CHECK(t.links()[relayed->link].kind == link_kind::relay);
    auto query = t.hop_of(m, test::at_seq(m, 166));
    auto answer = t.hop_of(m, test::at_seq(m, 167));
    REQUIRE(query);
    REQUIRE(answer);
    CHECK(query->link == answer->link);
    CHECK(query->towards_server);
    CHECK_FALSE(answer->towards_server);
    std::size_t response = test::first_with_text(m, "HTTP/1.1 200");
    auto http = t.hop_of(m, response);
    REQUIRE(http);
    CHECK(t.links()[http->link].kind == link_kind::http);
    CHECK_FALSE(http->towards_server);
    // Local events stay on their host.
    std::size_t stored = test::at_seq(m, 306);
    CHECK_FALSE(t.hop_of(m, stored));
    REQUIRE(t.host_of(m, stored));
    CHECK(t.hosts()[*t.host_of(m, stored)].name == "mail.b.example");
    CHECK_FALSE(t.hop_of(m, test::at_seq(m, 165)));  // the queue's attempt
}

TEST_CASE("topology: classic and pop3-vs-imap keep retrieval on the right, user agents left") {
    auto classic = test::golden_trace("classic");
    topology t = topology::build(classic);
    CHECK(link(t, "pc.bob", "mail.b.example", "POP3 110")->kind == link_kind::retrieval);
    CHECK(link(t, "pc.alice", "mail.a.example", "SMTP 587")->kind == link_kind::submission);
    CHECK(host(t, "mail.a.example").column < host(t, "mail.b.example").column);
    CHECK(host(t, "pc.bob").column == 0);

    auto both = test::golden_trace("pop3-vs-imap");
    topology p = topology::build(both);
    CHECK(p.columns() == 2);
    CHECK(host(p, "mail.example.org").column == 1);
    CHECK(link(p, "desktop.bob", "mail.example.org", "POP3 110"));
    CHECK(link(p, "phone.bob", "mail.example.org", "IMAP 143")->uses == 2);

    // Seed 003's SMTPDemo talks to port 25 as a user agent: that is submission, not relay.
    auto textbook = test::golden_trace("textbook");
    topology s = topology::build(textbook);
    CHECK(link(s, "pc.student", "mail.a.example", "SMTP 25")->kind == link_kind::submission);
}

TEST_CASE("topology: without a world in the header, hosts and roles come from the events") {
    auto demo = run_builtin_demo();
    trace_model m(demo.header, std::move(demo.events));
    topology t = topology::build(m);
    CHECK(t.hosts().size() == m.hosts().size());
    const topology_host& server = host(t, "mail.example.org");
    CHECK_FALSE(server.declared);
    CHECK(std::find(server.roles.begin(), server.roles.end(), "pop3") != server.roles.end());
    CHECK(server.column > host(t, "ua.alice").column);
    CHECK(host(t, "ua.bob").roles == std::vector<std::string>{"user_agent"});
}

TEST_CASE("topology: DNS lookups flash, queue retries and bounces are counted at the cursor") {
    auto m = test::golden_trace("failures");
    topology t = topology::build(m);
    std::size_t dns = *t.host_index("dns.example"), relay = *t.host_index("mail.a.example");
    CHECK(link(t, "mail.a.example", "mx1.b.example", "SMTP 25")->failures == 2);

    auto at_answer = activity_at(m, t, test::at_seq(m, 48));
    CHECK(at_answer[dns].events_since_dns == 0);
    CHECK(at_answer[dns].dns_lookups == 1);
    CHECK(at_answer[relay].queued == 2);
    auto later = activity_at(m, t, test::at_seq(m, 60));
    CHECK(later[dns].events_since_dns > 3);

    auto deferred = activity_at(m, t, test::at_seq(m, 129));
    CHECK(deferred[relay].retries == 1);
    auto end = activity_at(m, t, m.size() - 1);
    CHECK(end[relay].retries == 3);
    CHECK(end[relay].bounces == 1);
    CHECK(end[relay].queued == 0);
    CHECK(end[dns].dns_lookups == 6);
}
