#include <doctest/doctest.h>

#include "golden_traces.hpp"
#include "sim/view/side_by_side.hpp"

using namespace maillab;
using namespace maillab::view;

TEST_CASE("side by side: pop3-vs-imap compares the desktop's POP3 with the phone's IMAP") {
    auto m = test::golden_trace("pop3-vs-imap");
    auto conns = list_connections(m);
    auto [left, right] = default_lanes(m, conns);
    CHECK(left == 5);   // desktop.bob, POP3
    CHECK(right == 2);  // phone.bob, IMAP: read and flagged
}

TEST_CASE("side by side: lanes aligned from each connection's start, or on the trace's clock") {
    auto m = test::golden_trace("pop3-vs-imap");
    auto rows = align_lanes(m, 5, 2, lane_clock::from_start);
    REQUIRE_FALSE(rows.empty());
    CHECK(rows[0].t_us == 0);
    REQUIRE(rows[0].left);
    REQUIRE(rows[0].right);  // both connects at their start
    std::size_t left = 0, right = 0, both = 0;
    std::optional<std::size_t> last_left, last_right;
    for (std::size_t r = 0; r < rows.size(); ++r) {
        if (r) CHECK(rows[r].t_us >= rows[r - 1].t_us);
        if (rows[r].left) {
            ++left;
            CHECK(m.at(*rows[r].left).conn == 5);
            CHECK(belongs_in_lane(m.at(*rows[r].left)));
            if (last_left) CHECK(*rows[r].left > *last_left);
            last_left = rows[r].left;
        }
        if (rows[r].right) {
            ++right;
            CHECK(m.at(*rows[r].right).conn == 2);
            if (last_right) CHECK(*rows[r].right > *last_right);
            last_right = rows[r].right;
        }
        both += rows[r].left && rows[r].right;
    }
    CHECK(both > 3);  // greetings and logins line up
    auto absolute = align_lanes(m, 5, 2, lane_clock::absolute);
    CHECK(absolute.size() == left + right);  // an hour apart: never on the same row
}

TEST_CASE("side by side: what each connection did to the mailbox") {
    auto m = test::golden_trace("pop3-vs-imap");
    auto pop3 = summarize_lane(m, 5, m.size() - 1);
    CHECK(pop3.removed == 2);
    CHECK(pop3.messages_fetched == 2);
    CHECK(pop3.flags_changed == 0);
    auto imap = summarize_lane(m, 2, m.size() - 1);
    CHECK(imap.removed == 0);
    CHECK(imap.flags_changed == 1);
    CHECK(imap.messages_fetched == 1);
    CHECK(imap.commands > 0);
    CHECK(summarize_lane(m, 5, 0).commands == 0);
}
