// Event log: every event in a table, filtered by protocol, kind, host, connection and text, or
// by a view the teacher saved in the recording. Rows with a teacher's note show ✎, bookmarked
// ones ★. The filter lives in sim/view (filtered_index); the table draws only visible rows.

#include <algorithm>

#include <fmt/format.h>
#include <imgui.h>

#include "gui/colors.hpp"
#include "gui/panels.hpp"
#include "gui/ui_text.hpp"

namespace maillab::gui {
namespace {
template <class T>
void toggle(std::set<T>& set, const T& value, bool on) {
    if (on) set.insert(value);
    else set.erase(value);
}
}  // namespace

void draw_event_log(app_state& app) {
    language lang = app.lang;
    const auto& model = app.model;
    auto& filter = app.log_filter;

    ImGui::SetNextItemWidth(200);
    ImGui::InputTextWithHint("##search", tr("Search", lang), app.search, sizeof app.search);
    ImGui::SameLine();
    for (const auto& proto : model.protocols()) {
        bool on = filter.protos.count(proto) > 0;
        ImGui::PushStyleColor(ImGuiCol_Text, protocol_color_vec(proto));
        if (ImGui::Checkbox(proto.c_str(), &on)) toggle(filter.protos, proto, on);
        ImGui::PopStyleColor();
        ImGui::SameLine();
    }
    ImGui::SetNextItemWidth(130);
    std::string kinds_label = filter.kinds.empty() ? tr("all", lang) : fmt::format("{}", filter.kinds.size());
    if (ImGui::BeginCombo(tr("Kind", lang), kinds_label.c_str())) {
        for (auto k : {event_kind::tcp, event_kind::tls, event_kind::bytes, event_kind::command,
                       event_kind::reply, event_kind::data, event_kind::state, event_kind::store,
                       event_kind::queue, event_kind::note}) {
            bool on = filter.kinds.count(k) > 0;
            if (ImGui::Checkbox(std::string(to_string(k)).c_str(), &on)) toggle(filter.kinds, k, on);
        }
        ImGui::EndCombo();
    }
    ImGui::SameLine();
    ImGui::SetNextItemWidth(150);
    std::string host_label = filter.hosts.empty() ? tr("all", lang) : *filter.hosts.begin();
    if (ImGui::BeginCombo(tr("Host", lang), host_label.c_str())) {
        for (const auto& h : model.hosts()) {
            bool on = filter.hosts.count(h) > 0;
            if (ImGui::Checkbox(h.c_str(), &on)) toggle(filter.hosts, h, on);
        }
        ImGui::EndCombo();
    }
    ImGui::SameLine();
    ImGui::SetNextItemWidth(90);
    std::string conn_label =
        filter.conns.empty() ? tr("all", lang) : fmt::format("#{}", *filter.conns.begin());
    if (ImGui::BeginCombo(tr("Connection", lang), conn_label.c_str())) {
        for (auto c : model.connections()) {
            bool on = filter.conns.count(c) > 0;
            if (ImGui::Checkbox(fmt::format("#{}", c).c_str(), &on)) toggle(filter.conns, c, on);
        }
        ImGui::EndCombo();
    }
    ImGui::SameLine();
    if (ImGui::SmallButton(tr("Clear", lang))) {
        filter = {};
        app.search[0] = '\0';
    }
    bool any_view = std::any_of(app.annotations.begin(), app.annotations.end(),
                                [](const annotation& a) { return a.type == annotation_type::view; });
    if (any_view) {
        ImGui::SameLine();
        ImGui::SetNextItemWidth(150);
        if (ImGui::BeginCombo(tr("Views", lang), "")) {
            const annotation* chosen = nullptr;
            for (const auto& a : app.annotations)
                if (a.type == annotation_type::view &&
                    ImGui::Selectable(fmt::format("{}##view{}", a.name, a.id).c_str()))
                    chosen = &a;
            ImGui::EndCombo();
            if (chosen) app.apply_view(*chosen);
        }
    }
    app.refresh_indexes();
    const auto& rows = app.log_index.indices();
    std::size_t shown = rows.size();
    if (app.future == future_mode::hide) {
        auto p = app.log_index.position_at_or_before(app.cursor);
        shown = p ? *p + 1 : 0;
    }
    ImGui::SameLine();
    ImGui::TextDisabled("%zu %s", shown, tr("matching", lang));

    ImGuiTableFlags flags = ImGuiTableFlags_ScrollY | ImGuiTableFlags_RowBg |
                            ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_Resizable;
    if (!ImGui::BeginTable("##log", 6, flags)) return;
    ImGui::TableSetupScrollFreeze(0, 1);
    ImGui::TableSetupColumn("#", ImGuiTableColumnFlags_WidthFixed, 66);
    ImGui::TableSetupColumn(tr("Time", lang), ImGuiTableColumnFlags_WidthFixed, 70);
    ImGui::TableSetupColumn(tr("Connection", lang), ImGuiTableColumnFlags_WidthFixed, 40);
    ImGui::TableSetupColumn(tr("Kind", lang), ImGuiTableColumnFlags_WidthFixed, 60);
    ImGui::TableSetupColumn(tr("From", lang), ImGuiTableColumnFlags_WidthFixed, 130);
    ImGui::TableSetupColumn(tr("Text", lang), ImGuiTableColumnFlags_WidthStretch);
    ImGui::TableHeadersRow();
    std::int64_t t0 = model.empty() ? 0 : model.at(0).t_us;
    ImGuiListClipper clipper;
    clipper.Begin(static_cast<int>(shown));
    if (app.scroll_to_cursor)
        if (auto p = app.log_index.position_at_or_before(app.cursor))
            ImGui::SetScrollY(std::max(0.0f, static_cast<float>(*p) * ImGui::GetTextLineHeightWithSpacing() -
                                                 ImGui::GetWindowHeight() * 0.5f));
    while (clipper.Step()) {
        for (int r = clipper.DisplayStart; r < clipper.DisplayEnd; ++r) {
            std::size_t index = rows[static_cast<std::size_t>(r)];
            const event& e = model.at(index);
            ImGui::TableNextRow();
            // A teacher's note or bookmark: a mark after the seq and a warm tint on the row.
            const char* mark = "";
            for (const annotation* a : app.notes.on(e.seq)) {
                mark = a->type == annotation_type::note ? " ✎" : " ★";
                if (a->type == annotation_type::note) break;
            }
            // The followed mail's hops get the sequence diagram's gold edge, so the log shows
            // the same path (HTTP, submission, queue, relay, store, fetch) in order.
            bool followed = app.world.in_followed_mail(index);
            if (index == app.cursor)
                ImGui::TableSetBgColor(ImGuiTableBgTarget_RowBg1, IM_COL32(90, 90, 110, 255));
            else if (*mark)
                ImGui::TableSetBgColor(ImGuiTableBgTarget_RowBg1, IM_COL32(70, 60, 25, 255));
            else if (followed)
                ImGui::TableSetBgColor(ImGuiTableBgTarget_RowBg1, IM_COL32(60, 52, 20, 255));
            ImGui::PushStyleVar(ImGuiStyleVar_Alpha, app.alpha(index));
            ImGui::TableNextColumn();
            if (followed)
                ImGui::GetWindowDrawList()->AddRectFilled(
                    ImGui::GetCursorScreenPos(),
                    ImVec2(ImGui::GetCursorScreenPos().x + 3,
                           ImGui::GetCursorScreenPos().y + ImGui::GetTextLineHeight()),
                    IM_COL32(255, 200, 60, 255));
            bool selected = app.selected && *app.selected == index;
            std::string id = fmt::format("{}{}##row{}", e.seq, mark, index);
            if (ImGui::Selectable(id.c_str(), selected, ImGuiSelectableFlags_SpanAllColumns))
                app.select(index);
            ImGui::TableNextColumn();
            ImGui::Text("%.3f", static_cast<double>(e.t_us - t0) / 1e6);
            ImGui::TableNextColumn();
            if (e.conn) ImGui::Text("#%llu", static_cast<unsigned long long>(e.conn));
            ImGui::TableNextColumn();
            ImGui::TextColored(protocol_color_vec(e.proto), "%s", kind_symbol(e.kind));
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(e.from.c_str());
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(event_text(e, app.lang).c_str());
            ImGui::PopStyleVar();
        }
    }
    ImGui::EndTable();
}

}  // namespace maillab::gui
