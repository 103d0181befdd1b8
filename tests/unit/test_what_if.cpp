// What-if branches: the branch is the original event for event up to the edited command, the
// server answers what it really received (an unknown recipient gets 550 and no mail for them, a
// wrong POP3 password -ERR), a skipped command ends the run cleanly with the hanging connection
// explained, and an edit at a seq that is not a client command is refused with what is there.
#include "sim/world/what_if.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <string>

#include "catalog_check.hpp"
#include "sim/world/scenario_loader.hpp"

#ifndef MAILLAB_SOURCE_DIR
#error "MAILLAB_SOURCE_DIR must name the source tree (tests/CMakeLists.txt defines it)"
#endif

using namespace maillab;

namespace {

world::scenario classic() {
    return world::load_scenario_file(std::string(MAILLAB_SOURCE_DIR) + "/scenarios/classic.json");
}

// The seq of the first command on a connection whose text starts with `prefix`, seen from `from`.
std::uint64_t command_seq(const std::vector<event>& events, const std::string& from,
                          const std::string& prefix) {
    for (const auto& e : events)
        if (e.kind == event_kind::command && e.from == from && e.text.starts_with(prefix)) return e.seq;
    FAIL("no command " << prefix << " from " << from);
    return 0;
}

const event* reply_with_cause(const std::vector<event>& events, std::size_t from_index,
                              std::uint64_t conn, const std::string& prefix) {
    for (std::size_t i = from_index; i < events.size(); ++i)
        if (events[i].conn == conn && events[i].kind == event_kind::reply &&
            events[i].text.starts_with(prefix))
            return &events[i];
    return nullptr;
}

void check_prefix_identical(const world::what_if_result& r) {
    REQUIRE(r.divergence > 0);
    REQUIRE(r.divergence < r.branch.events.size());
    for (std::size_t i = 0; i < r.divergence; ++i) REQUIRE(r.original.events[i] == r.branch.events[i]);
    const event& note = r.branch.events[r.divergence];
    CHECK(note.kind == event_kind::note);
    CHECK(note.explain.starts_with("world.whatif."));
    CHECK(note.conn == r.target.conn);
    // The original's event there is the chunk of bytes that carried the command.
    const event& chunk = r.original.events[r.divergence];
    CHECK(chunk.kind == event_kind::bytes);
    CHECK(chunk.raw->find(r.target.bytes) != std::string::npos);
}

}  // namespace

TEST_CASE("what if: an unknown recipient on the relay hop gets 550 and bob gets no mail") {
    world::scenario s = classic();
    world::scenario_result plain = world::run_scenario(s);
    std::uint64_t seq = command_seq(plain.events, "mail.a.example", "RCPT TO:");
    world::what_if_result r = world::run_what_if(s, {seq, std::string("RCPT TO:<nobody@b.example>")});

    CHECK(r.target.seq == seq);
    CHECK(r.target.client == "mail.a.example");
    CHECK(r.target.bytes == "RCPT TO:<bob@b.example>\r\n");
    check_prefix_identical(r);
    // The branch's bytes carry the replacement in the same pipelined chunk.
    const event& chunk = r.branch.events[r.divergence + 1];
    CHECK(chunk.kind == event_kind::bytes);
    CHECK(chunk.raw->find("RCPT TO:<nobody@b.example>\r\n") != std::string::npos);
    CHECK(chunk.raw->find("RCPT TO:<bob@b.example>") == std::string::npos);

    // The server really received and refused it.
    CHECK(reply_with_cause(r.branch.events, r.divergence, r.target.conn, "550") != nullptr);
    CHECK(reply_with_cause(r.original.events, r.divergence, r.target.conn, "550") == nullptr);
    bool a_reply_differs = std::any_of(r.replies.begin(), r.replies.end(),
                                       [](const auto& p) { return p.differs; });
    CHECK(a_reply_differs);

    // No mail was stored for bob in the branch; the original delivered it (and POP3 took it).
    auto delivered_to_bob = [](const std::vector<event>& events) {
        return std::any_of(events.begin(), events.end(), [](const event& e) {
            return e.kind == event_kind::store && e.fields.value("action", "") == "deliver" &&
                   e.fields.value("user", "") == "bob@b.example";
        });
    };
    CHECK(delivered_to_bob(r.original.events));
    CHECK_FALSE(delivered_to_bob(r.branch.events));
    // Outcomes: the expectation that the relay delivered now fails.
    bool delivery_expectation_changed = std::any_of(
        r.expectations.begin(), r.expectations.end(),
        [](const auto& x) { return x.original_passed && !x.branch_passed; });
    CHECK(delivery_expectation_changed);
    CHECK(r.original.passed);
    CHECK_FALSE(r.branch.passed);
    test::check_explanations(r.branch.events);

    // Side by side, the 550 faces the original's 250 for the same RCPT; the shared events come
    // first (the same on both sides), then the edit note alone.
    auto rows = world::what_if_rows(
        r, [&](const event& e) { return e.conn == r.target.conn && e.kind != event_kind::bytes; }, 4);
    REQUIRE(rows.size() > 5);
    for (std::size_t k = 0; k < 4; ++k) CHECK(rows[k].original == rows[k].branch);
    CHECK_FALSE(rows[4].original);
    CHECK(rows[4].branch == r.divergence);
    auto refused = std::find_if(rows.begin(), rows.end(), [&](const auto& row) {
        return row.branch && r.branch.events[*row.branch].text.starts_with("550");
    });
    REQUIRE(refused != rows.end());
    REQUIRE(refused->original);
    CHECK(r.original.events[*refused->original].text.starts_with("250 2.1.5"));
}

TEST_CASE("what if: an unknown local recipient at submission gets 550 on the edited connection") {
    world::scenario s = classic();
    world::scenario_result plain = world::run_scenario(s);
    std::uint64_t seq = command_seq(plain.events, "pc.alice", "RCPT TO:");
    world::what_if_result r = world::run_what_if(s, {seq, std::string("RCPT TO:<nobody@a.example>")});
    check_prefix_identical(r);
    CHECK(r.target.conn == 1);
    REQUIRE_FALSE(r.replies.empty());
    const event* refused = reply_with_cause(r.branch.events, r.divergence, 1, "550");
    REQUIRE(refused != nullptr);
    CHECK(refused->text.find("5.1.1") != std::string::npos);
    // The mail was refused for its only recipient: the relay never ran, nothing was delivered.
    CHECK(std::none_of(r.branch.events.begin(), r.branch.events.end(), [](const event& e) {
        return e.kind == event_kind::store && e.fields.value("action", "") == "deliver";
    }));
}

TEST_CASE("what if: a wrong POP3 password gets -ERR") {
    world::scenario s = classic();
    world::scenario_result plain = world::run_scenario(s);
    std::uint64_t seq = command_seq(plain.events, "pc.bob", "PASS ");
    world::what_if_result r = world::run_what_if(s, {seq, std::string("PASS wrong-password")});
    check_prefix_identical(r);
    CHECK(r.target.proto == "pop3");
    REQUIRE_FALSE(r.replies.empty());
    // The first reply after the edit is the answer to PASS.
    const event& original = r.original.events[*r.replies.front().original];
    const event& branch = r.branch.events[*r.replies.front().branch];
    CHECK(original.text.starts_with("+OK"));
    CHECK(branch.text.starts_with("-ERR"));
    CHECK(r.replies.front().differs);
    // Bob's mail stays on the server: the "no_mail" expectation now fails, and the mailbox
    // comparison shows the message still in his INBOX.
    CHECK_FALSE(r.branch.passed);
    auto inbox = std::find_if(r.mailboxes.begin(), r.mailboxes.end(), [](const auto& m) {
        return m.user == "bob@b.example" && m.folder == "INBOX";
    });
    REQUIRE(inbox != r.mailboxes.end());
    CHECK(inbox->original.empty());
    CHECK(inbox->branch.size() == 1);
}

TEST_CASE("what if: a skipped command ends the run cleanly and says who was left waiting") {
    world::scenario s = classic();
    world::scenario_result plain = world::run_scenario(s);
    std::uint64_t seq = command_seq(plain.events, "pc.alice", "EHLO");
    world::what_if_result r = world::run_what_if(s, {seq, std::nullopt});
    check_prefix_identical(r);
    CHECK(r.branch.events[r.divergence].explain == "world.whatif.skipped");
    // The chunk was the whole command: nothing went on the wire in its place.
    CHECK(r.branch.events[r.divergence + 1].kind != event_kind::bytes);
    // The server never answered: no reply on the connection after the edit.
    CHECK(std::all_of(r.replies.begin(), r.replies.end(), [](const auto& p) { return !p.branch; }));
    CHECK_FALSE(r.branch.all_steps_finished);
    REQUIRE_FALSE(r.explanations.empty());
    CHECK(r.explanations.front().find("still open") != std::string::npos);
    CHECK(r.explanations.front().find("EHLO") != std::string::npos);  // the client's state
    bool step_explained = std::any_of(r.explanations.begin(), r.explanations.end(), [](const auto& t) {
        return t.find("Step 1") != std::string::npos;
    });
    CHECK(step_explained);
    test::check_explanations(r.branch.events);
}

TEST_CASE("what if: a seq that is not a client command is refused with what it is") {
    world::scenario s = classic();
    world::scenario_result plain = world::run_scenario(s);
    std::uint64_t rcpt = command_seq(plain.events, "pc.alice", "RCPT TO:");
    // The reply to RCPT.
    std::uint64_t reply = 0;
    for (const auto& e : plain.events)
        if (e.kind == event_kind::reply && e.cause == rcpt) reply = e.seq;
    REQUIRE(reply != 0);
    try {
        world::run_what_if(s, {reply, std::string("X")});
        FAIL("no error");
    } catch (const world::what_if_error& err) {
        std::string what = err.what();
        CHECK(what.find("seq " + std::to_string(reply) + " is a reply from mail.a.example") !=
              std::string::npos);
        CHECK(what.find("not a client command") != std::string::npos);
        CHECK(what.find("seq " + std::to_string(rcpt)) != std::string::npos);  // the hint
    }
    CHECK_THROWS_WITH_AS(world::run_what_if(s, {1, std::nullopt}),
                         doctest::Contains("seq 1 is a note"), world::what_if_error);
    CHECK_THROWS_WITH_AS(world::run_what_if(s, {999999, std::nullopt}),
                         doctest::Contains("no event with that seq"), world::what_if_error);
}

TEST_CASE("what if: replacement bytes keep the original's line ending") {
    CHECK(world::replacement_bytes("NOOP", "QUIT\r\n") == "NOOP\r\n");
    CHECK(world::replacement_bytes("NOOP", "quit\n") == "NOOP\n");
    CHECK(world::replacement_bytes("NOOP\r\n", "QUIT\n") == "NOOP\r\n");
    CHECK(world::replacement_bytes("", "QUIT\r\n") == "\r\n");
}

TEST_CASE("what if: a command replaced by itself changes nothing but the note") {
    // Replacing a command with the same bytes changes nothing but the note: the branch must
    // equal the original after it too (the edit path does not disturb the run).
    world::scenario s = classic();
    world::scenario_result plain = world::run_scenario(s);
    std::uint64_t seq = command_seq(plain.events, "pc.alice", "MAIL FROM:");
    world::what_if_result r = world::run_what_if(s, {seq, std::string("MAIL FROM:<alice@a.example> SIZE=366")});
    check_prefix_identical(r);
    REQUIRE(r.branch.events.size() == r.original.events.size() + 1);
    for (std::size_t i = r.divergence; i < r.original.events.size(); ++i) {
        event a = r.original.events[i];
        event b = r.branch.events[i + 1];
        // Seqs shift by one (the note) and so do causes after it.
        CHECK(a.text == b.text);
        CHECK(a.raw == b.raw);
        CHECK(a.t_us == b.t_us);
    }
    CHECK(std::none_of(r.replies.begin(), r.replies.end(), [](const auto& p) { return p.differs; }));
    CHECK(r.mailboxes.empty());
    CHECK(r.branch.passed);
}
