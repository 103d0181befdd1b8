#include "sim/store/mail_store.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

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
