// Sequence diagram: a lifeline per host, an arrow per command, reply and message text, markers
// for TCP, TLS, state changes and the store. Only the rows in view are drawn (ImGuiListClipper
// over the layout from sim/view), so the size of the trace does not matter.

#include <algorithm>
#include <cmath>

#include <fmt/format.h>
#include <imgui.h>

#include "gui/colors.hpp"
#include "gui/panels.hpp"
#include "gui/ui_text.hpp"
#include "sim/core/event_fields.hpp"

namespace maillab::gui {
namespace {
ImU32 with_alpha(ImU32 color, float alpha) {
    ImVec4 c = ImGui::ColorConvertU32ToFloat4(color);
    c.w *= alpha;
    return ImGui::ColorConvertFloat4ToU32(c);
}

ImU32 row_color(const event& e, bool presentation) {
    switch (e.kind) {
        case event_kind::state: return IM_COL32(230, 120, 230, 255);
        case event_kind::store:
        case event_kind::queue: return IM_COL32(240, 200, 90, 255);
        case event_kind::tls: return protocol_color("tls", presentation);
        case event_kind::tcp: return protocol_color("tcp", presentation);
        default: return protocol_color(e.proto, presentation);
    }
}
}  // namespace

void draw_sequence(app_state& app) {
    language lang = app.lang;
    ImGui::SetNextItemWidth(120);
    ImGui::SliderFloat(tr("Zoom", lang), &app.sequence_zoom, 0.5f, 2.5f, "%.1fx");
    ImGui::SameLine();
    ImGui::Checkbox(tr("Follow cursor", lang), &app.follow_cursor);
    ImGui::SameLine();
    ImGui::TextDisabled("%zu %s", app.sequence.rows.size(), tr("events", lang));

    const auto& layout = app.sequence;
    const auto& model = app.model;
    float font = ImGui::GetFontSize();
    float row_h = std::round((font + 10.0f) * app.sequence_zoom);
    float header_h = font + 12.0f;
    float avail_w = ImGui::GetContentRegionAvail().x;
    std::size_t lanes = std::max<std::size_t>(layout.lanes.size(), 1);
    float lane_w = std::max(210.0f * app.sequence_zoom, (avail_w - 40.0f) / static_cast<float>(lanes));
    float content_w = 20.0f + lane_w * static_cast<float>(lanes);

    // Rows hidden as "future" are not laid out at all, so the diagram grows step by step.
    std::size_t shown_rows = layout.rows.size();
    if (app.future == future_mode::hide) {
        auto last = layout.row_at_or_before(app.cursor);
        shown_rows = last ? *last + 1 : 0;
    }

    ImGui::BeginChild("##sequence_canvas", ImVec2(0, 0), true,
                      ImGuiWindowFlags_HorizontalScrollbar);
    ImGui::Dummy(ImVec2(content_w, header_h + row_h * static_cast<float>(shown_rows)));
    ImVec2 origin = ImGui::GetItemRectMin();
    ImDrawList* draw = ImGui::GetWindowDrawList();
    auto lane_x = [&](int lane) {
        return origin.x + 20.0f + lane_w * (static_cast<float>(lane) + 0.5f);
    };
    float scroll_y = ImGui::GetScrollY();
    float view_h = ImGui::GetWindowHeight();
    float top = origin.y + header_h;

    // Lifelines over the whole visible height.
    for (std::size_t l = 0; l < layout.lanes.size(); ++l) {
        float x = lane_x(static_cast<int>(l));
        draw->AddLine(ImVec2(x, origin.y + scroll_y), ImVec2(x, origin.y + scroll_y + view_h),
                      IM_COL32(110, 110, 120, 255), 1.5f);
    }

    // Rows in view only, clipped below the lane names.
    draw->PushClipRect(ImVec2(origin.x, origin.y + scroll_y + header_h),
                       ImVec2(origin.x + content_w, origin.y + scroll_y + view_h), true);
    std::size_t first = static_cast<std::size_t>(std::max(0.0f, (scroll_y - header_h) / row_h));
    std::size_t last = std::min(shown_rows, first + static_cast<std::size_t>(view_h / row_h) + 2);
    ImVec2 mouse = ImGui::GetIO().MousePos;
    bool clicked = ImGui::IsWindowHovered() && ImGui::IsMouseClicked(0);
    for (std::size_t r = first; r < last; ++r) {
        const view::sequence_row& row = layout.rows[r];
        const event& e = model.at(row.event_index);
        float y = top + row_h * static_cast<float>(r) + row_h * 0.5f;
        float alpha = app.alpha(row.event_index);
        bool selected = app.selected && *app.selected == row.event_index;
        bool at_cursor = row.event_index == app.cursor;
        ImVec2 band_min(origin.x, y - row_h * 0.5f), band_max(origin.x + content_w, y + row_h * 0.5f);
        if (selected) draw->AddRectFilled(band_min, band_max, IM_COL32(70, 90, 140, 120));
        // The followed mail's events: a gold edge, so its path reads down the diagram.
        if (app.world.in_followed_mail(row.event_index)) {
            draw->AddRectFilled(band_min, ImVec2(band_min.x + 6, band_max.y), IM_COL32(255, 200, 60, 255));
            draw->AddRectFilled(band_min, band_max, IM_COL32(255, 200, 60, 28));
        }
        if (at_cursor) draw->AddRect(band_min, band_max, IM_COL32(255, 255, 255, 200), 0, 0, 1.5f);
        if (clicked && mouse.y >= band_min.y && mouse.y < band_max.y && mouse.x >= band_min.x &&
            mouse.x < band_max.x)
            app.select(row.event_index);

        ImU32 color = with_alpha(row_color(e, app.presentation), alpha);
        ImU32 text_color = with_alpha(IM_COL32(235, 235, 235, 255), alpha);
        float x1 = lane_x(row.from_lane);
        if (row.shape == view::row_shape::arrow) {
            float x2 = lane_x(row.to_lane);
            float dir = x2 > x1 ? 1.0f : -1.0f;
            float thickness = e.kind == event_kind::tcp ? 1.0f : 2.0f;
            draw->AddLine(ImVec2(x1, y + 4), ImVec2(x2 - dir * 2, y + 4), color, thickness);
            draw->AddTriangleFilled(ImVec2(x2, y + 4), ImVec2(x2 - dir * 10, y - 1),
                                    ImVec2(x2 - dir * 10, y + 9), color);
            std::string label = row.label;
            if (flag_field(e, "tls")) label = "[TLS] " + label;
            ImVec2 size = ImGui::CalcTextSize(label.c_str());
            float lx = std::min(x1, x2) + (std::fabs(x2 - x1) - size.x) * 0.5f;
            lx = std::max(lx, std::min(x1, x2) + 4.0f);
            draw->AddText(ImVec2(lx, y + 4 - size.y - 1), text_color, label.c_str());
        } else {
            draw->AddRectFilled(ImVec2(x1 - 5, y - 5), ImVec2(x1 + 5, y + 5), color, 2.0f);
            draw->AddText(ImVec2(x1 + 10, y - font * 0.5f), color, row.label.c_str());
        }
    }

    draw->PopClipRect();
    // Lane names stay on top while scrolling.
    float header_y = origin.y + scroll_y;
    draw->AddRectFilled(ImVec2(origin.x, header_y), ImVec2(origin.x + content_w, header_y + header_h),
                        IM_COL32(25, 25, 30, 255));
    for (std::size_t l = 0; l < layout.lanes.size(); ++l) {
        const std::string& name = layout.lanes[l];
        ImVec2 size = ImGui::CalcTextSize(name.c_str());
        float x = lane_x(static_cast<int>(l)) - size.x * 0.5f;
        draw->AddRectFilled(ImVec2(x - 6, header_y + 2), ImVec2(x + size.x + 6, header_y + header_h - 2),
                            IM_COL32(60, 60, 75, 255), 4.0f);
        draw->AddText(ImVec2(x, header_y + 6), IM_COL32(255, 255, 255, 255), name.c_str());
    }

    // Keep the cursor's row in view while playing or stepping.
    if (app.follow_cursor && app.scroll_to_cursor) {
        if (auto r = layout.row_at_or_before(app.cursor)) {
            float y = header_h + row_h * static_cast<float>(*r);
            if (y < scroll_y + header_h || y > scroll_y + view_h - row_h * 2)
                ImGui::SetScrollY(std::max(0.0f, y - view_h * 0.5f));
        }
    }
    ImGui::EndChild();
}

}  // namespace maillab::gui
