// State machines: each described machine (sim/core/state_machine) drawn as nodes and edges from
// the same table the engine follows; for the selected event's connection the current state is
// lit and the last transition highlighted. Machines without a description are listed as text.
// When the trace has a relay queue, its entries are drawn below as a machine of their own
// (queued -> trying MX -> deferred -> delivered / bounced, sim/view/relay_queue) with the table
// of entries at the cursor.

#include <fmt/format.h>
#include <imgui.h>

#include <algorithm>

#include "gui/colors.hpp"
#include "gui/machine_diagram.hpp"
#include "gui/panels.hpp"
#include "gui/ui_text.hpp"
#include "sim/core/event_fields.hpp"
#include "sim/view/machine_status.hpp"

namespace maillab::gui {
namespace {

// `compact`: the relay queue shares the panel, so the diagram takes the height there is and the
// list of other machines follows below it (scrolled to).
void draw_connection_machines(app_state& app, bool compact) {
    language lang = app.lang;
    // The machine of the selected event's connection, at the cursor (or the selection, when it
    // is further on).
    std::size_t at = app.cursor;
    std::uint64_t conn = 0;
    if (app.selected) {
        conn = app.model.at(*app.selected).conn;
        at = std::max(at, *app.selected);
    }
    // Asked every frame: the tracker answers from its last answer (view/machine_status.hpp).
    static view::machine_tracker tracker;
    const auto& machines = tracker.at(app.model, at);
    if (machines.empty()) {
        ImGui::TextDisabled("%s", tr("No state machine has moved yet.", lang));
        return;
    }
    // A selected state change shows its own machine (a client's too); otherwise the selected
    // connection's server machine, else its client's; otherwise the first server that moved.
    const view::machine_status* shown = nullptr;
    std::string selected_machine;
    std::string selected_host;
    if (app.selected && app.model.at(*app.selected).kind == event_kind::state) {
        selected_machine = text_field(app.model.at(*app.selected), "machine");
        selected_host = app.model.at(*app.selected).from;
    }
    auto is_server = [](const view::machine_status& m) { return m.spec->commands_allowed != nullptr; };
    auto last_that = [&](auto&& wanted) -> const view::machine_status* {
        const view::machine_status* found = nullptr;
        for (const auto& m : machines)
            if (m.spec && wanted(m)) found = &m;
        return found;
    };
    auto first_that = [&](auto&& wanted) -> const view::machine_status* {
        for (const auto& m : machines)
            if (m.spec && wanted(m)) return &m;
        return nullptr;
    };
    shown = last_that([&](const auto& m) {
        return m.conn == conn && m.machine == selected_machine && m.host == selected_host;
    });
    if (!shown) shown = last_that([&](const auto& m) { return m.conn == conn && is_server(m); });
    if (!shown) shown = last_that([&](const auto& m) { return m.conn == conn; });
    if (!shown) shown = first_that(is_server);
    if (!shown) shown = first_that([](const auto&) { return true; });

    if (shown) {
        ImGui::TextColored(protocol_color_vec(shown->machine.substr(0, shown->machine.find('.'))),
                           "%s  %s #%llu  (%s)", std::string(shown->spec->title).c_str(),
                           tr("connection", lang), static_cast<unsigned long long>(shown->conn),
                           shown->host.c_str());
        ImGui::Text("%s: %s    %s: %s → %s", tr("Current state", lang), shown->current.c_str(),
                    tr("Last transition", lang), shown->previous.c_str(), shown->current.c_str());
        float list_lines =
            compact ? 0.3f : static_cast<float>(std::min<std::size_t>(machines.size(), 4) + 1);
        // A machine of many rows (the SMTP client's) takes the height its states need to stay
        // readable, up to the whole panel: the list of machines below it then scrolls.
        float rows = 1;
        for (const auto& cell : shown->spec->grid) rows = std::max(rows, cell.second + 1);
        float avail = ImGui::GetContentRegionAvail().y;
        float line = ImGui::GetTextLineHeightWithSpacing();
        float h = std::max({avail - line * list_lines, compact ? 100.0f : 160.0f,
                            std::min(rows * ImGui::GetFontSize() * 3.0f, avail - line * 0.5f)});
        draw_machine(*shown->spec, shown->current, shown->previous, h, app.presentation);
    }
    // Every machine that has moved, one line each; select one of its state changes to draw it.
    // A big trace has tens of thousands: only the lines in view are drawn.
    // The line list leaves out the machine drawn above: row r is machine r, or r + 1 from it on.
    std::size_t skipped = shown ? static_cast<std::size_t>(shown - machines.data()) : machines.size();
    std::size_t lines = machines.size() - (shown ? 1 : 0);
    ImGuiListClipper clipper;
    clipper.Begin(static_cast<int>(lines));
    while (clipper.Step()) {
        for (int r = clipper.DisplayStart; r < clipper.DisplayEnd; ++r) {
            std::size_t i = static_cast<std::size_t>(r);
            const auto& m = machines[i < skipped ? i : i + 1];
            std::string line =
                fmt::format("{} #{} ({}): {} → {}", m.machine, m.conn, m.host, m.previous, m.current);
            if (ImGui::Selectable(line.c_str(), false)) app.select(m.last_event_index);
        }
    }
}

// The relay queue: the entry of the selected queue event (or the one chosen in the table, or the
// last that changed) on the machine, and every entry at the cursor in a table.
void draw_relay_queue(app_state& app) {
    language lang = app.lang;
    world_views& w = app.world;
    const auto& entries = w.queue(app.model, app.cursor);
    if (entries.empty()) {
        ImGui::TextDisabled("%s", tr("Relay queue: empty so far.", lang));
        return;
    }
    const view::queue_entry* shown = nullptr;
    if (app.selected && *app.selected <= app.cursor) {
        const event& e = app.model.at(*app.selected);
        if (e.kind == event_kind::queue)
            for (const auto& q : entries)
                if (q.host == e.from && q.queue_id == count_field(e, "queue_id"))
                    shown = &q;
    }
    if (!shown && w.queue_entry)
        for (const auto& q : entries)
            if (q.host == w.queue_entry->first && q.queue_id == w.queue_entry->second) shown = &q;
    if (!shown)
        for (const auto& q : entries)
            if (!shown || q.last_event > shown->last_event) shown = &q;

    ImGui::TextColored(protocol_color_vec("smtp"), "%s %s  —  %s %llu (%s): %s",
                       tr("Relay queue of", lang), shown->host.c_str(), tr("entry", lang),
                       static_cast<unsigned long long>(shown->queue_id), shown->domain.c_str(),
                       shown->state.c_str());
    if (!shown->trigger.empty()) {
        ImGui::SameLine();
        ImGui::TextDisabled("(%s)", shown->trigger.c_str());
    }
    ImVec2 avail = ImGui::GetContentRegionAvail();
    ImGui::BeginChild("##queue_machine", ImVec2(avail.x * 0.56f, avail.y), false);
    draw_machine(view::queue_machine(), shown->state, shown->previous,
                 ImGui::GetContentRegionAvail().y, app.presentation);
    ImGui::EndChild();
    ImGui::SameLine();
    ImGuiTableFlags flags =
        ImGuiTableFlags_ScrollY | ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV;
    if (!ImGui::BeginTable("##queue_entries", 4, flags, ImVec2(0, avail.y))) return;
    ImGui::TableSetupScrollFreeze(0, 1);
    ImGui::TableSetupColumn("#", ImGuiTableColumnFlags_WidthFixed, ImGui::GetFontSize() * 1.5f);
    ImGui::TableSetupColumn(tr("domain", lang), ImGuiTableColumnFlags_WidthStretch);
    ImGui::TableSetupColumn(tr("state", lang), ImGuiTableColumnFlags_WidthStretch);
    ImGui::TableSetupColumn(tr("tries", lang), ImGuiTableColumnFlags_WidthFixed,
                            ImGui::GetFontSize() * 2.2f);
    ImGui::TableHeadersRow();
    // A big run queues thousands of entries: only the rows in view are drawn.
    ImGuiListClipper clipper;
    clipper.Begin(static_cast<int>(entries.size()));
    while (clipper.Step()) {
        for (int r = clipper.DisplayStart; r < clipper.DisplayEnd; ++r) {
            const auto& q = entries[static_cast<std::size_t>(r)];
            ImGui::TableNextRow();
            ImGui::TableNextColumn();
            std::string id = fmt::format("{}##q{}{}", q.queue_id, q.host, q.queue_id);
            if (ImGui::Selectable(id.c_str(), &q == shown, ImGuiSelectableFlags_SpanAllColumns)) {
                w.queue_entry = std::make_pair(q.host, q.queue_id);
                app.select(q.last_event);
            }
            if (ImGui::IsItemHovered())
                ImGui::SetTooltip("%s\n%s%s%s", q.message_id.c_str(), q.mx.empty() ? "" : "MX ",
                                  q.mx.c_str(),
                                  q.last_error.empty() ? "" : ("\n" + q.last_error).c_str());
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(q.domain.c_str());
            ImGui::TableNextColumn();
            ImVec4 colour = q.state == "delivered"  ? ImVec4(0.45f, 0.85f, 0.5f, 1)
                            : q.state == "bounced"  ? ImVec4(0.95f, 0.45f, 0.4f, 1)
                            : q.state == "deferred" ? ImVec4(0.95f, 0.7f, 0.3f, 1)
                                                    : ImVec4(0.8f, 0.8f, 0.85f, 1);
            ImGui::TextColored(colour, "%s%s", q.state.c_str(), q.removed ? tr(" (done)", lang) : "");
            ImGui::TableNextColumn();
            ImGui::Text("%d", q.attempt);
        }
    }
    ImGui::EndTable();
}

}  // namespace

void draw_state_machines(app_state& app) {
    if (app.model.empty()) return;
    if (!app.world.has_queue(app.model)) {
        draw_connection_machines(app, false);
        return;
    }
    // Both: the connection's machine above, the relay queue below.
    float h = ImGui::GetContentRegionAvail().y;
    ImGui::BeginChild("##connection_machines", ImVec2(0, h * 0.52f), false);
    draw_connection_machines(app, true);
    ImGui::EndChild();
    ImGui::Separator();
    ImGui::BeginChild("##relay_queue", ImVec2(0, 0), false);
    draw_relay_queue(app);
    ImGui::EndChild();
}

}  // namespace maillab::gui
