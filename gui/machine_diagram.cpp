// Drawing of a described state machine; the layout comes from the description's grid, scaled to
// the space the panel gives it.

#include "gui/machine_diagram.hpp"

#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <string>

#include "gui/colors.hpp"

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

}  // namespace

void draw_machine(const state_machine_spec& spec, std::string_view current,
                  std::string_view previous, float height, bool presentation) {
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
    float radius =
        std::min({std::max(font * 2.4f, 34.0f), width / (cols * 2.9f), height / (rows * 1.5f)});
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
    ImU32 accent = protocol_color(spec.machine.substr(0, spec.machine.find('.')), presentation);
    constexpr ImU32 gold = IM_COL32(255, 220, 60, 255);
    // The transition just taken: a thick gold edge, and its trigger labelled on top of it all.
    auto draw_last = [&](std::size_t a, std::size_t b, std::string_view trigger) {
        draw_arrow(draw, center(a), center(b), radius * 0.62f, gold, 3.5f);
        deferred_label = [=, &draw_ref = *draw]() {
            ImVec2 ca = center(a), cb = center(b);
            std::string label(trigger);
            ImVec2 size = ImGui::CalcTextSize(label.c_str());
            // Along a row: above the edge's middle, clear of both states. Up or down: beside
            // it (above, the label would cover the upper state). Diagonal: on the edge's middle,
            // between the two states (above it, it would cover the upper one).
            float dx = std::fabs(cb.x - ca.x), dy = std::fabs(cb.y - ca.y);
            ImVec2 mid((ca.x + cb.x) * 0.5f, (ca.y + cb.y) * 0.5f);
            if (dy < dx * 0.25f) {
                mid.y -= radius * 0.75f;
                // A row at the top has no room above it inside the diagram: below it, then.
                if (mid.y - size.y * 0.5f < origin.y + 2) mid.y = (ca.y + cb.y) * 0.5f + radius * 0.75f;
            } else if (dx < dy * 0.5f) {
                mid.x += size.x * 0.5f + 12;
                mid.x = std::min(mid.x, origin.x + width - size.x * 0.5f - 4);
            }
            mid.x = std::max(mid.x, origin.x + size.x * 0.5f + 4);
            draw_ref.AddRectFilled(ImVec2(mid.x - size.x * 0.5f - 3, mid.y - size.y * 0.5f - 1),
                                   ImVec2(mid.x + size.x * 0.5f + 3, mid.y + size.y * 0.5f + 1),
                                   IM_COL32(40, 35, 10, 230), 3.0f);
            draw_ref.AddText(ImVec2(mid.x - size.x * 0.5f, mid.y - size.y * 0.5f), gold,
                             label.c_str());
        };
    };
    bool last_drawn = false;
    for (const auto& t : spec.transitions) {
        std::size_t a = index_of(t.from), b = index_of(t.to);
        if (a == n || b == n) continue;
        bool last = !current.empty() && previous == t.from && current == t.to;
        if (last) {
            draw_last(a, b, t.trigger);
            last_drawn = true;
        } else if (!t.quiet) {
            draw_arrow(draw, center(a), center(b), radius * 0.62f, IM_COL32(120, 120, 135, 200),
                       1.2f);
        }
    }
    // The state every other one may fall into (a client's FAILED) has no edge of its own from
    // each; the one just taken is drawn like any last transition.
    std::size_t any_target = spec.from_any_state.empty() ? n : index_of(spec.from_any_state);
    if (!last_drawn && any_target < n && current == spec.from_any_state && index_of(previous) < n)
        draw_last(index_of(previous), any_target, spec.from_any_trigger);
    for (std::size_t i = 0; i < n; ++i) {
        ImVec2 c = center(i);
        bool is_current = !current.empty() && current == spec.states[i];
        bool was_previous = !previous.empty() && previous == spec.states[i];
        float w = radius * 1.25f, h = radius * 0.55f;
        ImVec2 min(c.x - w, c.y - h), max(c.x + w, c.y + h);
        draw->AddRectFilled(min, max, is_current ? accent : IM_COL32(45, 45, 55, 255), h);
        draw->AddRect(min, max,
                      was_previous ? IM_COL32(255, 220, 60, 255) : IM_COL32(150, 150, 160, 255), h,
                      0, was_previous ? 2.5f : 1.0f);
        std::string name(spec.states[i]);
        ImVec2 size = ImGui::CalcTextSize(name.c_str());
        float scale = std::min(1.0f, (w * 2 - 8) / std::max(size.x, 1.0f));
        ImFont* font_ptr = ImGui::GetFont();
        draw->AddText(font_ptr, ImGui::GetFontSize() * scale,
                      ImVec2(c.x - size.x * scale * 0.5f, c.y - size.y * scale * 0.5f),
                      is_current ? IM_COL32(0, 0, 0, 255) : IM_COL32(230, 230, 230, 255),
                      name.c_str());
    }
    if (any_target < n) {
        // "from any state" beside that state, on the side towards the middle of the diagram
        // (the descriptions leave that cell free).
        ImVec2 c = center(any_target);
        std::string note = "from any state";
        float scale = 0.85f;
        ImVec2 size = ImGui::CalcTextSize(note.c_str());
        size.x *= scale;
        size.y *= scale;
        float half_width = radius * 1.25f;
        bool right = c.x < origin.x + width * 0.5f;
        float x = right ? c.x + half_width + 6 : c.x - half_width - 6 - size.x;
        float y = c.y - size.y * 0.5f;
        draw->AddText(ImGui::GetFont(), ImGui::GetFontSize() * scale, ImVec2(x, y),
                      IM_COL32(170, 170, 180, 255), note.c_str());
    }
    if (deferred_label) deferred_label();
}

}  // namespace maillab::gui
