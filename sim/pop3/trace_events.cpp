#include "sim/pop3/trace_events.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "sim/core/event_fields.hpp"

namespace maillab::pop3 {

event response_event(std::string wire, bool positive, std::string text, nlohmann::json fields) {
    event e;
    e.kind = event_kind::reply;
    e.text = std::move(text);
    e.raw = std::move(wire);
    e.fields = fields.is_object() ? std::move(fields) : nlohmann::json::object();
    e.explain = flag_field(e, "continuation") ? "pop3.reply.CONTINUE"
                : positive                            ? "pop3.reply.OK"
                                                      : "pop3.reply.ERR";
    e.fields["status"] = positive ? "+OK" : "-ERR";
    return e;
}

std::string multiline_text(std::string_view first_line, std::string_view stuffed_body) {
    auto lines = std::count(stuffed_body.begin(), stuffed_body.end(), '\n');
    return fmt::format("{} (+{} lines, then \".\")", first_line, lines);
}

event auth_response_event(std::string_view line, std::string_view raw,
                          std::string_view mechanism) {
    event e;
    e.kind = event_kind::command;
    e.text = std::string(line);
    e.raw = std::string(raw);
    e.explain = "pop3.cmd.AUTH";
    e.fields = {{"verb", "AUTH"}, {"auth_response", true}, {"mechanism", mechanism}};
    return e;
}

}  // namespace maillab::pop3
