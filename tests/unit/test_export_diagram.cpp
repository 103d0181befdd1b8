#include <doctest/doctest.h>

#include <algorithm>

#include "export_fixtures.hpp"
#include "sim/export/diagram_model.hpp"
#include "sim/export/text_fit.hpp"

using namespace maillab;
using namespace maillab::exporting;

namespace {
const diagram_row* row_with(const diagram& d, std::string_view label) {
    for (const auto& r : d.rows)
        if (r.label.find(label) != std::string::npos) return &r;
    return nullptr;
}
int participant(const diagram& d, const std::string& host) {
    for (std::size_t i = 0; i < d.participants.size(); ++i)
        if (d.participants[i].host == host) return static_cast<int>(i);
    return -1;
}
}  // namespace

TEST_CASE("export diagram: participants in the header's topology order, only those used") {
    export_source src = test::source_of(test::classic_trace());
    diagram d = build_diagram(src);
    std::vector<std::string> hosts;
    for (const auto& p : d.participants) hosts.push_back(p.host);
    CHECK(hosts == std::vector<std::string>{"pc.alice", "mail.a.example", "dns.example",
                                            "mail.b.example", "pc.bob"});
    CHECK(d.participants[1].description == "Alice's provider");
    CHECK(build_diagram(test::source_of(test::classic_trace(), {}, language::zh))
              .participants[1]
              .description == "Alice 的服务商");

    export_filter pop3;
    pop3.protos = {"pop3"};
    diagram only_pop3 = build_diagram(test::source_of(test::classic_trace(), pop3));
    CHECK(only_pop3.participants.size() == 2);
    CHECK(only_pop3.participants[0].host == "mail.b.example");  // header order, not first seen
}

TEST_CASE("export diagram: commands, replies, DNS and connects are arrows; the rest notes") {
    export_source src = test::source_of(test::classic_trace());
    diagram d = build_diagram(src);
    CHECK(d.rows.size() == src.events.size());  // no annotations in this trace

    const diagram_row* ehlo = row_with(d, "EHLO pc.alice");
    REQUIRE(ehlo);
    CHECK(ehlo->shape == row_shape::arrow);
    CHECK(ehlo->arrow == arrow_style::request);
    CHECK(ehlo->from == participant(d, "pc.alice"));
    CHECK(ehlo->to == participant(d, "mail.a.example"));
    CHECK(ehlo->proto == "smtp");

    const diagram_row* greeting = row_with(d, "220 mail.a.example");
    REQUIRE(greeting);
    CHECK(greeting->arrow == arrow_style::answer);
    CHECK(greeting->from == participant(d, "mail.a.example"));

    const diagram_row* connect = row_with(d, "TCP connect :587 (submission)");
    REQUIRE(connect);
    CHECK(connect->arrow == arrow_style::connect);

    const diagram_row* mx = row_with(d, "MX records of b.example");
    REQUIRE(mx);
    CHECK(mx->shape == row_shape::arrow);
    CHECK(mx->to == participant(d, "dns.example"));

    const diagram_row* state = row_with(d, "WAIT_HELO → READY");
    REQUIRE(state);
    CHECK(state->shape == row_shape::note);
    CHECK(state->note == note_style::state);
    CHECK(state->first == participant(d, "mail.a.example"));

    const diagram_row* data = row_with(d, "message text:");
    REQUIRE(data);
    CHECK(data->shape == row_shape::arrow);  // the body is summarised, never drawn whole

    // A scenario step belongs to no host: it spans every participant.
    const diagram_row* step = row_with(d, "step 1 of 2");
    REQUIRE(step);
    CHECK(step->note == note_style::scenario);
    CHECK(step->first == 0);
    CHECK(step->last == static_cast<int>(d.participants.size()) - 1);

    for (const auto& r : d.rows) {
        bool wide = r.shape == row_shape::note && r.last > r.first;
        CHECK(text_columns(r.label) <=
              (wide ? diagram_options{}.max_wide_note : diagram_options{}.max_label));
    }
}

TEST_CASE("export diagram: labels are one line and cut to the width asked for") {
    export_source src = test::source_of(test::hostile_trace());
    diagram d = build_diagram(src, {30, 40});
    for (const auto& r : d.rows) {
        CHECK(text_columns(r.label) <=
              (r.last > r.first && r.shape == row_shape::note ? 40u : 30u));
        CHECK(r.label.find('\n') == std::string::npos);
        CHECK(r.label.find('\x01') == std::string::npos);
    }
    CHECK(d.title.rfind("hostile", 0) == 0);
}

TEST_CASE("export diagram: a teacher's annotation follows its event, over the same hosts") {
    trace_file f = test::hostile_trace();
    annotation note;
    note.id = 1;
    note.type = annotation_type::note;
    note.seq = 3;
    note.text = "the server answers";
    f.annotations = {note};
    diagram d = build_diagram(test::source_of(f));
    auto it = std::find_if(d.rows.begin(), d.rows.end(), [](const diagram_row& r) {
        return r.note == note_style::annotation && r.shape == row_shape::note;
    });
    REQUIRE(it != d.rows.end());
    CHECK(it->label == "Teacher: the server answers");
    CHECK(it->seq == 3);
    const diagram_row& before = *(it - 1);
    CHECK(before.seq == 3);
    CHECK(it->first == std::min(before.from, before.to));
    CHECK(it->last == std::max(before.from, before.to));
}

TEST_CASE("export diagram: relative time") {
    CHECK(relative_time(1'500'000, 1'000'000) == "0.500 s");
    CHECK(relative_time(61'000'000, 0) == "61.000 s");
}
