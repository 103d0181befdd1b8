// State machines: each described machine (sim/core/state_machine) drawn as nodes and edges from
// the same table the engine follows; for the selected event's connection the current state is
// lit and the last transition highlighted. Machines without a description are listed as text.

#include <algorithm>
#include <cmath>
#include <functional>

#include <fmt/format.h>
#include <imgui.h>

#include "gui/colors.hpp"
#include "gui/panels.hpp"
#include "gui/ui_text.hpp"
#include "sim/view/machine_status.hpp"

namespace maillab::gui {
namespace {

void draw_arrow(ImDrawList* draw, ImVec2 a, ImVec2 b, float radius, ImU32 color, float thickness) {
    ImVec2 d(b.x - a.x, b.y - a.y);
    float len = std::sqrt(d.x * d.x + d.y * d.y);
    if (len < 1) return;
    ImVec2 u(d.x / len, d.y / len);
    // Offset sideways a little so A->B and B->A do not overlap.
    ImVec2 side(-u.y * 5, u.x * 5);
    ImVec2 from(a.x + u.x * radius + side.x, a.y + u.y * radius + side.y);
    ImVec2 to(b.x - u.x * radius + side.x, b.y - u.y * radius + side.y);
    draw->AddLine(from, to, color, thickness);
    ImVec2 left(to.x - u.x * 10 - u.y * 5, to.y - u.y * 10 + u.x * 5);
    ImVec2 right(to.x - u.x * 10 + u.y * 5, to.y - u.y * 10 - u.x * 5);
    draw->AddTriangleFilled(to, left, right, color);
}

void draw_machine(app_state& app, const state_machine_spec& spec, const view::machine_status* status,
                  float height) {
    ImVec2 origin = ImGui::GetCursorScreenPos();
    float width = ImGui::GetContentRegionAvail().x;
    ImGui::InvisibleButton(std::string(spec.machine).c_str(), ImVec2(width, height));
    ImDrawList* draw = ImGui::GetWindowDrawList();
    std::size_t n = spec.states.size();
    float font = ImGui::GetFontSize();
    // Nodes as large as the panel allows for the grid (a projector font must not make them
    // overlap); names shrink to fit their node.
    float cols = 1, rows = 1;
    for (const auto& [c, r] : spec.grid) {
        cols = std::max(cols, c + 1);
        rows = std::max(rows, r + 1);
    }
    float radius = std::min({std::max(font * 2.4f, 34.0f), width / (cols * 2.9f),
                             height / (rows * 1.5f)});
    // States where the description's grid puts them, scaled to the panel.
    float max_col = 0, max_row = 0;
    for (const auto& [c, r] : spec.grid) {
        max_col = std::max(max_col, c);
        max_row = std::max(max_row, r);
    }
    float margin_x = radius * 1.3f, margin_y = radius * 0.7f;
    auto center = [&](std::size_t i) {
        auto [c, r] = i < spec.grid.size() ? spec.grid[i] : std::pair<float, float>{0, 0};
        float x = max_col > 0 ? c / max_col : 0.5f;
        float y = max_row > 0 ? r / max_row : 0.5f;
        return ImVec2(origin.x + margin_x + x * (width - 2 * margin_x),
                      origin.y + margin_y + y * (height - 2 * margin_y));
    };
    auto index_of = [&](std::string_view s) -> std::size_t {
        for (std::size_t i = 0; i < n; ++i)
            if (spec.states[i] == s) return i;
        return n;
    };
    std::function<void()> deferred_label;  // the last transition's trigger, drawn on top
    ImU32 accent = protocol_color(spec.machine.substr(0, spec.machine.find('.')), app.presentation);
    for (const auto& t : spec.transitions) {
        std::size_t a = index_of(t.from), b = index_of(t.to);
        if (a == n || b == n) continue;
        bool last = status && status->previous == t.from && status->current == t.to;
        draw_arrow(draw, center(a), center(b), radius * 0.62f,
                   last ? IM_COL32(255, 220, 60, 255) : IM_COL32(120, 120, 135, 200),
                   last ? 3.5f : 1.2f);
        if (last) {
            deferred_label = [=, &draw_ref = *draw]() {
            ImVec2 ca = center(a), cb = center(b);
            // Above the edge's middle, clear of both nodes.
            ImVec2 mid((ca.x + cb.x) * 0.5f, (ca.y + cb.y) * 0.5f - radius * 0.75f);
            std::string label(t.trigger);
            ImVec2 size = ImGui::CalcTextSize(label.c_str());
            // Keep the label inside the diagram (edges on the top row would push it out).
            mid.y = std::max(mid.y, origin.y + size.y * 0.5f + 2);
            draw_ref.AddRectFilled(ImVec2(mid.x - size.x * 0.5f - 3, mid.y - size.y * 0.5f - 1),
                                ImVec2(mid.x + size.x * 0.5f + 3, mid.y + size.y * 0.5f + 1),
                                IM_COL32(40, 35, 10, 230), 3.0f);
            draw_ref.AddText(ImVec2(mid.x - size.x * 0.5f, mid.y - size.y * 0.5f),
                          IM_COL32(255, 220, 60, 255), label.c_str());
            };
        }
    }
    for (std::size_t i = 0; i < n; ++i) {
        ImVec2 c = center(i);
        bool current = status && status->current == spec.states[i];
        bool previous = status && status->previous == spec.states[i];
        float w = radius * 1.25f, h = radius * 0.55f;
        ImVec2 min(c.x - w, c.y - h), max(c.x + w, c.y + h);
        draw->AddRectFilled(min, max, current ? accent : IM_COL32(45, 45, 55, 255), h);
        draw->AddRect(min, max, previous ? IM_COL32(255, 220, 60, 255) : IM_COL32(150, 150, 160, 255), h,
                      0, previous ? 2.5f : 1.0f);
        std::string name(spec.states[i]);
        ImVec2 size = ImGui::CalcTextSize(name.c_str());
        float scale = std::min(1.0f, (w * 2 - 8) / std::max(size.x, 1.0f));
        ImFont* font_ptr = ImGui::GetFont();
        draw->AddText(font_ptr, ImGui::GetFontSize() * scale,
                      ImVec2(c.x - size.x * scale * 0.5f, c.y - size.y * scale * 0.5f),
                      current ? IM_COL32(0, 0, 0, 255) : IM_COL32(230, 230, 230, 255), name.c_str());
    }
    if (deferred_label) deferred_label();
}

}  // namespace

void draw_state_machines(app_state& app) {
    language lang = app.lang;
    if (app.model.empty()) return;
    // The machine of the selected event's connection, at the cursor (or the selection, when it
    // is further on).
    std::size_t at = app.cursor;
    std::uint64_t conn = 0;
    if (app.selected) {
        conn = app.model.at(*app.selected).conn;
        at = std::max(at, *app.selected);
    }
    auto machines = view::machines_at(app.model, at);
    if (machines.empty()) {
        ImGui::TextDisabled("%s", tr("No state machine has moved yet.", lang));
        return;
    }
    // Prefer the selected connection's server machine; otherwise the last one that moved.
    const view::machine_status* shown = nullptr;
    for (const auto& m : machines)
        if (m.spec && (m.conn == conn || !shown)) shown = &m;
    for (const auto& m : machines)
        if (m.spec && m.conn == conn) shown = &m;

    if (shown) {
        ImGui::TextColored(protocol_color_vec(shown->machine.substr(0, shown->machine.find('.'))),
                           "%s  %s #%llu  (%s)", std::string(shown->spec->title).c_str(),
                           tr("connection", lang), static_cast<unsigned long long>(shown->conn),
                           shown->host.c_str());
        ImGui::Text("%s: %s    %s: %s → %s", tr("Current state", lang), shown->current.c_str(),
                    tr("Last transition", lang), shown->previous.c_str(), shown->current.c_str());
        float h = std::max(ImGui::GetContentRegionAvail().y - ImGui::GetTextLineHeightWithSpacing() *
                                                                  static_cast<float>(std::min<std::size_t>(machines.size(), 4) + 1),
                           160.0f);
        draw_machine(app, *shown->spec, shown, h);
    }
    // Every machine that has moved, one line each (client machines have no diagram yet).
    for (const auto& m : machines) {
        if (&m == shown) continue;
        std::string line = fmt::format("{} #{} ({}): {} → {}", m.machine, m.conn, m.host, m.previous,
                                       m.current);
        if (ImGui::Selectable(line.c_str(), false)) app.select(m.last_event_index);
    }
}

}  // namespace maillab::gui
