// The capture observers against the engines: every connection of the built-in demo and of
// every scenario (those without TLS and without scripted faults) is turned back into TCP
// packets from its bytes events, as a capture of it would hold them, and imported. The import
// must show what the servers traced: the same commands, replies, message texts, HTTP requests
// and responses, and the same state changes of the server machines, in the same order.
#include "sim/capture/capture_session.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "catalog_check.hpp"
#include "sim/world/builtin_demo.hpp"
#include "sim/world/scenario_loader.hpp"
#include "sim/world/scenario_run.hpp"
#include "transitions_check.hpp"

using namespace maillab;
using namespace maillab::capture;

namespace {

struct replayed_connection {
    std::string proto;
    std::vector<const event*> engine;  // the connection's events in the engine's trace
    std::vector<event> imported;
};

std::uint16_t port_of(std::string_view proto) {
    if (proto == "smtp") return 25;
    if (proto == "pop3") return 110;
    if (proto == "imap") return 143;
    return 80;
}

// The packets a capture of this connection would hold: handshake, one segment per bytes
// event, and the FINs in the order the connection was closed.
std::vector<tcp_packet> packets_of(const std::vector<const event*>& events,
                                   const std::string& client_host, std::uint16_t conn,
                                   std::uint16_t server_port) {
    tcp_endpoint client{"10.0.0.1", static_cast<std::uint16_t>(40000 + conn)};
    tcp_endpoint server{"10.0.0.2", server_port};
    std::uint32_t c_next = 0xFFFFFF00u;  // the client's sequence numbers wrap on the way
    std::uint32_t s_next = 5000;
    std::vector<tcp_packet> out;
    auto segment = [&](bool from_client, std::string payload, bool syn, bool fin,
                       std::int64_t t) {
        tcp_packet p;
        p.t_us = t;
        p.src = from_client ? client : server;
        p.dst = from_client ? server : client;
        std::uint32_t& next = from_client ? c_next : s_next;
        p.seq = next;
        p.ack = from_client ? s_next : c_next;
        p.syn = syn;
        p.fin = fin;
        p.ack_flag = !(syn && from_client);
        p.payload_length = static_cast<std::uint32_t>(payload.size());
        p.payload = std::move(payload);
        next += p.payload_length + (syn ? 1 : 0) + (fin ? 1 : 0);
        out.push_back(std::move(p));
    };
    std::int64_t start = events.front()->t_us;
    segment(true, "", true, false, start);
    segment(false, "", true, false, start);
    std::optional<std::string> first_closer;
    std::int64_t last = start;
    for (const event* e : events) {
        last = e->t_us;
        if (e->kind == event_kind::bytes && e->raw)
            segment(e->from == client_host, *e->raw, false, false, e->t_us);
        if (e->kind == event_kind::tcp && e->fields.value("action", "") == "close" && !first_closer)
            first_closer = e->fields.value("by", e->from);
    }
    if (first_closer) {
        bool client_first = *first_closer == client_host;
        segment(client_first, "", false, true, last);
        segment(!client_first, "", false, true, last);
    }
    return out;
}

std::map<std::uint64_t, replayed_connection> replay(const std::vector<event>& trace) {
    std::map<std::uint64_t, std::vector<const event*>> by_conn;
    for (const auto& e : trace)
        if (e.conn) by_conn[e.conn].push_back(&e);
    std::map<std::uint64_t, replayed_connection> out;
    for (auto& [conn, events] : by_conn) {
        std::string client_host, proto;
        bool skip = false;
        for (const event* e : events) {
            if (e->kind == event_kind::tls || e->fields.contains("tls") ||
                e->explain.rfind("fault.", 0) == 0)
                skip = true;
            if (client_host.empty() &&
                (e->kind == event_kind::command ||
                 (e->kind == event_kind::http && e->fields.value("direction", "") == "request"))) {
                client_host = e->from;
                proto = e->proto;
            }
        }
        if (skip || client_host.empty()) continue;
        capture_session session(nlohmann::json::object());
        for (const auto& p : packets_of(events, client_host, static_cast<std::uint16_t>(conn),
                                        port_of(proto)))
            session.add(p);
        out[conn] = {proto, events, session.finish()};
    }
    return out;
}

std::vector<std::string> engine_side(const replayed_connection& c, event_kind kind) {
    std::vector<std::string> out;
    for (const event* e : c.engine) {
        if (e->kind != kind) continue;
        if (kind == event_kind::state &&
            e->fields.value("machine", "").find(".server") == std::string::npos)
            continue;
        out.push_back(kind == event_kind::state ? e->fields.value("from_state", "") + " -> " +
                                                      e->fields.value("to_state", "")
                                                : e->text);
    }
    return out;
}

std::vector<std::string> imported_side(const replayed_connection& c, event_kind kind) {
    std::vector<std::string> out;
    for (const event& e : c.imported) {
        if (e.kind != kind) continue;
        out.push_back(kind == event_kind::state ? e.fields.value("from_state", "") + " -> " +
                                                      e.fields.value("to_state", "")
                                                : e.text);
    }
    return out;
}

// The same events, field by field where the engine's are what a wire shows.
void compare_details(const replayed_connection& c) {
    for (event_kind kind : {event_kind::command, event_kind::reply, event_kind::data,
                            event_kind::http}) {
        std::vector<const event*> engine;
        for (const event* e : c.engine)
            if (e->kind == kind) engine.push_back(e);
        std::vector<const event*> imported;
        for (const event& e : c.imported)
            if (e.kind == kind) imported.push_back(&e);
        REQUIRE(engine.size() == imported.size());
        for (std::size_t i = 0; i < engine.size(); ++i) {
            const event& a = *engine[i];
            const event& b = *imported[i];
            INFO(to_string(kind), " #", i, ": ", a.text);
            CHECK(a.explain == b.explain);
            if (kind == event_kind::http) {
                CHECK(a.text == b.text);
                CHECK(a.fields.value("headers", nlohmann::json()) ==
                      b.fields.value("headers", nlohmann::json()));
                CHECK(a.fields.value("form", nlohmann::json()) ==
                      b.fields.value("form", nlohmann::json()));
                continue;
            }
            CHECK(a.raw == b.raw);
            // POP3's continuation line is shown with words of the server's own.
            if (!a.fields.value("continuation", false)) CHECK(a.text == b.text);
            for (const char* field : {"verb", "args", "code", "status", "tag", "untagged",
                                      "multiline", "lines", "dot_stuffed", "auth_response",
                                      "mechanism", "user"})
                if (a.fields.contains(field)) CHECK(a.fields[field] == b.fields.value(field, nlohmann::json()));
            if (a.fields.contains("message_id") && b.fields.contains("message_id"))
                CHECK(a.fields["message_id"] == b.fields["message_id"]);
        }
    }
}

void check_trace(const std::vector<event>& trace, const std::string& name) {
    auto conns = replay(trace);
    for (const auto& entry : conns) {
        // Named references, not a structured binding: INFO and CHECK are lambdas, and clang
        // before 16 cannot capture a binding (the sanitizer build uses clang 14).
        const auto& conn = entry.first;
        const auto& c = entry.second;
        INFO(name, " connection ", conn, " (", c.proto, ")");
        CHECK(engine_side(c, event_kind::command) == imported_side(c, event_kind::command));
        // POP3's continuation texts differ; compare_details checks its replies field by field.
        if (c.proto != "pop3")
            CHECK(engine_side(c, event_kind::reply) == imported_side(c, event_kind::reply));
        CHECK(engine_side(c, event_kind::state) == imported_side(c, event_kind::state));
        CHECK(engine_side(c, event_kind::data) == imported_side(c, event_kind::data));
        CHECK(engine_side(c, event_kind::http) == imported_side(c, event_kind::http));
        compare_details(c);
        test::check_explanations(c.imported);
        test::check_transitions(c.imported);
    }
}

}  // namespace

TEST_CASE("import of the built-in demo's connections shows what the servers traced") {
    demo_result demo = run_builtin_demo();
    auto conns = replay(demo.events);
    CHECK(conns.size() >= 3);  // SMTP, POP3, IMAP
    check_trace(demo.events, "demo");
}

TEST_CASE("import of every scenario's connections shows what the servers traced") {
    std::size_t connections = 0;
    for (const auto& entry :
         std::filesystem::directory_iterator(std::string(MAILLAB_SOURCE_DIR) + "/scenarios")) {
        if (entry.path().extension() != ".json") continue;
        world::scenario s = world::load_scenario_file(entry.path().string());
        world::scenario_result r = world::run_scenario(s);
        connections += replay(r.events).size();
        check_trace(r.events, entry.path().filename().string());
    }
    CHECK(connections > 20);
}
