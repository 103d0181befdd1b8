#include "sim/view/trace_model.hpp"

#include <doctest/doctest.h>

#include "sim/view/event_filter.hpp"
#include "sim/view/hex_dump.hpp"
#include "sim/view/machine_status.hpp"
#include "sim/view/sequence_layout.hpp"
#include "sim/view/stepping.hpp"
#include "sim/world/builtin_demo.hpp"
#include "transitions_check.hpp"

using namespace maillab;
using namespace maillab::view;

namespace {
trace_model demo_model() {
    auto demo = run_builtin_demo();
    return trace_model(demo.header, std::move(demo.events));
}
std::size_t find_text(const trace_model& m, std::string_view text) {
    for (std::size_t i = 0; i < m.size(); ++i)
        if (m.at(i).text.find(text) != std::string::npos) return i;
    FAIL("no event with text " << text);
    return 0;
}
}  // namespace

TEST_CASE("view: hosts become lifelines in order of appearance; indexes by seq") {
    trace_model m = demo_model();
    CHECK(m.hosts() == std::vector<std::string>{"ua.alice", "mail.example.org", "ua.bob", "phone.bob"});
    CHECK(m.connections() == std::vector<std::uint64_t>{1, 2, 3});
    CHECK(m.index_of_seq(1) == 0u);
    CHECK(m.index_of_seq(m.events().back().seq) == m.size() - 1);
    CHECK_FALSE(m.index_of_seq(999999));
    CHECK_FALSE(m.state_events().empty());
}

TEST_CASE("view: every state change of the demo follows its machine's declared transitions") {
    trace_model m = demo_model();
    test::check_transitions(m.events());
    std::size_t described = 0;
    for (auto i : m.state_events())
        described += find_state_machine(m.at(i).fields.value("machine", "")) != nullptr;
    CHECK(described >= 8);
}

TEST_CASE("view: filters by protocol, kind, host, connection and text; incremental") {
    trace_model m = demo_model();
    filtered_index index;
    event_filter f;
    f.protos = {"pop3"};
    f.kinds = {event_kind::command};
    index.update(m, f);
    REQUIRE_FALSE(index.indices().empty());
    for (auto i : index.indices()) {
        CHECK(m.at(i).proto == "pop3");
        CHECK(m.at(i).kind == event_kind::command);
    }
    std::size_t pop3_commands = index.indices().size();
    CHECK(pop3_commands == 7);  // USER PASS STAT LIST UIDL RETR QUIT
    event_filter text;
    text.text = "rcpt to:<BOB";  // case-insensitive, in text and raw
    index.update(m, text);
    REQUIRE(index.indices().size() >= 2);  // the client's bytes and the server's command
    bool command = false;
    for (auto i : index.indices()) command = command || m.at(i).kind == event_kind::command;
    CHECK(command);
    event_filter conn;
    conn.conns = {2};
    index.update(m, conn);
    for (auto i : index.indices()) CHECK(m.at(i).conn == 2);
    // Appending a matching event extends the index without a rescan.
    event e;
    e.seq = m.events().back().seq + 1;
    e.conn = 2;
    e.kind = event_kind::note;
    e.text = "live";
    std::size_t before = index.indices().size();
    m.append(e);
    CHECK(index.update(m, conn));
    CHECK(index.indices().size() == before + 1);
    CHECK(index.position_at_or_before(m.size() - 1) == before);
}

TEST_CASE("view: a seq range keeps both ends; kinds by name with a clear error") {
    trace_model m = demo_model();
    filtered_index index;
    event_filter f;
    f.from_seq = 10;
    f.to_seq = 20;
    index.update(m, f);
    REQUIRE(index.indices().size() == 11);
    CHECK(m.at(index.indices().front()).seq == 10);
    CHECK(m.at(index.indices().back()).seq == 20);
    f.kinds = kinds_from_names({"command", "reply"});
    index.update(m, f);
    for (auto i : index.indices()) {
        CHECK(m.at(i).seq >= 10);
        CHECK(m.at(i).seq <= 20);
        CHECK((m.at(i).kind == event_kind::command || m.at(i).kind == event_kind::reply));
    }
    CHECK(kinds_from_names({}).empty());
    try {
        kinds_from_names({"command", "comand"});
        FAIL("no error for an unknown kind");
    } catch (const std::invalid_argument& err) {
        std::string what = err.what();
        CHECK(what.find("\"comand\"") != std::string::npos);
        CHECK(what.find("tcp, tls, bytes, command") != std::string::npos);
        CHECK(what.find("note)") != std::string::npos);
    }
}

TEST_CASE("view: stepping by event, by command/reply pair and by connection") {
    trace_model m = demo_model();
    CHECK(step(m, 0, +1, step_unit::event) == 1);
    CHECK(step(m, 0, -1, step_unit::event) == 0);
    CHECK(step(m, m.size() - 1, +1, step_unit::event) == m.size() - 1);
    std::size_t r = step(m, 0, +1, step_unit::exchange);
    CHECK(m.at(r).kind == event_kind::reply);
    std::size_t r2 = step(m, r, +1, step_unit::exchange);
    CHECK(r2 > r);
    CHECK(m.at(r2).kind == event_kind::reply);
    CHECK(step(m, r2, -1, step_unit::exchange) == r);
    std::size_t pop = find_text(m, "USER bob");
    std::size_t next = step(m, pop, +1, step_unit::connection);
    CHECK(m.at(next).conn == 2);
    CHECK(step(m, pop, -1, step_unit::connection) < pop);
    CHECK(m.at(step(m, pop, -1, step_unit::connection)).conn == 2);
}

TEST_CASE("view: sequence layout has arrows between lanes and markers on them") {
    trace_model m = demo_model();
    std::vector<std::size_t> all(m.size());
    for (std::size_t i = 0; i < all.size(); ++i) all[i] = i;
    sequence_layout layout = layout_sequence(m, all, 40);
    CHECK(layout.lanes == m.hosts());
    std::size_t ehlo = find_text(m, "EHLO alice-laptop");
    auto row = layout.row_of(ehlo);
    REQUIRE(row);
    const auto& r = layout.rows[*row];
    CHECK(r.shape == row_shape::arrow);
    CHECK(r.from_lane == 0);  // ua.alice
    CHECK(r.to_lane == 1);    // mail.example.org
    for (const auto& rr : layout.rows) {
        CHECK(rr.label.size() <= 40 + 3);  // cut, with an ellipsis
        CHECK(m.at(rr.event_index).kind != event_kind::bytes);
        CHECK(m.at(rr.event_index).kind != event_kind::note);
    }
    // A note is not a row: the row at or before it is the previous row.
    std::size_t note = find_text(m, "AUTH before TLS");
    CHECK_FALSE(layout.row_of(note));
    CHECK(layout.row_at_or_before(note).has_value());
}

TEST_CASE("view: machine status at the cursor and what the server accepts next") {
    trace_model m = demo_model();
    std::size_t mail = find_text(m, "MAIL FROM:<alice@example.org>");
    auto at_mail = machines_at(m, mail);
    const machine_status* server = nullptr;
    for (const auto& s : at_mail)
        if (s.machine == "smtp.server") server = &s;
    REQUIRE(server);
    CHECK(server->current == "READY");  // the MAIL command is parsed, its reply not yet sent
    auto verbs = expected_commands(*server);
    CHECK(std::find(verbs.begin(), verbs.end(), "MAIL") != verbs.end());
    CHECK(std::find(verbs.begin(), verbs.end(), "DATA") == verbs.end());
    auto at_end = machines_at(m, m.size() - 1);
    for (const auto& s : at_end)
        if (s.machine == "pop3.server") CHECK(s.current == "CLOSED");
}

TEST_CASE("view: the machine tracker answers as machines_at does, at every cursor, either way") {
    trace_model m = demo_model();
    auto same = [](const std::vector<machine_status>& a, const std::vector<machine_status>& b) {
        if (a.size() != b.size()) return false;
        for (std::size_t i = 0; i < a.size(); ++i)
            if (a[i].machine != b[i].machine || a[i].conn != b[i].conn ||
                a[i].current != b[i].current || a[i].previous != b[i].previous ||
                a[i].last_event_index != b[i].last_event_index || a[i].spec != b[i].spec ||
                a[i].host != b[i].host)
                return false;
        return true;
    };
    machine_tracker tracker;
    // Forward one event at a time (playing), the same cursor twice, then backwards (stepping
    // back), then jumps: each answer equals the one computed from scratch.
    for (std::size_t c = 0; c < m.size(); ++c) {
        CHECK(same(tracker.at(m, c), machines_at(m, c)));
        CHECK(same(tracker.at(m, c), machines_at(m, c)));
    }
    for (std::size_t c = m.size(); c-- > 0;) CHECK(same(tracker.at(m, c), machines_at(m, c)));
    for (std::size_t c : {m.size() - 1, std::size_t{0}, m.size() / 2, m.size() / 3})
        CHECK(same(tracker.at(m, c), machines_at(m, c)));
    // Another trace (its own storage) starts again.
    trace_model other = demo_model();
    CHECK(same(tracker.at(other, 5), machines_at(other, 5)));
}

TEST_CASE("view: hex dump") {
    auto lines = hex_dump("HELO c\r\n");
    REQUIRE(lines.size() == 1);
    CHECK(lines[0] == "0000  48 45 4c 4f 20 63 0d 0a                           HELO c..");
    CHECK(hex_dump(std::string(40, 'x')).size() == 3);
    CHECK(hex_dump(std::string(64, 'x'), 2).back() == "... 32 more bytes");
}
