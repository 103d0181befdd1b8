// "Follow one mail", above the views: the mail being followed, its hops in order (each a
// button), and Previous / Next hop, which move the cursor. When no mail is followed, it offers
// the mail of the selected event (a message in Mailboxes offers its own button). The path
// (sim/view/mail_path) is also highlighted in the sequence diagram, the topology, the side-by-side
// lanes and the mailboxes.

#include <fmt/format.h>
#include <imgui.h>

#include "gui/panels.hpp"
#include "gui/ui_text.hpp"

namespace maillab::gui {
namespace {

// "#3 SMTP 25": the link a hop travels on, else what happens where it stays.
std::string hop_label(app_state& app, std::size_t hop) {
    const view::mail_path& path = app.world.path;
    const view::topology& topo = app.world.topology(app.model);
    std::size_t begin = path.hop_starts[hop];
    std::size_t end =
        hop + 1 < path.hop_starts.size() ? path.hop_starts[hop + 1] : path.events.size();
    // The first event of the hop that travels names its link (a note of the hop stays put).
    for (std::size_t k = begin; k < end; ++k)
        if (auto h = topo.hop_of(app.model, path.events[k]))
            return fmt::format("#{} {}", hop + 1, topo.links()[h->link].label);
    const event& e = app.model.at(path.events[begin]);
    return fmt::format("#{} {} {}", hop + 1, to_string(e.kind), e.from);
}

}  // namespace

void draw_follow_bar(app_state& app) {
    language lang = app.lang;
    world_views& w = app.world;
    if (!w.following()) {
        std::string id;
        if (app.selected && *app.selected < app.model.size())
            id = view::message_id_of(app.model.at(*app.selected));
        // Nothing to offer: no line at all, the views keep the room.
        if (id.empty()) return;
        if (ImGui::SmallButton(tr("Follow this mail", lang))) w.follow(app.model, id);
        ImGui::SameLine();
        ImGui::TextDisabled("%s", id.c_str());
        return;
    }
    const view::mail_path& path = w.path;
    std::size_t current = path.hop_at_or_before(app.cursor);
    ImGui::TextColored(ImVec4(1.0f, 0.82f, 0.3f, 1), "%s %s", tr("Following", lang),
                       path.message_id.c_str());
    ImGui::SameLine();
    ImGui::Text("%s %zu / %zu", tr("hop", lang), current, path.hops());
    ImGui::SameLine();
    if (ImGui::SmallButton(tr("◀ Previous hop", lang)))
        if (auto to = path.previous_hop(app.cursor)) app.set_cursor(*to);
    ImGui::SameLine();
    if (ImGui::SmallButton(tr("Next hop ▶", lang)))
        if (auto to = path.next_hop(app.cursor)) app.set_cursor(*to);
    ImGui::SameLine();
    if (ImGui::SmallButton(tr("Stop following", lang))) {
        w.follow(app.model, "");
        return;
    }
    // The hops as a strip of buttons, scrolled sideways when there are many.
    float strip_h = ImGui::GetFrameHeight() + ImGui::GetStyle().ScrollbarSize + 4;
    ImGui::BeginChild("##hops", ImVec2(0, strip_h), false, ImGuiWindowFlags_HorizontalScrollbar);
    for (std::size_t h = 0; h < path.hops(); ++h) {
        if (h) ImGui::SameLine();
        bool here = h + 1 == current;
        bool future = path.events[path.hop_starts[h]] > app.cursor;
        ImGui::PushStyleColor(ImGuiCol_Button, here     ? ImVec4(0.75f, 0.55f, 0.1f, 1)
                                               : future ? ImVec4(0.22f, 0.22f, 0.26f, 1)
                                                        : ImVec4(0.40f, 0.32f, 0.12f, 1));
        std::string label = hop_label(app, h) + "##hop" + std::to_string(h);
        if (ImGui::SmallButton(label.c_str())) app.set_cursor(path.events[path.hop_starts[h]]);
        ImGui::PopStyleColor();
        if (here && app.scroll_to_cursor) ImGui::SetScrollHereX(0.5f);
    }
    ImGui::EndChild();
}

}  // namespace maillab::gui
