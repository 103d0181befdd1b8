// The fault tests' world: a scenario with a submission server (mail.a.example) relaying to
// mx.b.example, run with the world driven by hand so the trace and the final mail stores can both
// be read. Shared by the fault test files.
#pragma once

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "sim/core/clock.hpp"
#include "sim/core/scheduler.hpp"
#include "sim/store/mail_store.hpp"
#include "sim/world/fault_injector.hpp"
#include "sim/world/scenario_loader.hpp"
#include "sim/world/world.hpp"

#ifndef MAILLAB_SOURCE_DIR
#error "MAILLAB_SOURCE_DIR must name the source tree (tests/CMakeLists.txt defines it)"
#endif

namespace maillab::fault_test {

constexpr std::int64_t epoch = virtual_clock::default_epoch_us;
constexpr std::int64_t second = 1'000'000;
constexpr std::int64_t minute = 60 * second;

inline std::int64_t rel(const event* e) { return e->t_us - epoch; }

inline bool has_fields(const event& e, const nlohmann::json& match) {
    for (const auto& [key, want] : match.items()) {
        nlohmann::json have;
        if (key == "kind") have = std::string(to_string(e.kind));
        else if (key == "from") have = e.from;
        else if (key == "to") have = e.to;
        else if (key == "explain") have = e.explain;
        else if (key == "conn") have = e.conn;
        else if (e.fields.contains(key)) have = e.fields[key];
        else return false;
        if (have != want) return false;
    }
    return true;
}

// Runs the scenario text with the world driven by hand, so the trace and the final mail stores
// can both be read.
struct run_world {
    world::scenario s;
    virtual_clock clock;
    scheduler sched{clock};
    trace t{clock};
    world::world w{s, t, sched};
    explicit run_world(const std::string& text) : s(world::load_scenario_text("faults.json", text)) {
        w.run();
    }
    const std::vector<event>& events() const { return t.events(); }
    std::vector<const event*> all(const nlohmann::json& match) const {
        std::vector<const event*> out;
        for (const auto& e : t.events())
            if (has_fields(e, match)) out.push_back(&e);
        return out;
    }
    const event* first(const nlohmann::json& match) const {
        auto v = all(match);
        return v.empty() ? nullptr : v.front();
    }
    const mailbox* inbox(const std::string& user) const {
        const mail_store* store = w.store_for_domain(user.substr(user.find('@') + 1));
        return store ? store->find_mailbox(user, "INBOX") : nullptr;
    }
    std::size_t count(const std::string& user) const {
        const mailbox* box = inbox(user);
        return box ? box->messages.size() : 0;
    }
    // The rule's fault.applied notes.
    std::vector<const event*> notes_of(std::size_t rule) const {
        return all({{"kind", "note"},
                    {"explain", "fault.applied"},
                    {"rule", world::describe_fault(s.faults.at(rule))}});
    }
};

inline const char* const message_text = "line 1\nline 2\nline 3\nline 4\nline 5\nline 6\n";

// alice@a.example submits to mail.a.example, which relays to mx.b.example (bob and carol).
inline std::string scenario(const std::string& faults, const std::string& script,
                     const std::string& mx_extra = "", const std::string& relay = R"({"retry": ["1m"], "connect_timeout": "10s"})") {
    return R"({
  "maillab_scenario": 1,
  "title": "fault test",
  "hosts": [
    {"name": "pc", "roles": ["user_agent"]},
    {"name": "mail.a.example", "roles": ["submission", "mx", "imap"], "domains": ["a.example"]},
    {"name": "mx.b.example", "roles": ["mx", "imap"], "domains": ["b.example"])" +
           mx_extra + R"(}
  ],
  "users": [{"address": "alice@a.example", "password": "pw"},
            {"address": "bob@b.example", "password": "pw"},
            {"address": "carol@b.example", "password": "pw"}],
  "dns": {"mx": {"b.example": [{"preference": 10, "host": "mx.b.example"}]}},
  "relay": )" + relay + R"(,
  "faults": [
    )" + faults + R"(
  ],
  "script": [
    )" + script + R"(
  ]
})";
}

// A send step; `when` is "" or e.g. `"at": "3m", `.
inline std::string send(const std::string& to, const std::string& subject, const std::string& when = "") {
    nlohmann::json text = message_text;
    return R"({"do": "send", )" + when +
           R"("host": "pc", "server": "mail.a.example", "port": "submission", "user": "alice@a.example", "to": )" +
           to + R"(, "message": {"subject": ")" + subject + R"(", "text": )" + text.dump() +
           R"(, "message_id": "<)" + subject + R"(@a.example>"}})";
}

// Every message in b.example's mailboxes is complete (ends with the last line of the text).
inline void check_no_half_message(const run_world& run) {
    const mail_store* store = run.w.store_for_domain("b.example");
    REQUIRE(store);
    // Named references, not structured bindings: doctest's macros are lambdas, and clang before
    // 16 cannot capture a binding (the sanitizer build uses clang 14).
    for (const auto& user : store->users()) {
        const std::string& address = user.first;
        for (const auto& [name, box] : user.second.mailboxes)
            for (const auto& m : box.messages)
                CHECK_MESSAGE(m.bytes.ends_with("line 5\r\nline 6\r\n"), address << " " << m.bytes);
    }
}

inline std::vector<std::filesystem::path> scenario_files() {
    std::vector<std::filesystem::path> out;
    for (const auto& entry :
         std::filesystem::directory_iterator(std::filesystem::path(MAILLAB_SOURCE_DIR) / "scenarios"))
        if (entry.path().extension() == ".json") out.push_back(entry.path());
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace maillab::fault_test
