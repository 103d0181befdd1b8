// What if: the inspector's box for a client command (edit the line, Skip, Run branch) and the
// "What if" tab, which shows the branch beside the original (sim/world/what_if.hpp) from a few
// events before they part: the original on the left, the branch on the right, the edit in gold,
// the server's replies that differ in red, and above them what came out differently (steps,
// mailboxes, expectations) and why the branch ended as it did.

#include <algorithm>
#include <cstdio>
#include <set>

#include <fmt/format.h>
#include <imgui.h>

#include "gui/colors.hpp"
#include "gui/panels.hpp"
#include "gui/ui_text.hpp"
#include "sim/core/bytes.hpp"
#include "sim/world/scenario_loader.hpp"

namespace maillab::gui {

void app_state::run_what_if(std::uint64_t seq, std::optional<std::string> replacement) {
    what_if.error.clear();
    try {
        auto s = std::make_shared<const world::scenario>(world::load_scenario_file(scenario_path));
        world::what_if_result r = world::run_what_if(*s, {seq, std::move(replacement)});
        what_if.result = std::move(r);
        what_if.scenario = std::move(s);
        what_if.scroll_to_divergence = true;
        world.view = main_view::what_if;
        world.view_requested = true;
    } catch (const std::exception& err) {
        what_if.error = err.what();
    }
}

namespace {

constexpr ImU32 edit_bg = IM_COL32(100, 78, 10, 255);
constexpr ImU32 differs_bg = IM_COL32(125, 32, 32, 255);

// The command as the box starts: its line without the line ending when it is one line.
std::string draft_of(const event& e) {
    if (!e.raw) return e.text;
    std::string_view line = *e.raw;
    if (line.ends_with("\r\n")) line.remove_suffix(2);
    else if (line.ends_with("\n")) line.remove_suffix(1);
    if (line.find('\n') != std::string_view::npos) return e.text;
    return std::string(line);
}

std::string row_text(const event& e, language lang) {
    std::string prefix = e.kind == event_kind::command ? "C: "
                         : e.kind == event_kind::reply ? "S: "
                         : e.kind == event_kind::store ? "▣ "
                         : e.kind == event_kind::state ? "◆ "
                         : e.kind == event_kind::note  ? "✎ "
                                                       : "· ";
    std::string text = prefix + event_text(e, lang);
    if (text.size() > 110) {
        std::size_t n = 110;
        while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80) --n;
        text = text.substr(0, n) + "…";
    }
    return text;
}

bool shown(const event& e, std::uint64_t conn, bool only_conn) {
    if (e.kind == event_kind::bytes) return false;
    return !only_conn || e.conn == conn;
}

void draw_outcome(const world::what_if_result& r, language lang) {
    const ImVec4 red(1.0f, 0.45f, 0.4f, 1.0f), green(0.5f, 0.85f, 0.5f, 1.0f);
    std::size_t differing = static_cast<std::size_t>(
        std::count_if(r.replies.begin(), r.replies.end(), [](const auto& p) { return p.differs; }));
    ImGui::Text("%s: %zu / %zu", tr("Replies that differ on this connection", lang), differing,
                r.replies.size());
    for (const auto& st : r.steps) {
        if (!st.differs()) continue;
        auto outcome = [&](const world::step_outcome& o) -> std::string {
            if (!o.finished) return tr("never finished", lang);
            return std::string(o.succeeded ? tr("done", lang) : tr("did not succeed", lang)) + ": " +
                   o.summary;
        };
        ImGui::PushTextWrapPos(0);
        ImGui::Text("%s %zu: %s  →  %s", tr("Script step", lang), st.index + 1, outcome(st.original).c_str(),
                    outcome(st.branch).c_str());
        ImGui::PopTextWrapPos();
    }
    for (const auto& m : r.mailboxes)
        ImGui::Text("%s %s (%s): %zu → %zu %s", m.user.c_str(), m.folder.c_str(), m.host.c_str(),
                    m.original.size(), m.branch.size(), tr("message(s)", lang));
    std::size_t unchanged = 0;
    for (const auto& x : r.expectations) {
        if (x.original_passed == x.branch_passed) {
            ++unchanged;
            continue;
        }
        ImGui::TextColored(x.branch_passed ? green : red, "%s → %s  %s",
                           x.original_passed ? tr("met", lang) : tr("NOT met", lang),
                           x.branch_passed ? tr("met", lang) : tr("NOT met", lang), x.summary.c_str());
        if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", x.branch_found.c_str());
    }
    if (!r.expectations.empty())
        ImGui::TextDisabled("%zu %s", unchanged, tr("expectation(s) unchanged", lang));
    for (const auto& t : r.explanations) {
        ImGui::PushTextWrapPos(0);
        ImGui::TextColored(ImVec4(1.0f, 0.8f, 0.4f, 1.0f), "%s", t.c_str());
        ImGui::PopTextWrapPos();
    }
}

}  // namespace

void draw_what_if_editor(app_state& app, std::size_t index) {
    language lang = app.lang;
    const event& e = app.model.at(index);
    if (e.kind != event_kind::command || !e.conn) return;
    std::string header = std::string(tr("What if…", lang)) + "###whatif";
    if (!ImGui::CollapsingHeader(header.c_str(), ImGuiTreeNodeFlags_DefaultOpen)) return;
    if (app.scenario_path.empty()) {
        ImGui::PushTextWrapPos(0);
        ImGui::TextDisabled("%s", tr("What if runs the scenario again: open the scenario file "
                                     "(.json), not a recording.",
                                     lang));
        ImGui::PopTextWrapPos();
        return;
    }
    what_if_state& w = app.what_if;
    if (w.draft_seq != e.seq) {
        std::snprintf(w.draft, sizeof w.draft, "%s", draft_of(e).c_str());
        w.draft_seq = e.seq;
        w.error.clear();
    }
    ImGui::PushTextWrapPos(0);
    ImGui::TextDisabled("%s", tr("Change this command, or skip it, and run the scenario again: "
                                 "everything before it happens exactly as before.",
                                 lang));
    ImGui::PopTextWrapPos();
    ImGui::PushFont(app.presentation ? app.font.mono_large : app.font.mono);
    ImGui::SetNextItemWidth(-1.0f);
    ImGui::InputText("##whatif_text", w.draft, sizeof w.draft);
    ImGui::PopFont();
    if (ImGui::Button(tr("Run branch", lang))) app.run_what_if(e.seq, std::string(w.draft));
    ImGui::SameLine();
    if (ImGui::Button(tr("Skip", lang))) app.run_what_if(e.seq, std::nullopt);
    if (!w.error.empty()) {
        ImGui::PushTextWrapPos(0);
        ImGui::TextColored(ImVec4(1.0f, 0.5f, 0.4f, 1.0f), "%s", w.error.c_str());
        ImGui::PopTextWrapPos();
    }
}

void draw_what_if(app_state& app) {
    language lang = app.lang;
    what_if_state& w = app.what_if;
    if (!w.result) {
        ImGui::PushTextWrapPos(0);
        ImGui::TextDisabled("%s", tr("Select a client command (a C: line) in the event log or the "
                                     "sequence diagram, then change or skip it under What if… in "
                                     "the inspector. The scenario runs again and its branch "
                                     "appears here beside the original.",
                                     lang));
        if (app.scenario_path.empty())
            ImGui::TextDisabled("%s", tr("What if runs the scenario again: open the scenario file "
                                         "(.json), not a recording.",
                                         lang));
        ImGui::PopTextWrapPos();
        return;
    }
    const world::what_if_result& r = *w.result;
    const auto& t = r.target;
    ImGui::TextColored(protocol_color_vec(t.proto), "#%llu  %s → %s  #%llu",
                       static_cast<unsigned long long>(t.seq), t.client.c_str(), t.server.c_str(),
                       static_cast<unsigned long long>(t.conn));
    ImGui::SameLine();
    ImGui::TextUnformatted(t.text.c_str());
    ImGui::SameLine();
    if (r.edit.replacement) {
        std::string replacement = "→  " + *r.edit.replacement;
        ImGui::TextColored(ImVec4(1.0f, 0.84f, 0.3f, 1.0f), "%s", replacement.c_str());
    } else {
        ImGui::TextColored(ImVec4(1.0f, 0.84f, 0.3f, 1.0f), "→  %s", tr("skipped", lang));
    }
    ImGui::TextDisabled("%s", fmt::format("{} {} {}", tr("The first", lang), r.divergence,
                                          tr("events are identical in both runs; they part at the "
                                             "edit (gold).",
                                             lang))
                                  .c_str());
    ImGui::Checkbox(tr("Only the edited connection", lang), &w.only_edited_connection);
    ImGui::SameLine();
    if (ImGui::SmallButton(tr("Go to the command", lang))) app.set_cursor(t.index);
    ImGui::SameLine();
    if (ImGui::SmallButton(tr("Close the branch", lang))) {
        w.result.reset();
        return;
    }
    draw_outcome(r, lang);

    // Which rows hold a reply that differs.
    std::set<std::size_t> differs_left, differs_right;
    for (const auto& p : r.replies) {
        if (!p.differs) continue;
        if (p.original) differs_left.insert(*p.original);
        if (p.branch) differs_right.insert(*p.branch);
    }
    const bool only_conn = w.only_edited_connection;
    std::vector<world::what_if_row> rows = world::what_if_rows(
        r, [&](const event& e) { return shown(e, t.conn, only_conn); }, 3);

    ImGuiTableFlags flags = ImGuiTableFlags_ScrollY | ImGuiTableFlags_RowBg |
                            ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_BordersOuterH |
                            ImGuiTableFlags_Resizable;
    if (!ImGui::BeginTable("##whatif_lanes", 4, flags)) return;
    ImGui::TableSetupScrollFreeze(0, 1);
    float seq_w = ImGui::GetFontSize() * 2.8f;
    ImGui::TableSetupColumn("#", ImGuiTableColumnFlags_WidthFixed, seq_w);
    ImGui::TableSetupColumn(tr("Original run", lang), ImGuiTableColumnFlags_WidthStretch);
    ImGui::TableSetupColumn("# ", ImGuiTableColumnFlags_WidthFixed, seq_w);
    ImGui::TableSetupColumn(tr("What if", lang), ImGuiTableColumnFlags_WidthStretch);
    ImGui::TableHeadersRow();
    ImGuiListClipper clipper;
    clipper.Begin(static_cast<int>(rows.size()));
    while (clipper.Step()) {
        for (int n = clipper.DisplayStart; n < clipper.DisplayEnd; ++n) {
            const world::what_if_row& row = rows[static_cast<std::size_t>(n)];
            ImGui::TableNextRow();
            bool before = row.branch && *row.branch < r.divergence;
            ImGui::PushStyleVar(ImGuiStyleVar_Alpha, before ? 0.6f : 1.0f);
            for (int side = 0; side < 2; ++side) {
                const auto& index = side == 0 ? row.original : row.branch;
                const auto& events = side == 0 ? r.original.events : r.branch.events;
                const auto& differs = side == 0 ? differs_left : differs_right;
                ImGui::TableNextColumn();
                if (index) ImGui::TextDisabled("%llu", static_cast<unsigned long long>(events[*index].seq));
                ImGui::TableNextColumn();
                if (!index) continue;
                const event& e = events[*index];
                if (side == 1 && *index == r.divergence)
                    ImGui::TableSetBgColor(ImGuiTableBgTarget_CellBg, edit_bg);
                else if (differs.count(*index))
                    ImGui::TableSetBgColor(ImGuiTableBgTarget_CellBg, differs_bg);
                ImU32 colour = e.kind == event_kind::store ? IM_COL32(240, 200, 90, 255)
                               : e.kind == event_kind::note && side == 1 && *index == r.divergence
                                   ? IM_COL32(255, 225, 120, 255)
                               : e.kind == event_kind::tcp || e.kind == event_kind::tls ||
                                       e.kind == event_kind::note || e.kind == event_kind::state
                                   ? IM_COL32(160, 160, 170, 255)
                                   : protocol_color(e.proto, app.presentation);
                ImGui::PushStyleColor(ImGuiCol_Text, colour);
                std::string label = row_text(e, lang) + "##wi" + std::to_string(side) + "_" +
                                    std::to_string(*index);
                // The original is the trace shown everywhere else: clicking selects there too.
                bool selected = side == 0 && app.selected && *app.selected == *index;
                if (ImGui::Selectable(label.c_str(), selected) && side == 0) app.select(*index);
                ImGui::PopStyleColor();
                if (ImGui::IsItemHovered()) {
                    std::string tip = event_text(e, lang);
                    if (e.raw) tip += "\n" + visible_bytes(e.raw->substr(0, 400));
                    ImGui::SetTooltip("%s", tip.c_str());
                }
            }
            ImGui::PopStyleVar();
        }
    }
    if (w.scroll_to_divergence) {
        w.scroll_to_divergence = false;
        ImGui::SetScrollY(0.0f);
    }
    ImGui::EndTable();
}

}  // namespace maillab::gui
