// One stored message: its header summary, its MIME tree (IMAP part numbers), the selected part
// decoded (text with its charset converted, Chinese included; an image as a texture; an
// attachment with its sizes) and the raw source exactly as stored, with the selected part, its
// boundary lines and its still-encoded body highlighted. The line roles come from
// sim/view/mime_view; this file only colours them.

#include <fmt/format.h>
#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <optional>

#include "gui/colors.hpp"
#include "gui/panels.hpp"
#include "gui/ui_text.hpp"

namespace maillab::gui {
namespace {

constexpr ImU32 selected_bg = IM_COL32(50, 75, 130, 150);
constexpr ImU32 boundary_bg = IM_COL32(150, 60, 150, 200);
constexpr ImU32 encoded_bg = IM_COL32(40, 110, 70, 170);
constexpr ImU32 boundary_text = IM_COL32(230, 140, 230, 255);
constexpr ImU32 header_name_text = IM_COL32(120, 200, 240, 255);
constexpr ImU32 outside_text = IM_COL32(130, 130, 140, 255);

const char* kind_word(view::part_kind kind) {
    switch (kind) {
        case view::part_kind::container:
            return "";
        case view::part_kind::text:
            return "text";
        case view::part_kind::image:
            return "image";
        case view::part_kind::attachment:
            return "attachment";
    }
    return "";
}

std::string part_label(const view::mime_node& node, const view::part_view& v) {
    std::string label = node.number.empty() ? std::string("·") : node.number;
    label += "  " + v.mime_type;
    if (!v.filename.empty()) label += "  " + v.filename;
    if (v.kind != view::part_kind::container)
        label += fmt::format("  {} B {}", v.decoded_size, v.encoding);
    return label;
}

void swatch(ImU32 colour, const char* text) {
    ImVec2 p = ImGui::GetCursorScreenPos();
    float s = ImGui::GetTextLineHeight();
    ImGui::GetWindowDrawList()->AddRectFilled(ImVec2(p.x, p.y + 2), ImVec2(p.x + s, p.y + s - 2),
                                              colour, 3);
    ImGui::Dummy(ImVec2(s, s));
    ImGui::SameLine();
    ImGui::TextUnformatted(text);
}

void draw_tree(world_views& w) {
    shown_message& s = *w.shown;
    for (std::size_t i = 0; i < s.parts.size(); ++i) {
        const view::mime_node& node = s.parts[i];
        view::part_view v = view::describe_part(*s.message, *node.part);
        ImGui::Indent(static_cast<float>(node.depth) * ImGui::GetFontSize() * 0.9f);
        std::string label = part_label(node, v) + "##part" + std::to_string(i);
        if (ImGui::Selectable(label.c_str(), s.selected_part == i)) w.select_part(i);
        ImGui::Unindent(static_cast<float>(node.depth) * ImGui::GetFontSize() * 0.9f);
    }
}

void draw_decoded(app_state& app) {
    language lang = app.lang;
    world_views& w = app.world;
    shown_message& s = *w.shown;
    const view::mime_node& node = s.parts[s.selected_part];
    const mime::message& m = *s.message;
    view::part_view v = view::describe_part(m, *node.part);
    ImGui::TextDisabled("%s %s  %s%s", tr("Part", lang),
                        node.number.empty() ? "·" : node.number.c_str(), v.mime_type.c_str(),
                        v.charset.empty() ? "" : ("; charset=" + v.charset).c_str());
    switch (v.kind) {
        case view::part_kind::container: {
            // The leaves of this part, attachments with their sizes.
            // Flattened in document order, a part's subtree is the run of deeper parts after it.
            for (std::size_t i = s.selected_part + 1;
                 i < s.parts.size() && s.parts[i].depth > node.depth; ++i) {
                const view::mime_node& leaf = s.parts[i];
                view::part_view lv = view::describe_part(m, *leaf.part);
                if (lv.kind == view::part_kind::container) continue;
                ImGui::BulletText(
                    "%s  %s  %s  %zu %s (%s: %zu)", leaf.number.c_str(), kind_word(lv.kind),
                    lv.filename.empty() ? lv.mime_type.c_str() : lv.filename.c_str(),
                    lv.decoded_size, tr("octets", lang), lv.encoding.c_str(), lv.encoded_size);
            }
            break;
        }
        case view::part_kind::text: {
            std::string text = m.text(*node.part);
            ImGui::PushTextWrapPos(0);
            ImGui::TextUnformatted(text.c_str(), text.c_str() + text.size());
            ImGui::PopTextWrapPos();
            break;
        }
        case view::part_kind::image: {
            std::string key = fmt::format("{}:{}", s.source_event, node.number);
            std::string bytes = m.decoded_body(*node.part);
            if (const texture* t = w.textures.get(key, bytes)) {
                // Small pictures scale up by whole pixels, large ones down to fit.
                float room_w = ImGui::GetContentRegionAvail().x;
                float room_h = std::max(
                    ImGui::GetContentRegionAvail().y - ImGui::GetTextLineHeightWithSpacing() * 1.5f,
                    ImGui::GetFontSize() * 2);
                float scale = std::min(room_w / static_cast<float>(t->width),
                                       room_h / static_cast<float>(t->height));
                if (scale > 1) scale = std::floor(scale);
                ImGui::Image(reinterpret_cast<ImTextureID>(static_cast<std::intptr_t>(t->id)),
                             ImVec2(static_cast<float>(t->width) * scale,
                                    static_cast<float>(t->height) * scale));
                ImGui::Text("%s  %d×%d  %zu %s", v.filename.c_str(), t->width, t->height,
                            v.decoded_size, tr("octets", lang));
            } else {
                ImGui::TextDisabled("%s (%zu %s)", tr("An image this viewer cannot decode", lang),
                                    v.decoded_size, tr("octets", lang));
            }
            break;
        }
        case view::part_kind::attachment:
            ImGui::Text("%s  %s", v.filename.empty() ? "(no file name)" : v.filename.c_str(),
                        v.mime_type.c_str());
            ImGui::Text("%zu %s %s, %zu %s", v.decoded_size, tr("octets", lang),
                        tr("decoded", lang), v.encoded_size, tr("on the wire", lang));
            break;
    }
}

void draw_source(app_state& app) {
    shown_message& s = *app.world.shown;
    const std::string& raw = s.message->raw();
    ImGui::PushFont(app.presentation ? app.font.mono_large : app.font.mono);
    // Tight rows, no spacing between them: mail is read as a block of lines, and the row pitch
    // is then exactly line_h for the clipper and the scrolling.
    ImGui::PushStyleVar(ImGuiStyleVar_ItemSpacing, ImVec2(ImGui::GetStyle().ItemSpacing.x, 0));
    float line_h = ImGui::GetTextLineHeight() + 2;
    if (s.scroll_to_part) {
        // The whole part with its boundary lines in view when it fits, else its beginning.
        std::optional<std::size_t> first, last;
        for (std::size_t i = 0; i < s.lines.size(); ++i)
            if (s.lines[i].in_selected || s.lines[i].selected_boundary) {
                if (!first) first = i;
                last = i;
            }
        if (first) {
            const ImGuiStyle& style = ImGui::GetStyle();
            float view_h =
                ImGui::GetWindowHeight() - style.ScrollbarSize - style.WindowPadding.y * 2;
            float visible = std::max(std::floor(view_h / line_h), 1.0f);
            float top = static_cast<float>(*first) - 1;
            if (static_cast<float>(*last - *first + 2) <= visible)
                top = std::min(top, static_cast<float>(*last) + 1 - visible);
            ImGui::SetScrollY(std::max(0.0f, top * line_h));
        }
        s.scroll_to_part = false;
    }
    ImDrawList* draw = ImGui::GetWindowDrawList();
    float gutter = ImGui::CalcTextSize("0000 ").x;
    float width = std::max(ImGui::GetWindowContentRegionMax().x, ImGui::GetContentRegionAvail().x);
    ImGuiListClipper clipper;
    clipper.Begin(static_cast<int>(s.lines.size()), line_h);
    while (clipper.Step()) {
        for (int r = clipper.DisplayStart; r < clipper.DisplayEnd; ++r) {
            const view::source_line& l = s.lines[static_cast<std::size_t>(r)];
            ImVec2 p = ImGui::GetCursorScreenPos();
            ImVec2 row_max(p.x + width + ImGui::GetScrollX(), p.y + line_h);
            if (l.selected_boundary)
                draw->AddRectFilled(ImVec2(p.x + gutter - 2, p.y), row_max, boundary_bg);
            else if (l.encoded)
                draw->AddRectFilled(ImVec2(p.x + gutter - 2, p.y), row_max, encoded_bg);
            else if (l.in_selected)
                draw->AddRectFilled(ImVec2(p.x + gutter - 2, p.y), row_max, selected_bg);
            std::string number = fmt::format("{:4}", r + 1);
            draw->AddText(p, IM_COL32(110, 110, 120, 255), number.c_str());
            std::string_view text(raw.data() + l.begin, l.end - l.begin);
            ImVec2 at(p.x + gutter, p.y);
            ImU32 colour = IM_COL32(225, 225, 225, 255);
            if (l.role == view::source_role::boundary)
                colour = l.selected_boundary ? IM_COL32(255, 255, 255, 255) : boundary_text;
            else if (l.role == view::source_role::outside)
                colour = outside_text;
            if (l.role == view::source_role::header && !text.empty() && text[0] != ' ' &&
                text[0] != '\t') {
                // "Name:" in its own colour, then the value.
                std::size_t colon = text.find(':');
                if (colon != std::string_view::npos) {
                    draw->AddText(at, header_name_text, text.data(), text.data() + colon + 1);
                    at.x += ImGui::CalcTextSize(text.data(), text.data() + colon + 1).x;
                    text.remove_prefix(colon + 1);
                }
            }
            draw->AddText(at, colour, text.data(), text.data() + text.size());
            float w = gutter + ImGui::CalcTextSize(raw.data() + l.begin, raw.data() + l.end).x;
            ImGui::Dummy(ImVec2(w, line_h));
        }
    }
    ImGui::Dummy(ImVec2(0, line_h));  // the last line scrolls clear of the horizontal scrollbar
    ImGui::PopStyleVar();
    ImGui::PopFont();
}

}  // namespace

void draw_message_view(app_state& app, const view::stored_mail& mail) {
    language lang = app.lang;
    world_views& w = app.world;
    ImGui::TextUnformatted(mail.subject.empty() ? tr("(no subject)", lang) : mail.subject.c_str());
    ImGui::TextDisabled("%s %s   UID %u   %zu %s", tr("Sender", lang), mail.from.c_str(), mail.uid,
                        mail.size, tr("octets", lang));
    ImGui::SameLine();
    std::string flags;
    for (const auto& f : mail.flags) flags += (flags.empty() ? "" : " ") + f;
    ImGui::TextColored(ImVec4(0.45f, 0.85f, 0.5f, 1), "%s",
                       flags.empty() ? tr("(no flags)", lang) : flags.c_str());
    if (!mail.message_id.empty()) {
        ImGui::TextDisabled("%s", mail.message_id.c_str());
        ImGui::SameLine();
        bool followed = w.path.message_id == mail.message_id && w.following();
        if (!followed && ImGui::SmallButton(tr("Follow this mail", lang)))
            w.follow(app.model, mail.message_id);
    }
    if (!mail.source_event) {
        ImGui::TextDisabled(
            "%s", tr("The trace does not hold this message's bytes (an IMAP COPY of a message "
                     "stored before the trace began).",
                     lang));
        return;
    }
    w.show_message(app.model, *mail.source_event);
    if (!w.shown || w.shown->source_event != *mail.source_event) return;

    ImVec2 avail = ImGui::GetContentRegionAvail();
    // The raw source gets most of the height: it is where the part, its boundaries and its
    // encoding are seen.
    float top_h = std::max(avail.y * 0.32f, ImGui::GetFontSize() * 6);
    ImGui::BeginChild("##mime_tree", ImVec2(avail.x * 0.5f, top_h), true);
    ImGui::TextDisabled("%s", tr("MIME tree", lang));
    draw_tree(w);
    ImGui::EndChild();
    ImGui::SameLine();
    ImGui::BeginChild("##mime_decoded", ImVec2(0, top_h), true);
    draw_decoded(app);
    ImGui::EndChild();

    swatch(selected_bg, tr("selected part", lang));
    ImGui::SameLine();
    swatch(boundary_bg, tr("its boundary lines", lang));
    ImGui::SameLine();
    swatch(encoded_bg, tr("its encoded body", lang));
    ImGui::BeginChild("##mime_source", ImVec2(0, 0), true, ImGuiWindowFlags_HorizontalScrollbar);
    draw_source(app);
    ImGui::EndChild();
}

}  // namespace maillab::gui
