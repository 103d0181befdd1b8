#include "gui/colors.hpp"

namespace maillab::gui {

ImVec4 protocol_color_vec(std::string_view proto, bool high_contrast) {
    float boost = high_contrast ? 1.0f : 0.85f;
    if (proto == "smtp") return {0.35f * boost, 0.65f * boost, 1.0f * boost, 1.0f};
    if (proto == "pop3") return {0.35f * boost, 0.85f * boost, 0.40f * boost, 1.0f};
    if (proto == "imap") return {1.0f * boost, 0.60f * boost, 0.20f * boost, 1.0f};
    if (proto == "http") return {0.80f * boost, 0.45f * boost, 1.0f * boost, 1.0f};
    if (proto == "dns") return {1.0f * boost, 0.85f * boost, 0.30f * boost, 1.0f};
    if (proto == "tls") return {0.30f * boost, 0.90f * boost, 0.90f * boost, 1.0f};
    return {0.70f, 0.70f, 0.70f, 1.0f};  // tcp and the rest
}

ImU32 protocol_color(std::string_view proto, bool high_contrast) {
    return ImGui::ColorConvertFloat4ToU32(protocol_color_vec(proto, high_contrast));
}

const char* kind_symbol(event_kind kind) {
    switch (kind) {
        case event_kind::tcp: return "TCP";
        case event_kind::tls: return "TLS";
        case event_kind::bytes: return "bytes";
        case event_kind::command: return "C:";
        case event_kind::reply: return "S:";
        case event_kind::data: return "DATA";
        case event_kind::state: return "state";
        case event_kind::store: return "store";
        case event_kind::queue: return "queue";
        case event_kind::dns: return "dns";
        case event_kind::http: return "http";
        case event_kind::note: return "note";
    }
    return "?";
}

}  // namespace maillab::gui
