// The main view area: one window with a tab per way of looking at the trace (the sequence
// diagram, the topology, the mailboxes, two connections side by side, a what-if branch beside
// the original), under the "follow one mail" bar. Debian's Dear ImGui 1.86 has no docking, so
// the views share a window instead of overlapping ones.

#include <imgui.h>

#include "gui/panels.hpp"
#include "gui/ui_text.hpp"

namespace maillab::gui {
namespace {

void tab(app_state& app, main_view which, const char* id, void (*draw)(app_state&)) {
    world_views& w = app.world;
    ImGuiTabItemFlags flags =
        w.view_requested && w.view == which ? ImGuiTabItemFlags_SetSelected : 0;
    // The id after ### keeps the tab the same when the language changes.
    std::string label = std::string(tr(main_view_title(which), app.lang)) + "###" + id;
    if (ImGui::BeginTabItem(label.c_str(), nullptr, flags)) {
        if (!w.view_requested) w.view = which;
        draw(app);
        ImGui::EndTabItem();
    }
}

}  // namespace

void draw_views(app_state& app) {
    draw_follow_bar(app);
    if (ImGui::BeginTabBar("##views")) {
        tab(app, main_view::sequence, "sequence", draw_sequence);
        tab(app, main_view::topology, "topology", draw_topology);
        tab(app, main_view::mailboxes, "mailboxes", draw_mailboxes);
        tab(app, main_view::side_by_side, "side_by_side", draw_side_by_side);
        tab(app, main_view::what_if, "what_if", draw_what_if);
        ImGui::EndTabBar();
    }
    app.world.view_requested = false;
}

}  // namespace maillab::gui
