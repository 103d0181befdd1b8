// The faults that test what "acknowledged" means: a reply lost on the way (lose_reply), bytes
// changed on the way (corrupt), a slow server (delay) and a server restart (restart). Each test
// checks the trace and the final mail stores: acknowledged mail is never lost, and the only
// duplicate is the one RFC 1047 describes (the server stored the mail, the client never heard).
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>

#include "fault_world.hpp"
#include "sim/world/scenario_loader.hpp"

using namespace maillab;
using namespace maillab::fault_test;

namespace {

// How many times each Message-ID is in the user's INBOX.
std::map<std::string, int> message_ids_in(const run_world& run, const std::string& user) {
    std::map<std::string, int> ids;
    const mailbox* box = run.inbox(user);
    if (!box) return ids;
    for (const auto& m : box->messages) {
        auto at = m.bytes.find("Message-ID: ");
        if (at == std::string::npos) continue;
        auto end = m.bytes.find("\r\n", at);
        ++ids[m.bytes.substr(at + 12, end - at - 12)];
    }
    return ids;
}

// Every message a server acknowledged (a store event: it is written when the 250 is sent) is in
// the final store: nothing acknowledged is lost.
void check_acknowledged_mail_kept(const run_world& run) {
    for (const event* stored : run.all({{"kind", "store"}, {"action", "deliver"}})) {
        std::string user = stored->fields["user"];
        auto ids = message_ids_in(run, user);
        std::string id = stored->fields["message_id"];
        CHECK_MESSAGE(ids[id] >= 1, id << " acknowledged for " << user << " but not in the store");
    }
}

std::string load_error(const std::string& faults) {
    try {
        world::load_scenario_text("bad.json", scenario(faults, send(R"(["bob@b.example"])", "m1")));
    } catch (const std::exception& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST_CASE("fault lose_reply on the final dot: stored, 250 never arrives, retried, stored again") {
    run_world run(scenario(R"({"name": "lost 250", "host": "mx.b.example", "command": ".",
     "nth": 1, "action": "lose_reply"})",
                           send(R"(["bob@b.example"])", "m1")));
    auto notes = run.notes_of(0);
    REQUIRE(notes.size() == 1);
    CHECK(notes[0]->fields["action"] == "lose_reply");
    std::uint64_t conn = notes[0]->conn;
    // The server really answered 250 (its reply event) but no bytes with it left the server.
    auto replies = run.all({{"kind", "reply"}, {"conn", conn}, {"from", "mx.b.example"}});
    REQUIRE(!replies.empty());
    CHECK(replies.back()->text.starts_with("250 2.0.0"));
    for (const event* b : run.all({{"kind", "bytes"}, {"conn", conn}, {"from", "mx.b.example"}}))
        CHECK(b->raw.value_or("").find("250 2.0.0") == std::string::npos);
    // The relay saw a lost connection, deferred, and sent again on the retry.
    auto deferred = run.all({{"kind", "queue"}, {"action", "deferred"}});
    REQUIRE(deferred.size() == 1);
    CHECK(run.all({{"kind", "queue"}, {"action", "delivered"}}).size() == 1);
    CHECK(run.all({{"kind", "store"}, {"action", "deliver"}}).size() == 2);
    CHECK(message_ids_in(run, "bob@b.example")["<m1@a.example>"] == 2);  // RFC 1047
    check_acknowledged_mail_kept(run);
    check_no_half_message(run);
}

TEST_CASE("fault lose_reply on RCPT: nothing was stored yet, so the retry delivers exactly once") {
    run_world run(scenario(R"({"host": "mx.b.example", "command": "RCPT", "nth": 1,
     "action": "lose_reply"})",
                           send(R"(["bob@b.example"])", "m1")));
    REQUIRE(run.notes_of(0).size() == 1);
    CHECK(run.all({{"kind", "queue"}, {"action", "deferred"}}).size() == 1);
    CHECK(message_ids_in(run, "bob@b.example")["<m1@a.example>"] == 1);
    check_acknowledged_mail_kept(run);
}

TEST_CASE("fault corrupt on RCPT: the changed address is unknown, so the mail bounces") {
    run_world run(scenario(R"({"host": "mx.b.example", "command": "RCPT", "action": "corrupt",
     "replace": "bob@", "with": "bpb@"})",
                           send(R"(["bob@b.example"])", "m1")));
    auto notes = run.notes_of(0);
    REQUIRE(notes.size() == 1);
    CHECK(notes[0]->text.find("\"RCPT TO:<bob@b.example>\" arrives as \"RCPT TO:<bpb@b.example>\"") !=
          std::string::npos);
    // The server parsed the changed line, as if the client had sent it.
    auto rcpt = run.all({{"kind", "command"}, {"verb", "RCPT"}, {"from", "mail.a.example"},
                         {"conn", notes[0]->conn}});
    REQUIRE(rcpt.size() == 1);
    CHECK(rcpt[0]->text == "RCPT TO:<bpb@b.example>");
    CHECK(run.all({{"kind", "queue"}, {"action", "bounce"}}).size() == 1);
    CHECK(run.count("bob@b.example") == 0);
}

TEST_CASE("fault corrupt without a command changes the DATA text, and nothing notices") {
    run_world run(scenario(R"({"host": "mx.b.example", "action": "corrupt", "replace": "line 3",
     "with": "line 9"})",
                           send(R"(["bob@b.example"])", "m1")));
    REQUIRE(run.notes_of(0).size() == 1);
    const mailbox* box = run.inbox("bob@b.example");
    REQUIRE(box);
    REQUIRE(box->messages.size() == 1);
    CHECK(box->messages[0].bytes.find("line 9\r\n") != std::string::npos);
    CHECK(box->messages[0].bytes.find("line 3\r\n") == std::string::npos);
}

TEST_CASE("fault corrupt with nth changes only that matching line") {
    run_world run(scenario(R"({"host": "mx.b.example", "action": "corrupt", "replace": "line",
     "with": "LINE", "nth": 2})",
                           send(R"(["bob@b.example"])", "m1")));
    const mailbox* box = run.inbox("bob@b.example");
    REQUIRE(box);
    REQUIRE(box->messages.size() == 1);
    CHECK(box->messages[0].bytes.find("line 1\r\nLINE 2\r\nline 3\r\n") != std::string::npos);
}

TEST_CASE("fault delay holds the replies, keeps their order, and the 221 still leaves before the close") {
    run_world run(scenario(R"({"host": "mx.b.example", "command": "QUIT", "action": "delay",
     "delay": "4s"})",
                           send(R"(["bob@b.example"])", "m1")));
    auto notes = run.notes_of(0);
    REQUIRE(notes.size() == 1);
    std::uint64_t conn = notes[0]->conn;
    auto released = run.all({{"kind", "note"}, {"explain", "fault.released"}, {"conn", conn}});
    REQUIRE(released.size() == 1);
    CHECK(released[0]->t_us - notes[0]->t_us == 4 * second);
    // The 221's bytes leave at the release, then the server closes.
    auto bytes = run.all({{"kind", "bytes"}, {"conn", conn}, {"from", "mx.b.example"}});
    REQUIRE(!bytes.empty());
    CHECK(bytes.back()->raw.value_or("").starts_with("221 "));
    CHECK(bytes.back()->t_us == released[0]->t_us);
    auto closes = run.all({{"kind", "tcp"}, {"action", "close"}, {"conn", conn}});
    REQUIRE(!closes.empty());
    CHECK(closes.front()->t_us >= released[0]->t_us);
    CHECK(run.count("bob@b.example") == 1);
}

TEST_CASE("fault restart: the transaction in flight is lost, the host refuses while down, the retry "
          "delivers once, and mail stored before the restart survives") {
    // m1 is delivered at once; m2 is sent at 1 minute and mx.b.example stops 31 ms later, in
    // the middle of the relay's transaction; it is back at 3 minutes.
    run_world run(scenario(R"({"name": "restart", "host": "mx.b.example", "action": "restart",
     "from": "60.031s", "until": "3m"})",
                           send(R"(["bob@b.example"])", "m1") + ",\n" +
                               send(R"(["bob@b.example"])", "m2", R"("at": "1m", )"),
                           "", R"({"retry": ["1m", "5m"], "connect_timeout": "10s"})"));
    auto down = run.all({{"kind", "note"}, {"explain", "fault.restart_down"}});
    REQUIRE(down.size() == 1);
    CHECK(rel(down[0]) == 60 * second + 31'000);
    CHECK(down[0]->fields["connections_cut"] == 1);
    auto up = run.all({{"kind", "note"}, {"explain", "fault.restart_up"}});
    REQUIRE(up.size() == 1);
    CHECK(rel(up[0]) == 3 * minute);
    // While down: refused; the retry after the window delivers.
    auto refused = run.all({{"kind", "tcp"}, {"action", "connect_failed"}, {"to", "mx.b.example"}});
    REQUIRE(!refused.empty());
    for (const event* r : refused) {
        CHECK(r->t_us > down[0]->t_us);
        CHECK(r->t_us < up[0]->t_us);
    }
    auto ids = message_ids_in(run, "bob@b.example");
    CHECK(ids["<m1@a.example>"] == 1);
    CHECK(ids["<m2@a.example>"] == 1);
    CHECK(run.all({{"kind", "store"}, {"action", "deliver"}}).size() == 2);
    check_acknowledged_mail_kept(run);
    check_no_half_message(run);
}

TEST_CASE("the new fault actions are checked when the scenario loads") {
    CHECK(load_error(R"({"host": "mx.b.example", "action": "corrupt", "with": "x"})")
              .find("\"replace\"") != std::string::npos);
    CHECK(load_error(R"({"host": "mx.b.example", "action": "corrupt", "replace": "a", "with": "a"})")
              .find("the same") != std::string::npos);
    CHECK(load_error(R"({"host": "mx.b.example", "command": "DATA", "action": "delay", "delay": "0s"})")
              .find("longer than zero") != std::string::npos);
    CHECK(load_error(R"({"host": "mx.b.example", "action": "delay", "delay": "1s"})")
              .find("needs the \"command\"") != std::string::npos);
    CHECK(load_error(R"({"host": "mx.b.example", "action": "restart", "from": "1m"})")
              .find("\"until\"") != std::string::npos);
    CHECK(load_error(R"({"host": "mx.b.example", "action": "restart", "until": "1m"})")
              .find("\"from\"") != std::string::npos);
    CHECK(load_error(R"({"host": "mx.b.example", "action": "restart", "from": "1m", "until": "2m",
     "command": "DATA"})")
              .find("unknown key \"command\"") != std::string::npos);
    CHECK(load_error(R"({"host": "mx.b.example", "action": "lose_reply"})")
              .find("needs the \"command\"") != std::string::npos);
}

TEST_CASE("faults.json: acknowledged mail is kept, and the only duplicate is the lost 250's") {
    std::ifstream in(std::filesystem::path(MAILLAB_SOURCE_DIR) / "scenarios" / "faults.json");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    run_world run(text);
    check_acknowledged_mail_kept(run);
    auto ids = message_ids_in(run, "bob@b.example");
    CHECK(ids.size() == 3);
    CHECK(ids["<lunch@a.example>"] == 2);
    CHECK(ids["<minutes@a.example>"] == 1);
    CHECK(ids["<invoice@a.example>"] == 1);
    // Each kind of fault acted.
    for (const char* action : {"lose_reply", "delay", "corrupt"})
        CHECK_MESSAGE(!run.all({{"kind", "note"}, {"explain", "fault.applied"}, {"action", action}})
                           .empty(),
                      action);
    CHECK(run.all({{"kind", "note"}, {"explain", "fault.restart_down"}}).size() == 1);
}
