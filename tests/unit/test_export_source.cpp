#include <algorithm>

#include <doctest/doctest.h>

#include "export_fixtures.hpp"
#include "sim/export/export_source.hpp"

using namespace maillab;
using namespace maillab::exporting;

TEST_CASE("export source: without filters every event but the tap's bytes, in seq order") {
    const trace_file& f = test::classic_trace();
    export_source src = test::source_of(f);
    std::size_t bytes = 0;
    for (const event& e : f.events) bytes += e.kind == event_kind::bytes;
    CHECK(bytes > 0);
    CHECK(src.events.size() == f.events.size() - bytes);
    CHECK(src.trace_events == f.events.size());
    CHECK(src.filter_summary.empty());
    CHECK(src.start_us == f.events.front().t_us);
    for (std::size_t i = 1; i < src.events.size(); ++i)
        CHECK(src.events[i - 1].seq < src.events[i].seq);
    CHECK(src.title() == f.header["title"].get<std::string>());
    CHECK(src.declared_hosts().front() == "pc.alice");
}

TEST_CASE("export source: a protocol keeps its connections' TCP, TLS and notes") {
    const trace_file& f = test::classic_trace();
    export_filter filter;
    filter.protos = {"pop3"};
    export_source src = test::source_of(f, filter);
    bool saw_tcp = false;
    for (const event& e : src.events) {
        const view::connection_info* c = src.connection(e.conn);
        CHECK((e.proto == "pop3" || (c && c->proto == "pop3")));
        saw_tcp = saw_tcp || e.kind == event_kind::tcp;
    }
    CHECK(saw_tcp);
    CHECK(src.filter_summary == "proto pop3");
}

TEST_CASE("export source: host, connection, kind and seq range") {
    const trace_file& f = test::classic_trace();
    export_filter filter;
    filter.kinds = {event_kind::command, event_kind::reply};
    filter.conns = {1};
    filter.first_seq = 5;
    filter.last_seq = 30;
    export_source src = test::source_of(f, filter);
    REQUIRE_FALSE(src.events.empty());
    for (const event& e : src.events) {
        CHECK(e.conn == 1);
        CHECK((e.kind == event_kind::command || e.kind == event_kind::reply));
        CHECK(e.seq >= 5);
        CHECK(e.seq <= 30);
    }
    CHECK(src.filter_summary == "connection 1; kind command, reply; seq 5-30");

    export_filter hosts;
    hosts.hosts = {"pc.bob"};
    for (const event& e : test::source_of(f, hosts).events)
        CHECK((e.from == "pc.bob" || e.to == "pc.bob"));

    export_filter with_bytes;
    with_bytes.kinds = {event_kind::bytes};
    for (const event& e : test::source_of(f, with_bytes).events) CHECK(e.kind == event_kind::bytes);
}

TEST_CASE("export source: a filter naming what the trace lacks says what it has") {
    const trace_file& f = test::classic_trace();
    export_filter typo;
    typo.protos = {"smpt"};
    CHECK_THROWS_WITH_AS(
        test::source_of(f, typo),
        doctest::Contains("no protocol smpt (it has: dns, pop3, smtp, tcp, world)"),
        std::invalid_argument);
    export_filter host;
    host.hosts = {"mail.c.example"};
    CHECK_THROWS_WITH_AS(test::source_of(f, host), doctest::Contains("no host mail.c.example"),
                         std::invalid_argument);
    export_filter conn;
    conn.conns = {99};
    CHECK_THROWS_AS(test::source_of(f, conn), std::invalid_argument);
    export_filter empty;
    empty.first_seq = 100000;
    CHECK_THROWS_WITH_AS(test::source_of(f, empty),
                         doctest::Contains("matches the filters (seq from 100000)"),
                         std::invalid_argument);
}

TEST_CASE("export source: the teacher's notes and bookmarks on chosen events") {
    trace_file f = test::hostile_trace();
    annotation note;
    note.id = 1;
    note.type = annotation_type::note;
    note.seq = 2;
    note.text = "Watch the envelope sender";
    note.text_zh = "注意信封发件人";
    annotation mark;
    mark.id = 2;
    mark.type = annotation_type::bookmark;
    mark.seq = 3;
    mark.name = "the reply";
    annotation view_only;
    view_only.id = 3;
    view_only.type = annotation_type::view;
    view_only.name = "just SMTP";
    f.annotations = {mark, note, view_only};

    export_source en = test::source_of(f);
    REQUIRE(en.remarks.size() == 2);
    CHECK(en.remarks[0].seq == 2);  // by seq, not file order
    CHECK(en.remarks[0].text == "Watch the envelope sender");
    CHECK(en.remarks[1].bookmark);
    CHECK(en.remarks_on(3).size() == 1);
    CHECK(en.remarks_on(4).empty());
    export_source zh = test::source_of(f, {}, language::zh);
    CHECK(zh.remarks[0].text == "注意信封发件人");

    export_filter only_reply;
    only_reply.first_seq = 3;
    only_reply.last_seq = 3;
    export_source cut = test::source_of(f, only_reply);
    REQUIRE(cut.remarks.size() == 1);
    CHECK(cut.remarks[0].bookmark);
}

TEST_CASE("export source: a note on raw bytes moves to the event parsed from them") {
    trace_file f = test::classic_trace();
    // The first bytes event of the trace and the next event its connection shows.
    auto bytes = std::find_if(f.events.begin(), f.events.end(),
                              [](const event& e) { return e.kind == event_kind::bytes; });
    REQUIRE(bytes != f.events.end());
    auto parsed = std::find_if(bytes + 1, f.events.end(), [&](const event& e) {
        return e.conn == bytes->conn && e.kind != event_kind::bytes;
    });
    REQUIRE(parsed != f.events.end());
    annotation note;
    note.id = 1;
    note.type = annotation_type::note;
    note.seq = bytes->seq;
    note.text = "These are the greeting's bytes";
    f.annotations = {note};

    export_source src = test::source_of(f);
    REQUIRE(src.remarks.size() == 1);
    CHECK(src.remarks[0].seq == parsed->seq);
    CHECK(src.remarks_on(parsed->seq).size() == 1);

    // Asked for, the bytes are shown and the note stays on them.
    export_filter with_bytes;
    with_bytes.kinds = {event_kind::bytes};
    export_source raw = test::source_of(f, with_bytes);
    REQUIRE(raw.remarks.size() == 1);
    CHECK(raw.remarks[0].seq == bytes->seq);

    // Filtered away for another reason (another connection), the note goes with its event.
    export_filter other;
    other.conns = {bytes->conn + 1};
    export_source elsewhere = test::source_of(f, other);
    CHECK(elsewhere.remarks.empty());
}
