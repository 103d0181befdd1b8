#include "sim/smtp/trace_events.hpp"

#include <fmt/format.h>

#include "sim/core/bytes.hpp"
#include "sim/mime/header_lookup.hpp"

namespace maillab::smtp {

event reply_event(int code, const std::vector<std::string>& lines, std::string wire) {
    event e;
    e.kind = event_kind::reply;
    e.text = fmt::format("{} {}", code, lines.empty() ? "" : lines.front());
    if (lines.size() > 1) e.text += fmt::format(" (+{} lines)", lines.size() - 1);
    e.raw = std::move(wire);
    e.explain = fmt::format("smtp.reply.{}", code);
    e.fields = {{"code", code}};
    return e;
}

event data_event(std::string wire, std::size_t lines, std::size_t dot_stuffed) {
    std::size_t size = wire.size();
    event e;
    e.kind = event_kind::data;
    e.text = fmt::format("message text: {} octets in {} lines, ended by \".\"", size, lines);
    e.explain = "smtp.note.data_received";
    e.fields = {{"size", size}, {"lines", lines}, {"dot_stuffed", dot_stuffed},
                {"message_id", mime::message_id_of(wire)}};
    e.raw = std::move(wire);
    return e;
}

event auth_response_event(std::string_view line, std::string_view raw,
                          std::string_view mechanism) {
    event e;
    e.kind = event_kind::command;
    e.text = std::string(line);
    e.raw = std::string(raw);
    e.explain = "smtp.cmd.AUTH";
    e.fields = {{"verb", "AUTH"}, {"auth_response", true}, {"mechanism", mechanism}};
    return e;
}

std::string auth_decoded_text(std::string_view mechanism, const nlohmann::json& decoded) {
    std::string shown;
    for (const auto& [key, value] : decoded.items())
        shown += fmt::format("{}{}=\"{}\"", shown.empty() ? "" : " ", key,
                             visible_bytes(value.get<std::string>()));
    return fmt::format("{} data decoded from base64: {}", mechanism, shown);
}

}  // namespace maillab::smtp
