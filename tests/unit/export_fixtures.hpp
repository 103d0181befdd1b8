// Traces the export tests share: the classic scenario (run once), the built-in demo, and a
// small hand-made trace whose texts carry every character some export format gives a meaning.
#pragma once

#include <string>

#include "sim/export/export_source.hpp"
#include "sim/record/trace_io.hpp"
#include "sim/world/builtin_demo.hpp"
#include "sim/world/scenario_loader.hpp"
#include "sim/world/scenario_run.hpp"

#ifndef MAILLAB_SOURCE_DIR
#error "MAILLAB_SOURCE_DIR must name the source tree (tests/CMakeLists.txt defines it)"
#endif

namespace maillab::test {

// Everything that means something to XML, HTML, a <script> element, Mermaid or PlantUML.
inline const std::string hostile_text =
    "</script><script>alert(1)</script> <!-- # ; \" ' & %% $$x$$ `x` **b** __u__ --s-- //i// "
    "~~w~~ ==h== [[http://x]] <U+0041> <$sprite> <b>b</b> a\\nb \xE2\x80\xA8 \xE2\x80\xA9 "
    "end 你好 \x01";

inline const trace_file& classic_trace() {
    static const trace_file file = [] {
        world::scenario s =
            world::load_scenario_file(std::string(MAILLAB_SOURCE_DIR) + "/scenarios/classic.json");
        world::scenario_result r = world::run_scenario(s);
        trace_file f;
        f.header = r.header;
        f.events = std::move(r.events);
        return f;
    }();
    return file;
}

inline trace_file demo_trace() {
    demo_result demo = run_builtin_demo();
    trace_file f;
    f.header = demo.header;
    f.events = std::move(demo.events);
    return f;
}

// A connection from pc.x to mail.y: connect, a command and a reply with hostile text, a state
// change, a note; then a scenario note without a host.
inline trace_file hostile_trace() {
    trace_file f;
    f.header = {{"format", "maillab-trace"}, {"version", 1}, {"title", "hostile " + hostile_text}};
    auto add = [&](event e) {
        e.seq = f.events.size() + 1;
        e.t_us = 1736154000000000 + static_cast<std::int64_t>(e.seq) * 1000;
        f.events.push_back(std::move(e));
    };
    event connect;
    connect.conn = 1;
    connect.proto = "tcp";
    connect.from = "pc.x";
    connect.to = "mail.y";
    connect.kind = event_kind::tcp;
    connect.text = "pc.x connects to mail.y (port 25 (smtp), in-memory link, 2 ms latency)";
    connect.fields = {{"action", "connect"}, {"transport", "memory"}};
    add(connect);
    event command;
    command.conn = 1;
    command.proto = "smtp";
    command.from = "pc.x";
    command.to = "mail.y";
    command.kind = event_kind::command;
    command.text = "MAIL FROM:<a@x> " + hostile_text;
    command.raw = command.text + "\r\n";
    command.explain = "smtp.cmd.MAIL";
    command.fields = {{"verb", "MAIL"}, {"args", hostile_text}};
    add(command);
    event reply;
    reply.conn = 1;
    reply.proto = "smtp";
    reply.from = "mail.y";
    reply.to = "pc.x";
    reply.kind = event_kind::reply;
    reply.text = "250 " + hostile_text;
    reply.raw = "250-first\r\n250 " + hostile_text + "\n";
    reply.cause = 2;
    reply.explain = "smtp.reply.250";
    reply.fields = {{"code", 250}};
    add(reply);
    event state;
    state.conn = 1;
    state.proto = "smtp";
    state.from = "mail.y";
    state.kind = event_kind::state;
    state.text = "READY -> MAIL";
    state.fields = {
        {"machine", "smtp.server"}, {"from_state", "READY"}, {"to_state", "MAIL"}, {"reason", "x"}};
    add(state);
    event note;
    note.proto = "world";
    note.kind = event_kind::note;
    note.text = "teacher: " + hostile_text;
    note.explain = "world.teacher_note";
    note.fields = {{"text_zh", "老师：" + hostile_text}};
    add(note);
    return f;
}

inline exporting::export_source source_of(const trace_file& f, exporting::export_filter filter = {},
                                          language lang = language::en) {
    return exporting::make_export_source(f, filter, lang);
}

}  // namespace maillab::test
