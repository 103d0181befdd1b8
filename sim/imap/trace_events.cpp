#include "sim/imap/trace_events.hpp"

#include <array>

#include "sim/core/bytes.hpp"

namespace maillab::imap {

event command_event(const command& cmd, bool known) {
    event e;
    e.kind = event_kind::command;
    e.text = cmd.raw.substr(0, cmd.raw.find('\n'));
    if (!e.text.empty() && e.text.back() == '\r') e.text.pop_back();
    e.raw = cmd.raw;
    e.explain = known ? "imap.cmd." + cmd.name : "imap.cmd.UNKNOWN";
    e.fields = {{"verb", cmd.name}, {"tag", cmd.tag}};
    if (cmd.name == "LOGIN" && cmd.args.size() == 2) e.fields["user"] = cmd.args[0].text;
    return e;
}

event line_command_event(std::string_view line, std::string_view verb) {
    event e;
    e.kind = event_kind::command;
    e.text = std::string(line);
    e.raw = std::string(line) + "\r\n";
    e.explain = "imap.cmd." + std::string(verb);
    e.fields = {{"verb", verb}};
    return e;
}

event unparsed_command_event(const parse_result& r) {
    event e;
    e.kind = event_kind::command;
    e.text = visible_bytes(r.raw.substr(0, 200));
    e.raw = r.raw;
    e.explain = "imap.cmd.UNKNOWN";
    e.fields = {{"verb", ""}, {"tag", r.tag}, {"error", r.error}};
    return e;
}

std::string untagged_explain_key(std::string_view text) {
    // RFC 3501 7: a response is "status ...", "name ..." or "number name ...".
    std::string_view first = text.substr(0, text.find(' '));
    std::string_view rest = first.size() < text.size() ? text.substr(first.size() + 1) : "";
    bool numbered = !first.empty() && first.find_first_not_of("0123456789") == std::string::npos;
    std::string name = to_upper(numbered ? rest.substr(0, rest.find(' ')) : first);
    if (name == "BYE" || name == "PREAUTH") return "imap.reply." + name;
    static constexpr std::array<std::string_view, 10> explained = {
        "CAPABILITY", "FLAGS", "EXISTS", "RECENT", "EXPUNGE",
        "FETCH",      "LIST",  "LSUB",   "STATUS", "SEARCH"};
    for (std::string_view known : explained)
        if (name == known) return "imap.untagged." + name;
    // OK, NO, BAD and anything unknown: a status line for the client to read.
    return "imap.untagged.OK";
}

event untagged_event(std::string wire, nlohmann::json fields) {
    event e;
    e.kind = event_kind::reply;
    auto lf = wire.find('\n');
    e.text = wire.substr(0, lf != std::string::npos && lf > 0 && wire[lf - 1] == '\r' ? lf - 1 : lf);
    if (lf != std::string::npos && wire.size() > lf + 1) e.text += " ...";
    std::string_view after_star = std::string_view(e.text).substr(e.text.rfind("* ", 0) == 0 ? 2 : 0);
    e.explain = untagged_explain_key(after_star);
    e.raw = std::move(wire);
    e.fields = fields.is_object() ? std::move(fields) : nlohmann::json::object();
    e.fields["untagged"] = true;
    return e;
}

event tagged_event(std::string_view tag, std::string_view status, std::string line,
                   std::string wire) {
    event e;
    e.kind = event_kind::reply;
    e.text = std::move(line);
    e.raw = std::move(wire);
    e.explain = "imap.reply." + std::string(status);
    e.fields = {{"tag", tag}, {"status", status}};
    return e;
}

event continuation_event(std::string line, std::string wire) {
    event e;
    e.kind = event_kind::reply;
    e.text = std::move(line);
    e.raw = std::move(wire);
    e.explain = "imap.reply.CONTINUE";
    e.fields = {{"continuation", true}};
    return e;
}

}  // namespace maillab::imap
