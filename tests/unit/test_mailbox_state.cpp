#include <doctest/doctest.h>

#include "golden_traces.hpp"
#include "sim/view/mailbox_state.hpp"

using namespace maillab;
using namespace maillab::view;

namespace {
std::vector<user_mail> mailboxes_at(const trace_model& m, std::size_t cursor) {
    mailbox_history h;
    h.update(m);
    return h.at(m, cursor);
}

const user_mail& user(const std::vector<user_mail>& users, const std::string& address) {
    for (const auto& u : users)
        if (u.user == address) return u;
    FAIL("no user " << address);
    return users.front();
}

event store_event(std::uint64_t seq, std::string text, nlohmann::json fields,
                  std::optional<std::string> raw = std::nullopt) {
    event e;
    e.seq = seq;
    e.conn = 9;
    e.proto = "imap";
    e.from = "mail.example.org";
    e.kind = event_kind::store;
    e.text = std::move(text);
    e.raw = std::move(raw);
    e.fields = std::move(fields);
    return e;
}
}  // namespace

TEST_CASE("mailboxes: flag lists") {
    CHECK(parse_flag_list("(\\Seen \\Flagged)") == std::set<std::string>{"\\Seen", "\\Flagged"});
    CHECK(parse_flag_list("()").empty());
    CHECK(parse_flag_list("\\Deleted") == std::set<std::string>{"\\Deleted"});
}

TEST_CASE("mailboxes: pop3-vs-imap delivered, flagged, expunged, and back again") {
    auto m = test::golden_trace("pop3-vs-imap");
    CHECK(mailboxes_at(m, test::at_seq(m, 36)).empty());

    auto delivered = mailboxes_at(m, test::at_seq(m, 37));
    REQUIRE(delivered.size() == 1);
    const user_mail& bob = delivered[0];
    CHECK(bob.host == "mail.example.org");
    CHECK(bob.user == "bob@example.org");
    REQUIRE(bob.folders.size() == 1);
    REQUIRE(bob.folders[0].messages.size() == 1);
    const stored_mail& first = bob.folders[0].messages[0];
    CHECK(first.uid == 1);
    CHECK(first.flags.empty());
    CHECK(first.subject == "Seminar slides");
    CHECK(first.message_id == "<pop3-vs-imap.step1@example.org>");
    CHECK(first.size == 452);
    REQUIRE(first.source_event);
    CHECK(m.at(*first.source_event).seq == 37);

    auto seen = mailboxes_at(m, test::at_seq(m, 94));
    CHECK(seen[0].folders[0].messages[0].flags == std::set<std::string>{"\\Seen"});
    CHECK(seen[0].folders[0].messages[0].changed_event == test::at_seq(m, 94));

    auto two = mailboxes_at(m, test::at_seq(m, 265));
    CHECK(two[0].message_count() == 2);
    auto one = mailboxes_at(m, test::at_seq(m, 266));
    REQUIRE(one[0].folders[0].messages.size() == 1);
    CHECK(one[0].folders[0].messages[0].uid == 2);
    auto none = mailboxes_at(m, m.size() - 1);
    CHECK(none[0].message_count() == 0);
    // Stepping back un-expunges: the same history, an earlier cursor.
    mailbox_history h;
    h.update(m);
    CHECK(h.at(m, m.size() - 1)[0].message_count() == 0);
    auto back = h.at(m, test::at_seq(m, 200));
    CHECK(back[0].message_count() == 2);
    CHECK(back[0].folders[0].messages[0].flags.count("\\Seen") == 1);
    CHECK(back[0].folders[0].messages[1].flags.empty());
}

TEST_CASE("mailboxes: webmail's Sent copy keeps the APPEND's flags; Bob's mail gets \\Seen") {
    auto m = test::golden_trace("webmail");
    auto end = mailboxes_at(m, m.size() - 1);
    REQUIRE(end.size() == 2);
    const user_mail& alice = user(end, "alice@a.example");
    CHECK(alice.host == "mail.a.example");
    const mail_folder* sent = alice.folder("Sent");
    REQUIRE(sent);
    REQUIRE(sent->messages.size() == 1);
    CHECK(sent->messages[0].flags == std::set<std::string>{"\\Seen"});
    CHECK(sent->messages[0].subject == "Lab photo 实验照片");
    CHECK(sent->messages[0].message_id == "<590fc4ab7f57b05fde3d3ed962e60fe4@webmail.a.example>");
    REQUIRE(alice.folder("INBOX"));
    CHECK(alice.folder("INBOX")->messages.empty());
    const user_mail& bob = user(end, "bob@b.example");
    CHECK(bob.host == "mail.b.example");
    CHECK(bob.folders[0].messages[0].flags == std::set<std::string>{"\\Seen"});
    auto before_read = mailboxes_at(m, test::at_seq(m, 508));
    CHECK(user(before_read, "bob@b.example").folders[0].messages[0].flags.empty());
}

TEST_CASE("mailboxes: a bounce lands in the sender's INBOX on the sending server") {
    auto m = test::golden_trace("failures");
    auto end = mailboxes_at(m, m.size() - 1);
    const user_mail& alice = user(end, "alice@a.example");
    CHECK(alice.host == "mail.a.example");
    REQUIRE(alice.folders[0].messages.size() == 1);
    CHECK(alice.folders[0].messages[0].message_id.rfind("<bounce-3.", 0) == 0);
    CHECK(user(end, "carol@c.example").host == "mail.c.example");
}

TEST_CASE("mailboxes: an IMAP COPY takes the message and its flags from the selected mailbox") {
    std::string raw = "Subject: moved\r\nMessage-ID: <m@x>\r\n\r\nbody\r\n";
    std::vector<event> events;
    event select;
    select.seq = 1;
    select.conn = 9;
    select.proto = "imap";
    select.from = "pc";
    select.to = "mail.example.org";
    select.kind = event_kind::command;
    select.text = "a2 SELECT \"INBOX\"";
    select.fields = {{"verb", "SELECT"}, {"tag", "a2"}};
    events.push_back(select);
    events.push_back(store_event(2, "delivered to u@example.org INBOX as UID 3",
                                 {{"action", "deliver"},
                                  {"user", "u@example.org"},
                                  {"mailbox", "INBOX"},
                                  {"uid", 3},
                                  {"size", raw.size()}},
                                 raw));
    events.push_back(store_event(3, "flags of UID 3 in INBOX are now (\\Seen)",
                                 {{"action", "flags"},
                                  {"user", "u@example.org"},
                                  {"mailbox", "INBOX"},
                                  {"uid", 3},
                                  {"flags", "(\\Seen)"}}));
    events.push_back(store_event(
        4, "copied UID 3 to Trash as UID 1",
        {{"action", "append"}, {"user", "u@example.org"}, {"mailbox", "Trash"}, {"uid", 1}}));
    events.push_back(store_event(
        5, "removed UID 3 from u@example.org INBOX",
        {{"action", "expunge"}, {"user", "u@example.org"}, {"mailbox", "INBOX"}, {"uid", 3}}));
    trace_model m(nlohmann::json::object(), std::move(events));
    auto origin = copy_source(m, 3);
    REQUIRE(origin);
    CHECK(origin->mailbox == "INBOX");
    CHECK(origin->uid == 3);
    auto end = mailboxes_at(m, 4);
    REQUIRE(end.size() == 1);
    CHECK(end[0].folder("INBOX")->messages.empty());
    const mail_folder* trash = end[0].folder("Trash");
    REQUIRE(trash);
    REQUIRE(trash->messages.size() == 1);
    CHECK(trash->messages[0].uid == 1);
    CHECK(trash->messages[0].subject == "moved");
    CHECK(trash->messages[0].flags == std::set<std::string>{"\\Seen"});
    REQUIRE(trash->messages[0].source_event);
    CHECK(*trash->messages[0].source_event == 1);
    CHECK_FALSE(copy_source(m, 1));  // a delivery is no copy
}
