// Reading event fields in the views: a recording someone handed us may carry any type under a
// known key. A field of the wrong type reads as the fallback (never an exception, never a
// floating-point number forced into an integer), and the views built on them still run.
#include "sim/core/event_fields.hpp"

#include <doctest/doctest.h>

#include <sstream>

#include "sim/record/transcript.hpp"
#include "sim/view/relay_queue.hpp"
#include "sim/view/trace_model.hpp"

using namespace maillab;

TEST_CASE("event fields: the right type is read, anything else is the fallback") {
    auto f = nlohmann::json::parse(R"({"action":"connect","tls":true,"size":2048,"uid":-4,
        "huge":1.11111e+69,"half":2.5,"big":18446744073709551615,"t":-7,"list":["a"],"obj":{}})");
    CHECK(text_field(f, "action") == "connect");
    CHECK(text_field(f, "size") == "");
    CHECK(text_field(f, "missing", "INBOX") == "INBOX");
    CHECK(flag_field(f, "tls"));
    CHECK_FALSE(flag_field(f, "action"));
    CHECK(flag_field(f, "size", true));
    CHECK(count_field(f, "size") == 2048);
    CHECK(count_field(f, "uid", 9) == 9);
    CHECK(count_field(f, "huge", 9) == 9);
    CHECK(count_field(f, "half", 9) == 9);
    CHECK(count_field(f, "big") == 18446744073709551615ULL);
    CHECK(integer_field(f, "t") == -7);
    CHECK(integer_field(f, "big", 3) == 3);  // beyond int64
    CHECK(integer_field(f, "huge", 3) == 3);
    REQUIRE(array_field(f, "list"));
    CHECK(array_field(f, "list")->size() == 1);
    CHECK_FALSE(array_field(f, "obj"));
    // Not an object at all (a field list that is an array): every key is missing.
    auto not_object = nlohmann::json::array({1, 2});
    CHECK(text_field(not_object, "action", "x") == "x");
    CHECK(count_field(not_object, "size", 1) == 1);
}

TEST_CASE("event fields: the transcript and the relay queue read a recording with wrong types") {
    event q;
    q.seq = 1;
    q.kind = event_kind::queue;
    q.proto = "smtp";
    q.from = "mail.a.example";
    q.text = "queued";
    q.fields = nlohmann::json::parse(R"({"action":"enqueue","queue_id":1e69,"attempt":"two",
        "recipients":"bob","domain":5,"next_attempt_us":1.5})");
    event c = q;
    c.seq = 2;
    c.kind = event_kind::tcp;
    c.fields = nlohmann::json::parse(R"({"action":"connect","tls":"yes","port":"25"})");
    std::ostringstream out;
    transcript_printer printer(out, {});
    printer.print(q);
    printer.print(c);
    CHECK(out.str().find("queued") != std::string::npos);
    CHECK(out.str().find("[TLS]") == std::string::npos);
    view::trace_model model(nlohmann::json::object(), {q, c});
    auto entries = view::queue_at(model, 1);
    REQUIRE(entries.size() == 1);
    CHECK(entries[0].queue_id == 0);
    CHECK(entries[0].attempt == 0);
    CHECK(entries[0].recipients.empty());
    CHECK(entries[0].domain.empty());
}
