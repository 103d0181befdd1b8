// Mailboxes: every user of every server host, their folders and messages with their flags as
// they are at the cursor (rebuilt from the trace's store events by sim/view/mailbox_state, so
// stepping back un-delivers, un-flags and un-expunges). The message chosen on the left opens on
// the right in the MIME view (mime_panel.cpp).

#include <fmt/format.h>
#include <imgui.h>

#include <algorithm>

#include "gui/panels.hpp"
#include "gui/ui_text.hpp"

namespace maillab::gui {
namespace {

const view::stored_mail* find(const std::vector<view::user_mail>& users, const mail_ref& ref) {
    for (const auto& u : users) {
        if (u.host != ref.host || u.user != ref.user) continue;
        if (const view::mail_folder* f = u.folder(ref.folder))
            for (const auto& m : f->messages)
                if (m.uid == ref.uid) return &m;
    }
    return nullptr;
}

// The message a first look should open: the followed mail's newest copy, else the message that
// changed last.
std::optional<mail_ref> default_choice(const std::vector<view::user_mail>& users,
                                       const std::string& followed) {
    std::optional<mail_ref> best;
    std::size_t best_event = 0;
    bool best_followed = false;
    for (const auto& u : users)
        for (const auto& f : u.folders)
            for (const auto& m : f.messages) {
                bool is_followed = !followed.empty() && m.message_id == followed;
                if (best && (best_followed && !is_followed)) continue;
                if (best && best_followed == is_followed && m.changed_event < best_event) continue;
                best = mail_ref{u.host, u.user, f.name, m.uid};
                best_event = m.changed_event;
                best_followed = is_followed;
            }
    return best;
}

void flag_tags(const std::set<std::string>& flags) {
    for (const auto& flag : flags) {
        ImGui::SameLine();
        ImVec4 colour = flag == "\\Seen"      ? ImVec4(0.45f, 0.85f, 0.5f, 1)
                        : flag == "\\Deleted" ? ImVec4(0.95f, 0.45f, 0.4f, 1)
                                              : ImVec4(0.95f, 0.8f, 0.35f, 1);
        ImGui::TextColored(colour, "%s", flag.c_str());
    }
}

}  // namespace

void draw_mailboxes(app_state& app) {
    language lang = app.lang;
    const auto& model = app.model;
    if (model.empty()) return;
    const auto& users = app.world.mailboxes(model, app.cursor);
    if (users.empty()) {
        ImGui::TextDisabled("%s",
                            tr("No mail has been stored yet at this point of the trace.", lang));
        return;
    }
    world_views& w = app.world;
    if (w.selected_mail.user.empty())
        if (auto choice = default_choice(users, w.path.message_id)) w.selected_mail = *choice;

    float list_w = std::max(ImGui::GetContentRegionAvail().x * 0.30f, ImGui::GetFontSize() * 14);
    ImGui::BeginChild("##mail_list", ImVec2(list_w, 0), true);
    for (const auto& u : users) {
        ImGui::SetNextItemOpen(true, ImGuiCond_Once);
        std::string user_label = fmt::format("{}##{}{}", u.user, u.host, u.user);
        bool open = ImGui::TreeNodeEx(user_label.c_str(), ImGuiTreeNodeFlags_SpanAvailWidth);
        ImGui::SameLine();
        ImGui::TextDisabled("@%s", u.host.c_str());
        if (!open) continue;
        for (const auto& f : u.folders) {
            ImGui::SetNextItemOpen(true, ImGuiCond_Once);
            std::string folder_label =
                fmt::format("{} ({})##{}{}{}", f.name, f.messages.size(), u.host, u.user, f.name);
            if (!ImGui::TreeNodeEx(folder_label.c_str(), ImGuiTreeNodeFlags_SpanAvailWidth))
                continue;
            for (const auto& m : f.messages) {
                mail_ref ref{u.host, u.user, f.name, m.uid};
                bool selected = w.selected_mail == ref;
                bool unseen = !m.flags.count("\\Seen");
                // What changed at the cursor (a delivery, a flag) stands out.
                if (m.changed_event == app.cursor)
                    ImGui::PushStyleColor(ImGuiCol_Text, IM_COL32(255, 220, 90, 255));
                else if (w.path.message_id == m.message_id && w.following())
                    ImGui::PushStyleColor(ImGuiCol_Text, IM_COL32(255, 200, 120, 255));
                else
                    ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_Text));
                std::string label =
                    fmt::format("{} {} {}##{}{}{}{}", unseen ? "●" : "  ", m.uid,
                                m.subject.empty() ? tr("(no subject)", lang) : m.subject, u.host,
                                u.user, f.name, m.uid);
                if (ImGui::Selectable(label.c_str(), selected)) {
                    w.selected_mail = ref;
                    if (m.source_event) w.show_message(model, *m.source_event);
                }
                ImGui::PopStyleColor();
                if (ImGui::IsItemHovered())
                    ImGui::SetTooltip("%s %s\n%s\n%zu %s", tr("Sender", lang), m.from.c_str(),
                                      m.message_id.c_str(), m.size, tr("octets", lang));
                flag_tags(m.flags);
            }
            ImGui::TreePop();
        }
        ImGui::TreePop();
    }
    ImGui::EndChild();
    ImGui::SameLine();
    ImGui::BeginChild("##mail_view", ImVec2(0, 0), false);
    if (const view::stored_mail* m = find(users, w.selected_mail)) {
        draw_message_view(app, *m);
    } else {
        ImGui::TextDisabled(
            "%s",
            tr("The selected message is not in its mailbox at this point of the trace.", lang));
    }
    ImGui::EndChild();
}

}  // namespace maillab::gui
