#include <doctest/doctest.h>

#include <algorithm>

#include "golden_traces.hpp"
#include "sim/view/mail_path.hpp"

using namespace maillab;
using namespace maillab::view;

namespace {
constexpr const char* webmail_id = "<590fc4ab7f57b05fde3d3ed962e60fe4@webmail.a.example>";

bool has_seq(const trace_model& m, const mail_path& p, std::uint64_t seq) {
    return p.contains(test::at_seq(m, seq));
}
}  // namespace

TEST_CASE("mail path: the webmail mail from Alice's POST to Bob's webmail") {
    auto m = test::golden_trace("webmail");
    auto ids = message_ids(m);
    REQUIRE_FALSE(ids.empty());
    CHECK(ids.front() == webmail_id);
    mail_path p = follow_mail(m, webmail_id);
    CHECK(std::is_sorted(p.events.begin(), p.events.end()));
    // Named: the webmail's note, both SMTP hops' message text, the queue, the delivery, the
    // fetch. Not named but part of it: the DNS lookup, the Sent copy, the \Seen flag.
    for (std::uint64_t seq : {124, 158, 160, 165, 166, 167, 168, 200, 304, 306, 319, 320, 509, 511})
        CHECK_MESSAGE(has_seq(m, p, seq), "seq " << seq);
    // The HTTP request that sent it, and its response.
    std::size_t post = test::first_with_text(m, "POST /send");
    CHECK(p.contains(post));
    bool response = std::any_of(p.events.begin(), p.events.end(), [&](std::size_t i) {
        return m.at(i).kind == event_kind::http && m.at(i).cause == m.at(post).seq;
    });
    CHECK(response);
    // Bob's webmail asked for it with a GET behind the IMAP leg that fetched it.
    bool bob_get = std::any_of(p.events.begin(), p.events.end(), [&](std::size_t i) {
        return m.at(i).kind == event_kind::http && m.at(i).from == "pc.bob";
    });
    CHECK(bob_get);
    // Unrelated traffic is not: Alice's login.
    CHECK_FALSE(p.contains(test::first_with_text(m, "POST /login")));
}

TEST_CASE("mail path: hops in order and the next-hop button") {
    auto m = test::golden_trace("webmail");
    mail_path p = follow_mail(m, webmail_id);
    REQUIRE(p.hops() >= 8);
    CHECK(p.hop_number(p.events.front()) == 1);
    CHECK(p.hop_number(p.events.back()) == p.hops());
    CHECK(p.hop_number(test::at_seq(m, 1)) == 0);
    std::size_t data = test::at_seq(m, 158);
    auto next = p.next_hop(data);
    REQUIRE(next);
    CHECK(*next > data);
    CHECK(p.hop_number(*next) == p.hop_number(data) + 1);
    auto back = p.previous_hop(*next);
    REQUIRE(back);
    CHECK(p.hop_number(*back) == p.hop_number(data));
    CHECK_FALSE(p.next_hop(p.events.back()));
    CHECK(p.hop_at_or_before(0) == 0);
    CHECK(p.hop_at_or_before(data) == p.hop_number(data));
    CHECK(p.hop_at_or_before(m.size() - 1) == p.hops());
    // From before the first event, the next hop is the first one.
    CHECK(p.next_hop(0) == p.events.front());
}

TEST_CASE("mail path: POP3 download and deletion; a bounce follows its mail") {
    auto m = test::golden_trace("pop3-vs-imap");
    mail_path p = follow_mail(m, "<pop3-vs-imap.step1@example.org>");
    for (std::uint64_t seq : {37, 94, 266}) CHECK_MESSAGE(has_seq(m, p, seq), "seq " << seq);
    CHECK_FALSE(has_seq(m, p, 267));  // the other mail's expunge
    bool retr = std::any_of(p.events.begin(), p.events.end(), [&](std::size_t i) {
        return m.at(i).conn == 5 && m.at(i).kind == event_kind::reply;
    });
    CHECK(retr);

    auto f = test::golden_trace("failures");
    mail_path typo = follow_mail(f, "<typo-1@a.example>");
    CHECK(has_seq(f, typo, 206));  // the bounce
    CHECK(has_seq(f, typo, 207));  // the DSN delivered to alice
    CHECK(follow_mail(f, "<nothing@here>").empty());
}
