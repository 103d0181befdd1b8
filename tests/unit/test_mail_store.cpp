#include "sim/store/mail_store.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <utility>

#include <unistd.h>

#include "sim/store/maildir.hpp"

using namespace maillab;
namespace fs = std::filesystem;

namespace {
struct temp_dir {
    fs::path path;
    temp_dir() {
        path = fs::temp_directory_path() /
               ("maillab-store-test-" + std::to_string(::getpid()) + "-" +
                std::to_string(reinterpret_cast<std::uintptr_t>(this)));
        fs::remove_all(path);
    }
    ~temp_dir() { fs::remove_all(path); }
};
}  // namespace

TEST_CASE("a persistent store keeps mail, UIDs and UIDVALIDITY across a restart") {
    temp_dir dir;
    std::uint32_t validity = 0;
    {
        mail_store store(dir.path);
        store.add_user("bob@example.org", "pw");
        CHECK(store.deliver("bob@example.org", "INBOX", "one\r\n", 0) == 1);
        CHECK(store.deliver("bob@example.org", "INBOX", "two\r\n", 0) == 2);
        CHECK(store.deliver("bob@example.org", "INBOX", "three\r\n", 0) == 3);
        CHECK(store.expunge("bob@example.org", "INBOX", {3, 99}) == std::vector<std::uint32_t>{3});
        validity = store.find_mailbox("bob@example.org", "INBOX")->uid_validity;
        CHECK(fs::is_empty(dir.path / "bob@example.org" / "tmp"));
    }
    mail_store again(dir.path);
    again.add_user("bob@example.org", "pw");
    const mailbox* box = again.find_mailbox("bob@example.org", "INBOX");
    REQUIRE(box);
    CHECK(box->uid_validity == validity);
    REQUIRE(box->messages.size() == 2);
    CHECK(box->messages[0].uid == 1);
    CHECK(box->messages[0].bytes == "one\r\n");
    CHECK(box->messages[1].bytes == "two\r\n");
    // UID 3 was used and expunged: it is never handed out again (RFC 3501 2.3.1.1).
    CHECK(again.deliver("bob@example.org", "INBOX", "four\r\n", 0) == 4);
}

TEST_CASE("Maildir: half-written deliveries vanish, hand-dropped files get UIDs, flags parse") {
    temp_dir dir;
    fs::path box = dir.path / "bob@example.org";
    {
        mail_store store(dir.path);
        store.add_user("bob@example.org", "pw");
        store.deliver("bob@example.org", "INBOX", "kept\r\n", 0);
    }
    std::ofstream(box / "tmp" / "crashed.partial") << "half a mess";
    std::ofstream(box / "cur" / "1700000000.hand.host:2,SF") << "dropped in\r\n";
    mail_store store(dir.path);
    store.add_user("bob@example.org", "pw");
    const mailbox* inbox = store.find_mailbox("bob@example.org", "INBOX");
    REQUIRE(inbox->messages.size() == 2);
    CHECK(inbox->messages[1].uid == 2);
    CHECK(inbox->messages[1].flags == std::set<std::string>{"\\Flagged", "\\Seen"});
    CHECK(fs::is_empty(box / "tmp"));
    CHECK(maildir::flags_to_info({"\\Seen", "\\Answered", "\\Deleted"}) == ":2,RST");
}

TEST_CASE("store: users by full address or unique local part; bad names refused") {
    mail_store store;
    store.add_user("bob@a.example", "1");
    store.add_user("bob@b.example", "2");
    store.add_user("carol@a.example", "3");
    CHECK(store.find_user("carol") != nullptr);
    CHECK(store.find_user("bob") == nullptr);  // ambiguous
    CHECK(store.authenticate("bob@B.EXAMPLE", "2") == "bob@b.example");
    CHECK_THROWS_AS(store.add_user("bob@a.example", "x"), std::invalid_argument);
    CHECK_THROWS_AS(store.add_user("no-at-sign", "x"), std::invalid_argument);
    CHECK_THROWS_AS(store.add_user("../evil@a.example", "x"), std::invalid_argument);
    CHECK(store.lock_maildrop("carol@a.example"));
    CHECK_FALSE(store.lock_maildrop("carol@a.example"));
    store.unlock_maildrop("carol@a.example");
    CHECK(store.lock_maildrop("carol@a.example"));
}

TEST_CASE("a copied Maildir file with a UID already in use gets a new UID") {
    temp_dir dir;
    fs::path box = dir.path / "bob@example.org";
    std::string first_name;
    {
        mail_store store(dir.path);
        store.add_user("bob@example.org", "pw");
        store.deliver("bob@example.org", "INBOX", "one\r\n", 0);
        first_name = store.find_mailbox("bob@example.org", "INBOX")->messages[0].file_name;
    }
    fs::copy_file(box / "new" / first_name, box / "cur" / (first_name + ".copy:2,S"));
    mail_store store(dir.path);
    store.add_user("bob@example.org", "pw");
    const mailbox* inbox = store.find_mailbox("bob@example.org", "INBOX");
    REQUIRE(inbox->messages.size() == 2);
    CHECK(inbox->messages[0].uid == 1);
    CHECK(inbox->messages[1].uid == 2);
}

// ---- IMAP mailbox operations: each runs on an in-memory and on a persistent store ----

namespace {
const std::string bob = "bob@example.org";

// A persistent store on `dir` with bob, as a restart of `maillab serve --store` would build it.
mail_store reopen(const fs::path& dir) {
    mail_store store(dir);
    store.add_user(bob, "pw");
    return store;
}

// Runs `body` in two doctest subcases: with a store in memory, and with one on disk.
template <class Body>
void in_memory_and_on_disk(Body body) {
    SUBCASE("in memory") {
        mail_store store;
        store.add_user(bob, "pw");
        body(store);
    }
    SUBCASE("on disk") {
        temp_dir dir;
        mail_store store = reopen(dir.path);
        body(store);
    }
}

using name_list = std::vector<std::string>;
using change_list = std::vector<std::pair<std::string, std::string>>;

// Records every change callback as (address, mailbox).
struct change_log {
    change_list seen;
    explicit change_log(mail_store& store) {
        store.set_on_change([this](const std::string& address, const std::string& mailbox) {
            seen.emplace_back(address, mailbox);
        });
    }
    change_list take() { return std::exchange(seen, {}); }
};

std::vector<std::uint32_t> uids_of(const mailbox* box) {
    std::vector<std::uint32_t> uids;
    for (const auto& m : box->messages) uids.push_back(m.uid);
    return uids;
}

std::vector<std::string> files_in(const fs::path& dir) {
    std::vector<std::string> names;
    if (!fs::exists(dir)) return names;
    for (const auto& f : fs::directory_iterator(dir)) names.push_back(f.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}
}  // namespace

TEST_CASE("mailboxes: INBOX first, others in name order; create refuses bad and existing names") {
    in_memory_and_on_disk([](mail_store& store) {
        CHECK(store.mailbox_names(bob) == name_list{"INBOX"});
        CHECK(store.create_mailbox(bob, "Sent"));
        CHECK(store.create_mailbox(bob, "Archive"));
        CHECK(store.create_mailbox(bob, "Drafts"));
        CHECK(store.mailbox_names(bob) == name_list{"INBOX", "Archive", "Drafts", "Sent"});
        CHECK(store.mailbox_names("nobody@example.org").empty());

        CHECK_FALSE(store.create_mailbox(bob, "Sent"));  // exists
        CHECK_FALSE(store.create_mailbox(bob, ""));
        CHECK_FALSE(store.create_mailbox(bob, ".hidden"));
        CHECK_FALSE(store.create_mailbox(bob, "a/b"));
        CHECK_FALSE(store.create_mailbox(bob, "a..b"));
        CHECK_FALSE(store.create_mailbox(bob, ".."));
        CHECK_FALSE(store.create_mailbox(bob, "INBOX"));
        CHECK_FALSE(store.create_mailbox(bob, "inBox"));  // RFC 3501 5.1: any case
        CHECK_FALSE(store.create_mailbox(bob, std::string("nul\0x", 5)));
        CHECK_FALSE(store.create_mailbox(bob, "line\nbreak"));
        CHECK_FALSE(store.create_mailbox(bob, std::string(255, 'x')));
        CHECK_FALSE(store.create_mailbox("nobody@example.org", "X"));
        CHECK(store.mailbox_names(bob) == name_list{"INBOX", "Archive", "Drafts", "Sent"});

        // Other names are case-sensitive: "sent" is not "Sent".
        CHECK(store.create_mailbox(bob, "sent"));
        CHECK(store.find_mailbox(bob, "sent") != store.find_mailbox(bob, "Sent"));
        // RFC 3501 6.3.3: a trailing delimiter is dropped; superiors are created.
        CHECK(store.create_mailbox(bob, "Work."));
        CHECK(store.find_mailbox(bob, "Work") != nullptr);
        CHECK(store.create_mailbox(bob, "Lists.ietf.imap"));
        CHECK(store.mailbox_names(bob) == name_list{"INBOX", "Archive", "Drafts", "Lists",
                                                    "Lists.ietf", "Lists.ietf.imap", "Sent",
                                                    "Work", "sent"});
        CHECK_FALSE(store.create_mailbox(bob, "Lists.ietf."));  // exists once the dot is gone
        CHECK(store.create_mailbox(bob, std::string(254, 'x')));

        // find_mailbox: INBOX in any case, others exactly.
        CHECK(store.find_mailbox(bob, "inbox") == store.find_mailbox(bob, "INBOX"));
        CHECK(store.find_mailbox("BOB@Example.ORG", "iNbOx") != nullptr);
        CHECK(store.find_mailbox(bob, "archive") == nullptr);
    });
}

TEST_CASE("deliver into a new mailbox creates it; a bad name throws") {
    in_memory_and_on_disk([](mail_store& store) {
        change_log log(store);
        CHECK(store.deliver(bob, "inbox", "a\r\n", 0) == 1);  // "inbox" is INBOX
        CHECK(store.find_mailbox(bob, "INBOX")->messages.size() == 1);
        CHECK(store.deliver(bob, "Lists.smtp", "b\r\n", 0) == 1);
        CHECK(store.mailbox_names(bob) == name_list{"INBOX", "Lists", "Lists.smtp"});
        CHECK(log.take() == change_list{{bob, "INBOX"}, {bob, "Lists"}, {bob, "Lists.smtp"},
                                        {bob, "Lists.smtp"}});
        CHECK_THROWS_AS(store.deliver(bob, "../escape", "c\r\n", 0), std::invalid_argument);
        CHECK_THROWS_AS(store.deliver(bob, "Trailing.", "c\r\n", 0), std::invalid_argument);
        CHECK_THROWS_AS(store.deliver("nobody@example.org", "INBOX", "c\r\n", 0),
                        std::invalid_argument);
        CHECK(log.take().empty());
    });
}

TEST_CASE("delete_mailbox: never INBOX; removes messages and directory; children stay") {
    in_memory_and_on_disk([](mail_store& store) {
        REQUIRE(store.create_mailbox(bob, "Old.2023"));
        store.deliver(bob, "Old", "one\r\n", 0);
        store.deliver(bob, "Old", "two\r\n", 0);
        store.subscribe(bob, "Old");
        std::uint32_t old_validity = store.find_mailbox(bob, "Old")->uid_validity;
        fs::path user_dir = store.persistent() ? store.root() / bob : fs::path();

        change_log log(store);
        CHECK_FALSE(store.delete_mailbox(bob, "INBOX"));
        CHECK_FALSE(store.delete_mailbox(bob, "Inbox"));
        CHECK_FALSE(store.delete_mailbox(bob, "Missing"));
        CHECK_FALSE(store.delete_mailbox("nobody@example.org", "Old"));
        CHECK(log.take().empty());

        CHECK(store.delete_mailbox(bob, "Old"));
        CHECK(log.take() == change_list{{bob, "Old"}});
        CHECK(store.find_mailbox(bob, "Old") == nullptr);
        CHECK(store.mailbox_names(bob) == name_list{"INBOX", "Old.2023"});
        CHECK(store.subscriptions(bob) == name_list{"Old"});  // RFC 3501 6.3.9
        CHECK_FALSE(store.delete_mailbox(bob, "Old"));
        if (store.persistent()) {
            CHECK_FALSE(fs::exists(user_dir / ".Old"));
            CHECK(fs::exists(user_dir / ".Old.2023"));
            for (const auto& name : files_in(user_dir))
                CHECK(name.find("deleting") == std::string::npos);
        }

        // Created again: empty, UIDs from 1, and a UIDVALIDITY it never had (RFC 3501 2.3.1.1).
        CHECK(store.create_mailbox(bob, "Old"));
        const mailbox* again = store.find_mailbox(bob, "Old");
        CHECK(again->messages.empty());
        CHECK(again->uid_validity > old_validity);
        CHECK(store.deliver(bob, "Old", "new\r\n", 0) == 1);
    });
}

TEST_CASE("rename_mailbox renames the children, keeps messages and UIDs, gives a new UIDVALIDITY") {
    in_memory_and_on_disk([](mail_store& store) {
        REQUIRE(store.create_mailbox(bob, "A.x.deep"));
        REQUIRE(store.create_mailbox(bob, "AB"));  // not a child of "A": no delimiter
        store.deliver(bob, "A", "a1\r\n", 0);
        store.deliver(bob, "A", "a2\r\n", 0);
        store.expunge(bob, "A", {1});
        store.deliver(bob, "A.x", "x1\r\n", 0);
        std::uint32_t validity_a = store.find_mailbox(bob, "A")->uid_validity;
        std::uint32_t validity_x = store.find_mailbox(bob, "A.x")->uid_validity;

        change_log log(store);
        CHECK_FALSE(store.rename_mailbox(bob, "Missing", "C"));
        CHECK_FALSE(store.rename_mailbox(bob, "A", "AB"));     // exists
        CHECK_FALSE(store.rename_mailbox(bob, "A", "inbox"));  // INBOX is never a target
        CHECK_FALSE(store.rename_mailbox(bob, "A", "bad..name"));
        CHECK_FALSE(store.rename_mailbox(bob, "A", ""));
        CHECK_FALSE(store.rename_mailbox("nobody@example.org", "A", "C"));
        REQUIRE(store.create_mailbox(bob, "C.x"));
        log.take();
        // "A.x" would become "C.x", which exists: refused before anything moves.
        CHECK_FALSE(store.rename_mailbox(bob, "A", "C"));
        CHECK(log.take().empty());
        CHECK(store.mailbox_names(bob) == name_list{"INBOX", "A", "A.x", "A.x.deep", "AB", "C",
                                                    "C.x"});
        REQUIRE(store.delete_mailbox(bob, "C.x"));
        REQUIRE(store.delete_mailbox(bob, "C"));
        log.take();

        CHECK(store.rename_mailbox(bob, "A", "B"));
        CHECK(store.mailbox_names(bob) == name_list{"INBOX", "AB", "B", "B.x", "B.x.deep"});
        const mailbox* b = store.find_mailbox(bob, "B");
        REQUIRE(b);
        CHECK(b->name == "B");
        CHECK(uids_of(b) == std::vector<std::uint32_t>{2});
        CHECK(b->messages[0].bytes == "a2\r\n");
        CHECK(b->uid_validity != validity_a);
        CHECK(store.find_mailbox(bob, "B.x")->uid_validity != validity_x);
        CHECK(store.find_mailbox(bob, "B.x")->messages.size() == 1);
        CHECK(store.deliver(bob, "B", "a3\r\n", 0) == 3);  // next UID kept: 2 was the last
        CHECK(log.take() == change_list{{bob, "A"},
                                        {bob, "B"},
                                        {bob, "A.x"},
                                        {bob, "B.x"},
                                        {bob, "A.x.deep"},
                                        {bob, "B.x.deep"},
                                        {bob, "B"}});
        if (store.persistent()) {
            fs::path user_dir = store.root() / bob;
            CHECK(files_in(user_dir) == name_list{".AB", ".B", ".B.x", ".B.x.deep", "cur",
                                                  "maillab-uidlist", "new", "tmp"});
            CHECK(b->dir == user_dir / ".B");
            CHECK(fs::exists(b->dir / "new" / b->messages[0].file_name));
        }

        // A child renamed to a new superior: the missing superior is created (RFC 3501 6.3.5).
        CHECK(store.rename_mailbox(bob, "B.x.deep", "Z.deeper"));
        CHECK(store.mailbox_names(bob) == name_list{"INBOX", "AB", "B", "B.x", "Z", "Z.deeper"});
    });
}

TEST_CASE("renaming INBOX moves its messages to the new mailbox and leaves INBOX empty") {
    in_memory_and_on_disk([](mail_store& store) {
        store.deliver(bob, "INBOX", "one\r\n", 0);
        store.deliver(bob, "INBOX", "two\r\n", 0);
        store.deliver(bob, "INBOX", "three\r\n", 0);
        store.expunge(bob, "INBOX", {2});
        REQUIRE(store.set_flags(bob, "INBOX", 3, {"\\Seen"}));
        REQUIRE(store.create_mailbox(bob, "INBOX.child"));
        const mailbox* inbox = store.find_mailbox(bob, "INBOX");
        std::uint32_t inbox_validity = inbox->uid_validity;

        change_log log(store);
        CHECK_FALSE(store.rename_mailbox(bob, "inbox", "INBOX.child"));  // exists
        CHECK(store.rename_mailbox(bob, "inbox", "Old.Mail"));
        CHECK(log.take() == change_list{{bob, "INBOX"}, {bob, "Old.Mail"}, {bob, "Old"}});
        // INBOX is still there, empty, same UIDVALIDITY, and its UIDs go on (never reused).
        inbox = store.find_mailbox(bob, "INBOX");
        CHECK(inbox->messages.empty());
        CHECK(inbox->uid_validity == inbox_validity);
        CHECK(store.mailbox_names(bob) ==
              name_list{"INBOX", "INBOX.child", "Old", "Old.Mail"});  // children of INBOX stay
        const mailbox* moved = store.find_mailbox(bob, "Old.Mail");
        REQUIRE(moved);
        CHECK(uids_of(moved) == std::vector<std::uint32_t>{1, 3});
        CHECK(moved->messages[1].flags == std::set<std::string>{"\\Seen"});
        CHECK(moved->uid_validity != inbox_validity);
        CHECK(store.deliver(bob, "INBOX", "four\r\n", 0) == 4);
        CHECK(store.deliver(bob, "Old.Mail", "five\r\n", 0) == 4);

        if (store.persistent()) {
            fs::path user_dir = store.root() / bob;
            CHECK(files_in(user_dir / "cur").empty());
            CHECK(files_in(user_dir / "new").size() == 1);  // "four"
            CHECK(files_in(user_dir / ".Old.Mail" / "new").size() == 2);
            CHECK(files_in(user_dir / ".Old.Mail" / "cur").size() == 1);
            mail_store again = reopen(store.root());
            CHECK(uids_of(again.find_mailbox(bob, "Old.Mail")) ==
                  std::vector<std::uint32_t>{1, 3, 4});
            CHECK(uids_of(again.find_mailbox(bob, "INBOX")) == std::vector<std::uint32_t>{4});
            CHECK(again.find_mailbox(bob, "INBOX")->uid_validity == inbox_validity);
            CHECK(again.find_mailbox(bob, "Old.Mail")->uid_validity == moved->uid_validity);
        }
    });
}

TEST_CASE("set_flags replaces the flags; on disk the file moves to cur/ with the Maildir info") {
    in_memory_and_on_disk([](mail_store& store) {
        store.deliver(bob, "INBOX", "one\r\n", 0);
        change_log log(store);
        CHECK_FALSE(store.set_flags(bob, "INBOX", 2, {"\\Seen"}));
        CHECK_FALSE(store.set_flags(bob, "Missing", 1, {"\\Seen"}));
        CHECK_FALSE(store.set_flags("nobody@example.org", "INBOX", 1, {"\\Seen"}));
        CHECK(log.take().empty());

        CHECK(store.set_flags(bob, "inbox", 1, {"\\Seen", "\\Flagged", "\\Recent", "$Label1"}));
        CHECK(log.take() == change_list{{bob, "INBOX"}});
        const stored_message& m = store.find_mailbox(bob, "INBOX")->messages.at(0);
        CHECK(m.flags == std::set<std::string>{"$Label1", "\\Flagged", "\\Seen"});
        if (store.persistent()) {
            CHECK(m.in_cur);
            CHECK(m.file_name.ends_with(",U=1,S=5:2,FS"));
            CHECK(files_in(store.root() / bob / "cur") == name_list{m.file_name});
            CHECK(files_in(store.root() / bob / "new").empty());
        }
        CHECK(store.set_flags(bob, "INBOX", 1, {"\\Answered"}));
        CHECK(m.flags == std::set<std::string>{"\\Answered"});
        if (store.persistent()) CHECK(m.file_name.ends_with(":2,R"));
        CHECK(store.set_flags(bob, "INBOX", 1, {}));
        CHECK(m.flags.empty());
        if (store.persistent()) {
            CHECK(m.file_name.ends_with(":2,"));
            CHECK(files_in(store.root() / bob / "cur") == name_list{m.file_name});
        }
        CHECK(log.take().size() == 2);
    });
}

TEST_CASE("append: flags and internal date; a missing mailbox throws (NO [TRYCREATE])") {
    in_memory_and_on_disk([](mail_store& store) {
        REQUIRE(store.create_mailbox(bob, "Sent"));
        change_log log(store);
        const std::int64_t date = 1700000000123456;  // 2023-11-14T22:13:20.123456Z
        CHECK(store.append(bob, "Sent", "sent\r\n", {"\\Seen", "\\Recent"}, date) == 1);
        CHECK(store.append(bob, "inbox", "draft\r\n", {}, date + 1) == 1);
        CHECK(store.append(bob, "Sent", "old\r\n", {"$Label1"}, -86400000000) == 2);  // 1969
        CHECK(log.take() == change_list{{bob, "Sent"}, {bob, "INBOX"}, {bob, "Sent"}});
        const mailbox* sent = store.find_mailbox(bob, "Sent");
        CHECK(sent->messages[0].bytes == "sent\r\n");
        CHECK(sent->messages[0].flags == std::set<std::string>{"\\Seen"});
        CHECK(sent->messages[0].internal_date_us == date);
        CHECK(sent->messages[1].internal_date_us == -86400000000);
        CHECK_THROWS_AS(store.append(bob, "Missing", "x\r\n", {}, 0), std::invalid_argument);
        CHECK_THROWS_AS(store.append(bob, "sent", "x\r\n", {}, 0), std::invalid_argument);
        CHECK_THROWS_AS(store.append("nobody@example.org", "INBOX", "x\r\n", {}, 0),
                        std::invalid_argument);
        CHECK(store.find_mailbox(bob, "Missing") == nullptr);
        CHECK(log.take().empty());
        if (store.persistent()) {
            // With a Maildir letter the file goes to cur/, without one to new/.
            fs::path dir = store.root() / bob / ".Sent";
            CHECK(sent->messages[0].in_cur);
            CHECK(files_in(dir / "cur") == name_list{sent->messages[0].file_name});
            CHECK(files_in(dir / "new") == name_list{sent->messages[1].file_name});
            CHECK(fs::is_empty(dir / "tmp"));
        }
    });
}

TEST_CASE("copy keeps flags and internal date and gets the target's next UID") {
    in_memory_and_on_disk([](mail_store& store) {
        REQUIRE(store.create_mailbox(bob, "Archive"));
        store.append(bob, "Archive", "filler\r\n", {}, 0);
        store.append(bob, "INBOX", "keep me\r\n", {"\\Flagged", "$Work"}, 1600000000000000);
        change_log log(store);
        CHECK(store.copy(bob, "INBOX", 1, "Archive") == 2u);
        CHECK(log.take() == change_list{{bob, "Archive"}});
        const stored_message& c = store.find_mailbox(bob, "Archive")->messages.at(1);
        CHECK(c.uid == 2);
        CHECK(c.bytes == "keep me\r\n");
        CHECK(c.flags == std::set<std::string>{"$Work", "\\Flagged"});
        CHECK(c.internal_date_us == 1600000000000000);
        // The source is untouched.
        CHECK(store.find_mailbox(bob, "INBOX")->messages.size() == 1);

        CHECK(store.copy(bob, "inbox", 1, "INBOX") == 2u);  // into the same mailbox
        CHECK(store.find_mailbox(bob, "INBOX")->messages.at(1).bytes == "keep me\r\n");
        CHECK(store.copy(bob, "INBOX", 99, "Archive") == std::nullopt);
        CHECK(store.copy(bob, "INBOX", 1, "Missing") == std::nullopt);
        CHECK(store.copy(bob, "Missing", 1, "Archive") == std::nullopt);
        CHECK(store.copy("nobody@example.org", "INBOX", 1, "Archive") == std::nullopt);
        CHECK(log.take() == change_list{{bob, "INBOX"}});
        if (store.persistent())
            CHECK(files_in(store.root() / bob / ".Archive" / "cur") == name_list{c.file_name});
    });
}

TEST_CASE("subscriptions: names in order, existing or not; INBOX in any case") {
    in_memory_and_on_disk([](mail_store& store) {
        change_log log(store);
        CHECK(store.subscriptions(bob).empty());
        CHECK(store.subscribe(bob, "Sent"));
        CHECK(store.subscribe(bob, "inbox"));
        CHECK(store.subscribe(bob, "Not.Yet.Created"));  // RFC 3501 6.3.6 allows it
        CHECK_FALSE(store.subscribe(bob, "Sent"));
        CHECK_FALSE(store.subscribe(bob, "INBOX"));
        CHECK_FALSE(store.subscribe(bob, ""));
        CHECK_FALSE(store.subscribe(bob, "two\nlines"));
        CHECK_FALSE(store.subscribe("nobody@example.org", "Sent"));
        CHECK(store.subscriptions(bob) == name_list{"INBOX", "Not.Yet.Created", "Sent"});
        CHECK(store.unsubscribe(bob, "Sent"));
        CHECK_FALSE(store.unsubscribe(bob, "Sent"));
        CHECK_FALSE(store.unsubscribe(bob, "sent"));
        CHECK_FALSE(store.unsubscribe("nobody@example.org", "INBOX"));
        CHECK(store.subscriptions(bob) == name_list{"INBOX", "Not.Yet.Created"});
        CHECK(store.subscriptions("nobody@example.org").empty());
        CHECK(log.take().empty());  // no mailbox changed
        if (store.persistent()) {
            std::ifstream in(store.root() / bob / "subscriptions", std::ios::binary);
            std::ostringstream text;
            text << in.rdbuf();
            CHECK(text.str() == "INBOX\nNot.Yet.Created\n");
            CHECK(fs::is_empty(store.root() / bob / "tmp"));
        }
    });
}

TEST_CASE("claim_recent: the first caller sees the new mail as recent, the second none") {
    in_memory_and_on_disk([](mail_store& store) {
        store.deliver(bob, "INBOX", "one\r\n", 0);
        store.deliver(bob, "INBOX", "two\r\n", 0);
        change_log log(store);
        CHECK(store.claim_recent(bob, "INBOX") == 1);  // UIDs 1 and 2 are recent for it
        CHECK(store.claim_recent(bob, "inbox") == 3);  // none for the next one
        CHECK(store.claim_recent(bob, "INBOX") == 3);
        CHECK(log.take().empty());  // \Recent is not a stored change
        store.deliver(bob, "INBOX", "three\r\n", 0);
        store.append(bob, "INBOX", "four\r\n", {"\\Seen"}, 0);
        CHECK(store.claim_recent(bob, "INBOX") == 3);
        CHECK(store.claim_recent(bob, "INBOX") == 5);
        CHECK(store.claim_recent(bob, "Missing") == 0);
        CHECK(store.claim_recent("nobody@example.org", "INBOX") == 0);
        // A new mailbox: everything in it is recent for its first caller.
        REQUIRE(store.create_mailbox(bob, "Box"));
        store.copy(bob, "INBOX", 1, "Box");
        CHECK(store.claim_recent(bob, "Box") == 1);
        CHECK(store.claim_recent(bob, "Box") == 2);
        if (store.persistent()) {
            // Claimed mail has left new/ (Maildir: a client has seen it); flags are kept.
            CHECK(files_in(store.root() / bob / "new").empty());
            const mailbox* inbox = store.find_mailbox(bob, "INBOX");
            for (const auto& m : inbox->messages) CHECK(m.in_cur);
            CHECK(inbox->messages[3].file_name.ends_with(":2,S"));
            CHECK(inbox->messages[0].file_name.ends_with(":2,"));
        }
    });
}

TEST_CASE("the change callback names the user and the mailbox of every change") {
    in_memory_and_on_disk([](mail_store& store) {
        change_log log(store);
        store.deliver("Bob@EXAMPLE.org", "inbox", "one\r\n", 0);
        CHECK(log.take() == change_list{{bob, "INBOX"}});
        store.create_mailbox(bob, "Box");
        CHECK(log.take() == change_list{{bob, "Box"}});
        store.append(bob, "Box", "two\r\n", {}, 0);
        CHECK(log.take() == change_list{{bob, "Box"}});
        store.copy(bob, "INBOX", 1, "Box");
        CHECK(log.take() == change_list{{bob, "Box"}});
        store.set_flags(bob, "Box", 1, {"\\Deleted"});
        CHECK(log.take() == change_list{{bob, "Box"}});
        CHECK(store.expunge(bob, "Box", {1}) == std::vector<std::uint32_t>{1});
        CHECK(log.take() == change_list{{bob, "Box"}});
        CHECK(store.expunge(bob, "Box", {1}).empty());
        CHECK(log.take().empty());  // nothing removed, nothing changed
        CHECK(store.expunge(bob, "inbox", {1}) == std::vector<std::uint32_t>{1});
        CHECK(log.take() == change_list{{bob, "INBOX"}});
        store.rename_mailbox(bob, "Box", "Crate");
        CHECK(log.take() == change_list{{bob, "Box"}, {bob, "Crate"}});
        store.delete_mailbox(bob, "Crate");
        CHECK(log.take() == change_list{{bob, "Crate"}});
        // The callback runs after the change: the store already shows it.
        std::size_t seen_size = 0;
        store.set_on_change([&](const std::string& address, const std::string& mailbox) {
            seen_size = store.find_mailbox(address, mailbox)->messages.size();
        });
        store.deliver(bob, "INBOX", "three\r\n", 0);
        CHECK(seen_size == 1);
        store.set_on_change(nullptr);
        store.deliver(bob, "INBOX", "four\r\n", 0);  // no callback, no crash
    });
}

TEST_CASE("in memory: INBOX has UIDVALIDITY 1, other mailboxes count up and never repeat") {
    mail_store store;
    store.add_user(bob, "pw");
    CHECK(store.find_mailbox(bob, "INBOX")->uid_validity == 1);
    REQUIRE(store.create_mailbox(bob, "A"));
    std::uint32_t first = store.find_mailbox(bob, "A")->uid_validity;
    CHECK(first > 1);
    REQUIRE(store.delete_mailbox(bob, "A"));
    REQUIRE(store.create_mailbox(bob, "A"));
    CHECK(store.find_mailbox(bob, "A")->uid_validity > first);
}

TEST_CASE("a restart finds mailboxes, UIDs, UIDVALIDITYs, flags, dates and subscriptions") {
    temp_dir dir;
    std::map<std::string, std::uint32_t> validity;
    std::string keyword_file;
    {
        mail_store store = reopen(dir.path);
        store.deliver(bob, "INBOX", "in1\r\n", 0);
        store.deliver(bob, "INBOX", "in2\r\n", 0);
        REQUIRE(store.create_mailbox(bob, "Archive.2024"));
        REQUIRE(store.create_mailbox(bob, "Sent"));
        store.append(bob, "Sent", "s1\r\n", {"\\Seen", "\\Answered"}, 1500000000000000);
        store.append(bob, "Sent", "s2\r\n", {"$Label1", "\\Draft"}, 1500000001000000);
        store.append(bob, "Sent", "s3\r\n", {}, 1500000002000000);
        store.expunge(bob, "Sent", {3});
        store.copy(bob, "Sent", 1, "Archive.2024");
        store.set_flags(bob, "INBOX", 2, {"\\Deleted", "$Important"});
        store.subscribe(bob, "Sent");
        store.subscribe(bob, "Archive.2024");
        store.claim_recent(bob, "INBOX");
        store.deliver(bob, "INBOX", "in3\r\n", 0);  // arrives after the claim: still recent
        for (const auto& name : store.mailbox_names(bob))
            validity[name] = store.find_mailbox(bob, name)->uid_validity;
    }
    mail_store store = reopen(dir.path);
    CHECK(store.mailbox_names(bob) == name_list{"INBOX", "Archive", "Archive.2024", "Sent"});
    for (const auto& [name, v] : validity) CHECK(store.find_mailbox(bob, name)->uid_validity == v);
    CHECK(store.subscriptions(bob) == name_list{"Archive.2024", "Sent"});

    const mailbox* inbox = store.find_mailbox(bob, "INBOX");
    CHECK(uids_of(inbox) == std::vector<std::uint32_t>{1, 2, 3});
    CHECK(inbox->messages[1].flags == std::set<std::string>{"\\Deleted"});  // keyword gone
    // Only the mail still in new/ is recent after a restart.
    CHECK(store.claim_recent(bob, "INBOX") == 3);

    const mailbox* sent = store.find_mailbox(bob, "Sent");
    REQUIRE(uids_of(sent) == std::vector<std::uint32_t>{1, 2});
    CHECK(sent->messages[0].bytes == "s1\r\n");
    CHECK(sent->messages[0].flags == std::set<std::string>{"\\Answered", "\\Seen"});
    CHECK(sent->messages[0].internal_date_us == 1500000000000000);
    CHECK(sent->messages[1].flags == std::set<std::string>{"\\Draft"});  // $Label1 was memory only
    CHECK(sent->messages[1].internal_date_us == 1500000001000000);
    CHECK(sent->next_uid == 4);  // UID 3 was expunged, never reused
    CHECK(store.append(bob, "Sent", "s4\r\n", {}, 0) == 4);

    const mailbox* archive = store.find_mailbox(bob, "Archive.2024");
    REQUIRE(archive->messages.size() == 1);
    CHECK(archive->messages[0].flags == std::set<std::string>{"\\Answered", "\\Seen"});
    CHECK(archive->messages[0].internal_date_us == 1500000000000000);
}

TEST_CASE("a restart skips folder directories with names CREATE refuses and finishes deletions") {
    temp_dir dir;
    fs::path user_dir = dir.path / bob;
    { reopen(dir.path); }
    fs::create_directories(user_dir / ".INBOX" / "new");
    fs::create_directories(user_dir / ".a..b" / "new");
    fs::create_directories(user_dir / ".Real" / "new");
    std::ofstream(user_dir / ".Real" / "new" / "handmade") << "Subject: hi\r\n\r\nhello\r\n";
    fs::create_directories(user_dir / "maillab-deleting.1.0" / "cur");  // a crash mid-delete
    std::ofstream(user_dir / ".not-a-dir") << "x";
    mail_store store = reopen(dir.path);
    CHECK(store.mailbox_names(bob) == name_list{"INBOX", "Real"});
    CHECK(uids_of(store.find_mailbox(bob, "Real")) == std::vector<std::uint32_t>{1});
    CHECK_FALSE(fs::exists(user_dir / "maillab-deleting.1.0"));
}

TEST_CASE("a failing disk throws, and memory does not get ahead of it") {
    temp_dir dir;
    mail_store store = reopen(dir.path);
    REQUIRE(store.create_mailbox(bob, "Box"));
    store.deliver(bob, "Box", "one\r\n", 0);
    fs::path box_dir = dir.path / bob / ".Box";
    change_log log(store);

    // cur/ cannot take a file: it is a file itself.
    fs::remove_all(box_dir / "cur");
    std::ofstream(box_dir / "cur") << "in the way";
    CHECK_THROWS_AS(store.set_flags(bob, "Box", 1, {"\\Seen"}), std::runtime_error);
    CHECK(store.find_mailbox(bob, "Box")->messages[0].flags.empty());
    CHECK_THROWS_AS(store.append(bob, "Box", "two\r\n", {"\\Seen"}, 0), std::runtime_error);
    CHECK(store.find_mailbox(bob, "Box")->messages.size() == 1);
    CHECK(fs::is_empty(box_dir / "tmp"));
    // claim_recent never throws; the file stays in new/ and is recent again after a restart.
    CHECK(store.claim_recent(bob, "Box") == 1);
    CHECK_FALSE(store.find_mailbox(bob, "Box")->messages[0].in_cur);
    CHECK(log.take().empty());

    // tmp/ cannot take a file: deliveries and subscriptions fail before anything changes.
    fs::remove_all(dir.path / bob / "tmp");
    std::ofstream(dir.path / bob / "tmp") << "in the way";
    CHECK_THROWS_AS(store.subscribe(bob, "Box"), std::runtime_error);
    CHECK(store.subscriptions(bob).empty());
    CHECK_THROWS_AS(store.deliver(bob, "INBOX", "x\r\n", 0), std::runtime_error);
    CHECK(store.find_mailbox(bob, "INBOX")->messages.empty());
    CHECK(log.take().empty());
}

TEST_CASE("a delivery leaves the uidlist alone; a removal or renaming INBOX brings it up first") {
    // Each delivery writes one file whose name holds its UID, instead of also rewriting the
    // uidlist (two fsyncs fewer a message); a spent UID must still never come back.
    temp_dir dir;
    auto uidlist_next = [&] {
        std::ifstream in(dir.path / bob / "maillab-uidlist");
        std::uint32_t validity = 0, next = 0;
        in >> validity >> next;
        return next;
    };
    {
        mail_store store = reopen(dir.path);
        for (const char* text : {"one\r\n", "two\r\n", "three\r\n"}) store.deliver(bob, "INBOX", text, 0);
        CHECK(uidlist_next() == 1);
    }
    {
        mail_store store = reopen(dir.path);  // the file names say UID 3 is spent
        CHECK(store.find_mailbox(bob, "INBOX")->next_uid == 4);
        CHECK(store.expunge(bob, "INBOX", {3}) == std::vector<std::uint32_t>{3});
        CHECK(uidlist_next() == 4);
    }
    {
        mail_store store = reopen(dir.path);
        CHECK(store.deliver(bob, "INBOX", "four\r\n", 0) == 4);
        CHECK(store.deliver(bob, "INBOX", "five\r\n", 0) == 5);
        CHECK(store.rename_mailbox(bob, "INBOX", "Old"));
        CHECK(uidlist_next() == 6);
    }
    mail_store store = reopen(dir.path);
    CHECK(store.find_mailbox(bob, "INBOX")->messages.empty());
    CHECK(store.deliver(bob, "INBOX", "six\r\n", 0) == 6);
    CHECK(uids_of(store.find_mailbox(bob, "Old")) == std::vector<std::uint32_t>{1, 2, 4, 5});
}

TEST_CASE("flag_batch: flags set under a batch are on disk after it, nested batches sync once") {
    temp_dir dir;
    {
        mail_store store = reopen(dir.path);
        for (const char* text : {"one\r\n", "two\r\n", "three\r\n"}) store.deliver(bob, "INBOX", text, 0);
        {
            mail_store::flag_batch outer(store);
            {
                mail_store::flag_batch inner(store);
                CHECK(store.set_flags(bob, "INBOX", 1, {"\\Seen"}));
                CHECK(store.set_flags(bob, "INBOX", 2, {"\\Seen", "\\Flagged"}));
            }
            CHECK(store.set_flags(bob, "INBOX", 3, {"\\Deleted"}));
            CHECK_FALSE(store.set_flags(bob, "INBOX", 9, {"\\Seen"}));
        }
        CHECK(files_in(dir.path / bob / "new").empty());
        CHECK(files_in(dir.path / bob / "cur").size() == 3);
    }
    mail_store again = reopen(dir.path);
    const mailbox* box = again.find_mailbox(bob, "INBOX");
    REQUIRE(box->messages.size() == 3);
    CHECK(box->messages[0].flags == std::set<std::string>{"\\Seen"});
    CHECK(box->messages[1].flags == std::set<std::string>{"\\Flagged", "\\Seen"});
    CHECK(box->messages[2].flags == std::set<std::string>{"\\Deleted"});
}

TEST_CASE("wire_size counts each bare LF as CRLF, in memory, on disk and after a restart") {
    in_memory_and_on_disk([](mail_store& store) {
        store.deliver(bob, "INBOX", "a\nb\r\nc\n", 0);                 // two bare LFs
        store.append(bob, "INBOX", "\nx\r\n", {}, 0);                  // one, at the start
        store.deliver(bob, "INBOX", "", 0);
        const mailbox* box = store.find_mailbox(bob, "INBOX");
        REQUIRE(box->messages.size() == 3);
        CHECK(box->messages[0].wire_size == 9);
        CHECK(box->messages[1].wire_size == 5);
        CHECK(box->messages[2].wire_size == 0);
        if (store.persistent()) {
            mail_store again = reopen(store.root());
            const mailbox* read = again.find_mailbox(bob, "INBOX");
            REQUIRE(read->messages.size() == 3);
            CHECK(read->messages[0].wire_size == 9);
            CHECK(read->messages[1].wire_size == 5);
        }
    });
}
