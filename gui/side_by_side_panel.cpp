// Side by side: two connections in parallel lanes, commands and replies in two columns lined
// up by time (from each connection's start, or on the trace's clock), with what each did to the
// mailbox summed up above them. The default pair is a POP3 device and an IMAP device (seed
// 001's summary: POP3 downloads and deletes, IMAP leaves the mail on the server and syncs its
// flags); the rows come from sim/view/side_by_side.

#include <fmt/format.h>
#include <imgui.h>

#include <algorithm>
#include <iterator>

#include "gui/colors.hpp"
#include "gui/panels.hpp"
#include "gui/ui_text.hpp"

namespace maillab::gui {
namespace {

std::string describe(const view::connection_info& c) {
    return fmt::format("#{} {} → {}  {}", c.conn, c.client, c.server,
                       view::protocol_label(c.proto, c.port.number));
}

void choose(const char* id, std::uint64_t& conn, const std::vector<view::connection_info>& conns) {
    std::string current = fmt::format("#{}", conn);
    for (const auto& c : conns)
        if (c.conn == conn) current = describe(c);
    ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x * 0.5f - ImGui::GetFontSize());
    if (ImGui::BeginCombo(id, current.c_str())) {
        for (const auto& c : conns)
            if (ImGui::Selectable(describe(c).c_str(), c.conn == conn)) conn = c.conn;
        ImGui::EndCombo();
    }
}

std::string cell_text(const event& e, language lang) {
    std::string prefix = e.kind == event_kind::command ? "C: "
                         : e.kind == event_kind::reply ? "S: "
                                                       : "";
    if (e.kind == event_kind::store) prefix = "▣ ";
    if (e.kind == event_kind::tcp || e.kind == event_kind::tls) prefix = "· ";
    std::string text = prefix + event_text(e, lang);
    if (text.size() > 90) {
        std::size_t n = 90;
        while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80) --n;
        text = text.substr(0, n) + "…";
    }
    return text;
}

void summary_line(const view::lane_summary& s, language lang) {
    ImGui::Text("%s %zu · %s %zu · %s %zu", tr("commands", lang), s.commands,
                tr("messages fetched", lang), s.messages_fetched, tr("octets received", lang),
                s.octets_received);
    ImVec4 red(0.95f, 0.45f, 0.4f, 1), green(0.45f, 0.85f, 0.5f, 1);
    ImGui::TextColored(s.removed ? red : green, "%s: %s %zu · %s %zu", tr("on the server", lang),
                       tr("removed", lang), s.removed, tr("flags changed", lang), s.flags_changed);
}

}  // namespace

void draw_side_by_side(app_state& app) {
    language lang = app.lang;
    const auto& model = app.model;
    world_views& w = app.world;
    const auto& conns = w.connections(model);
    if (conns.size() < 2) {
        ImGui::TextDisabled("%s", tr("This trace has fewer than two connections.", lang));
        return;
    }
    if (!w.left_conn || !w.right_conn)
        std::tie(w.left_conn, w.right_conn) = view::default_lanes(model, conns);

    choose("##left", w.left_conn, conns);
    ImGui::SameLine();
    choose("##right", w.right_conn, conns);
    int clock = w.clock == view::lane_clock::from_start ? 0 : 1;
    ImGui::RadioButton(tr("time from each connection's start", lang), &clock, 0);
    ImGui::SameLine();
    ImGui::RadioButton(tr("trace time", lang), &clock, 1);
    w.clock = clock == 0 ? view::lane_clock::from_start : view::lane_clock::absolute;

    std::vector<view::lane_row> hidden_future;
    const std::vector<view::lane_row>* shown_rows = &w.lanes(model);
    // Rows after the cursor follow the timeline's choice: shown, dimmed or hidden.
    auto row_future = [&](const view::lane_row& r) {
        std::size_t first = std::min(r.left.value_or(SIZE_MAX), r.right.value_or(SIZE_MAX));
        return first > app.cursor;
    };
    if (app.future == future_mode::hide) {
        std::copy_if(shown_rows->begin(), shown_rows->end(), std::back_inserter(hidden_future),
                     [&](const view::lane_row& r) { return !row_future(r); });
        shown_rows = &hidden_future;
    }
    const std::vector<view::lane_row>& rows = *shown_rows;

    ImGuiTableFlags flags = ImGuiTableFlags_ScrollY | ImGuiTableFlags_RowBg |
                            ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_BordersOuterH |
                            ImGuiTableFlags_Resizable;
    if (!ImGui::BeginTable("##lanes", 3, flags)) return;
    ImGui::TableSetupScrollFreeze(0, 2);
    ImGui::TableSetupColumn(tr("Time", lang), ImGuiTableColumnFlags_WidthFixed,
                            ImGui::GetFontSize() * 4.5f);
    ImGui::TableSetupColumn("##l", ImGuiTableColumnFlags_WidthStretch);
    ImGui::TableSetupColumn("##r", ImGuiTableColumnFlags_WidthStretch);
    // Two header rows: the connection, then what it did up to the cursor.
    ImGui::TableNextRow(ImGuiTableRowFlags_Headers);
    ImGui::TableNextColumn();
    ImGui::TextDisabled("%s", w.clock == view::lane_clock::from_start ? "+ms" : "s");
    for (std::uint64_t conn : {w.left_conn, w.right_conn}) {
        ImGui::TableNextColumn();
        for (const auto& c : conns)
            if (c.conn == conn)
                ImGui::TextColored(protocol_color_vec(c.proto, true), "%s", describe(c).c_str());
    }
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    const auto& [left_summary, right_summary] = w.lane_summaries(model, app.cursor);
    ImGui::TableNextColumn();
    summary_line(left_summary, lang);
    ImGui::TableNextColumn();
    summary_line(right_summary, lang);

    std::int64_t t0 = model.at(0).t_us;
    ImGuiListClipper clipper;
    clipper.Begin(static_cast<int>(rows.size()));
    while (clipper.Step()) {
        for (int r = clipper.DisplayStart; r < clipper.DisplayEnd; ++r) {
            const view::lane_row& row = rows[static_cast<std::size_t>(r)];
            ImGui::TableNextRow();
            bool at_cursor = row.left == app.cursor || row.right == app.cursor;
            if (at_cursor)
                ImGui::TableSetBgColor(ImGuiTableBgTarget_RowBg1, IM_COL32(90, 90, 110, 255));
            ImGui::PushStyleVar(ImGuiStyleVar_Alpha,
                                row_future(row) && app.future == future_mode::dim ? 0.35f : 1.0f);
            ImGui::TableNextColumn();
            if (w.clock == view::lane_clock::from_start)
                ImGui::Text("+%.0f", static_cast<double>(row.t_us) / 1000.0);
            else
                ImGui::Text("%.3f", static_cast<double>(row.t_us - t0) / 1e6);
            for (const auto& side : {row.left, row.right}) {
                ImGui::TableNextColumn();
                if (!side) continue;
                const event& e = model.at(*side);
                ImU32 colour = e.kind == event_kind::store ? IM_COL32(240, 200, 90, 255)
                               : e.kind == event_kind::tcp || e.kind == event_kind::tls
                                   ? IM_COL32(150, 150, 160, 255)
                                   : protocol_color(e.proto, app.presentation);
                if (w.in_followed_mail(*side))
                    ImGui::TableSetBgColor(ImGuiTableBgTarget_CellBg, IM_COL32(90, 70, 10, 200));
                ImGui::PushStyleColor(ImGuiCol_Text, colour);
                std::string label = cell_text(e, lang) + "##cell" + std::to_string(*side);
                bool selected = app.selected && *app.selected == *side;
                if (ImGui::Selectable(label.c_str(), selected)) app.select(*side);
                ImGui::PopStyleColor();
                if (ImGui::IsItemHovered())
                    ImGui::SetTooltip("#%llu  %s", static_cast<unsigned long long>(e.seq),
                                      event_text(e, lang).c_str());
            }
            ImGui::PopStyleVar();
        }
    }
    // Follow the cursor when it moves (also when it moved while another tab was shown).
    if (app.scroll_to_cursor || w.lanes_cursor != app.cursor) {
        w.lanes_cursor = app.cursor;
        for (std::size_t r = 0; r < rows.size(); ++r)
            if (rows[r].left == app.cursor || rows[r].right == app.cursor) {
                float y = static_cast<float>(r) * ImGui::GetTextLineHeightWithSpacing();
                ImGui::SetScrollY(std::max(0.0f, y - ImGui::GetWindowHeight() * 0.5f));
                break;
            }
    }
    ImGui::EndTable();
}

}  // namespace maillab::gui
