// Timeline: playback, stepping by event / command-reply pair / connection, the scrubber with a
// tick per event coloured by protocol, bookmarks, the future-events mode, language and
// presentation switches.

#include <algorithm>

#include <fmt/format.h>
#include <imgui.h>

#include "gui/colors.hpp"
#include "gui/panels.hpp"
#include "gui/ui_text.hpp"

namespace maillab::gui {

namespace {

// The live line: a red dot and what students connect to, the follow switch, and any problem
// (waiting for the attached file, a damaged line, servers that stopped).
void draw_live_line(app_state& app) {
    language lang = app.lang;
    const live_status& live = app.live;
    ImVec4 red(0.95f, 0.25f, 0.2f, 1.0f);
    ImGui::TextColored(red, "●");
    ImGui::SameLine();
    ImGui::TextColored(red, "%s",
                       live.mode == live_status::source::serve    ? tr("LIVE", lang)
                       : live.mode == live_status::source::merged ? tr("MERGED", lang)
                                                                  : tr("ATTACHED", lang));
    ImGui::SameLine();
    if (live.follow.following()) {
        ImGui::BeginDisabled();
        ImGui::Button(tr("Following the newest event", lang));
        ImGui::EndDisabled();
    } else if (ImGui::Button(tr("Follow (End)", lang))) {
        app.follow_live();
    }
    ImGui::SameLine();
    if (live.mode == live_status::source::serve) {
        ImGui::TextUnformatted(tr("Connect to:", lang));
        ImGui::SameLine();
    } else if (live.mode == live_status::source::merged) {
        ImGui::TextUnformatted(tr("Sources:", lang));
        ImGui::SameLine();
    }
    // As many addresses as fit (a scenario has one per host and service); the rest in the
    // tooltip, and all of them in the terminal.
    float room = ImGui::GetContentRegionAvail().x - (live.message.empty() ? 0.0f : 320.0f);
    std::string where;
    std::size_t shown = 0;
    for (const auto& a : live.addresses) {
        std::string next = where + (where.empty() ? "" : "  ·  ") + a;
        std::string more = fmt::format("  ·  +{} (…)", live.addresses.size() - shown - 1);
        if (shown > 0 && ImGui::CalcTextSize((next + more).c_str()).x > room) break;
        where = std::move(next);
        ++shown;
    }
    if (shown < live.addresses.size())
        where += fmt::format("  ·  +{} (…)", live.addresses.size() - shown);
    ImGui::TextUnformatted(where.c_str());
    if (ImGui::IsItemHovered() && live.addresses.size() > 1) {
        std::string all;
        for (const auto& a : live.addresses) all += a + "\n";
        ImGui::SetTooltip("%s", all.c_str());
    }
    if (!live.message.empty()) {
        ImGui::SameLine();
        ImGui::TextColored(live.message_is_error ? red : ImVec4(1.0f, 0.65f, 0.2f, 1.0f), "%s",
                           live.message.c_str());
    }
}

}  // namespace

void draw_timeline(app_state& app) {
    language lang = app.lang;
    const auto& model = app.model;
    std::size_t n = model.size();
    if (app.live.active()) draw_live_line(app);

    if (ImGui::Button(tr("Start", lang))) app.set_cursor(0);
    ImGui::SameLine();
    if (ImGui::Button(tr("Back", lang))) app.step(-1);
    ImGui::SameLine();
    if (ImGui::Button(app.playing ? tr("Pause", lang) : tr("Play", lang)))
        app.playing = !app.playing;
    ImGui::SameLine();
    if (ImGui::Button(tr("Forward", lang))) app.step(+1);
    ImGui::SameLine();
    if (ImGui::Button(tr("End", lang)) && n) {
        if (app.live.active()) app.follow_live();
        else app.set_cursor(n - 1);
    }
    ImGui::SameLine();
    ImGui::SetNextItemWidth(90);
    ImGui::SliderFloat(tr("Speed", lang), &app.speed, 0.25f, 8.0f, "%.2fx");
    ImGui::SameLine();
    ImGui::TextUnformatted(tr("Step", lang));
    ImGui::SameLine();
    int unit = static_cast<int>(app.step_unit);
    ImGui::RadioButton(tr("event", lang), &unit, 0);
    ImGui::SameLine();
    ImGui::RadioButton(tr("command/reply", lang), &unit, 1);
    ImGui::SameLine();
    ImGui::RadioButton(tr("connection", lang), &unit, 2);
    app.step_unit = static_cast<view::step_unit>(unit);
    ImGui::SameLine();
    ImGui::TextUnformatted("|");
    ImGui::SameLine();
    ImGui::TextUnformatted(tr("Future events", lang));
    ImGui::SameLine();
    int fut = static_cast<int>(app.future);
    ImGui::RadioButton(tr("show", lang), &fut, 0);
    ImGui::SameLine();
    ImGui::RadioButton(tr("dim", lang), &fut, 1);
    ImGui::SameLine();
    ImGui::RadioButton(tr("hide", lang), &fut, 2);
    app.future = static_cast<future_mode>(fut);

    // Second row: position, bookmarks, language, presentation, open.
    if (n) {
        const event& e = model.at(app.cursor);
        ImGui::Text("%s %zu / %zu  (seq %llu)", tr("Cursor", lang), app.cursor + 1, n,
                    static_cast<unsigned long long>(e.seq));
    } else {
        ImGui::TextUnformatted(app.live.active() ? tr("No event yet: waiting for a client", lang)
                                                 : tr("File not loaded", lang));
    }
    ImGui::SameLine();
    bool marked = app.bookmarks.count(app.cursor) > 0;
    if (ImGui::Button(marked ? "★" : "☆")) {
        if (marked) app.bookmarks.erase(app.cursor);
        else app.bookmarks.insert(app.cursor);
    }
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", tr("Bookmark", lang));
    for (std::size_t b : app.bookmarks) {
        ImGui::SameLine();
        std::string label = fmt::format("#{}##bm{}", model.at(b).seq, b);
        if (ImGui::SmallButton(label.c_str())) app.set_cursor(b);
        // A bookmark saved in the recording has a name (`maillab annotate --bookmark NAME`).
        for (const annotation* a : app.notes.on(model.at(b).seq))
            if (a->type == annotation_type::bookmark && ImGui::IsItemHovered())
                ImGui::SetTooltip("%s", a->name.c_str());
    }
    ImGui::SameLine();
    ImGui::TextUnformatted("|");
    ImGui::SameLine();
    int l = app.lang == language::zh ? 1 : 0;
    ImGui::RadioButton("English", &l, 0);
    ImGui::SameLine();
    ImGui::RadioButton("中文", &l, 1);
    app.lang = l ? language::zh : language::en;
    ImGui::SameLine();
    ImGui::Checkbox(tr("Presentation mode", lang), &app.presentation);
    ImGui::SameLine();
    if (ImGui::Button(tr("Open trace...", lang))) app.open_dialog = true;
    ImGui::SameLine();
    // Labs are opened from the same dialog; this one starts in the labs folder when there is one.
    if (ImGui::Button(tr("Open lab...", lang))) {
        app.open_dialog = true;
        app.open_dialog_labs = true;
    }
    ImGui::SameLine();
    ImGui::TextDisabled("%s", app.source.c_str());
    if (!app.load_warning.empty()) {
        ImGui::SameLine();
        ImGui::TextColored(ImVec4(1.0f, 0.65f, 0.2f, 1.0f), "%s", app.load_warning.c_str());
    }

    // The scrubber: one tick per event, coloured by protocol; click or drag to move the cursor.
    ImVec2 pos = ImGui::GetCursorScreenPos();
    float width = ImGui::GetContentRegionAvail().x;
    float height = app.presentation ? 26.0f : 18.0f;
    ImDrawList* draw = ImGui::GetWindowDrawList();
    draw->AddRectFilled(pos, ImVec2(pos.x + width, pos.y + height), IM_COL32(30, 30, 35, 255));
    if (n > 0) {
        // At most one tick per pixel column: a million events cost `width` draws.
        std::size_t columns = std::max<std::size_t>(static_cast<std::size_t>(width), 1);
        std::size_t ticks = std::min(n, columns);
        for (std::size_t t = 0; t < ticks; ++t) {
            std::size_t i = t * n / ticks;
            float x = pos.x + width * (static_cast<float>(t) + 0.5f) / static_cast<float>(ticks);
            draw->AddLine(ImVec2(x, pos.y + 3), ImVec2(x, pos.y + height - 3),
                          protocol_color(model.at(i).proto), n < columns ? 2.0f : 1.0f);
        }
        for (std::size_t b : app.bookmarks) {
            float x = pos.x + width * static_cast<float>(b) / static_cast<float>(n);
            draw->AddTriangleFilled(ImVec2(x - 4, pos.y), ImVec2(x + 4, pos.y),
                                    ImVec2(x, pos.y + 6), IM_COL32(255, 215, 0, 255));
        }
        float cx = pos.x + width * (static_cast<float>(app.cursor) + 0.5f) / static_cast<float>(n);
        draw->AddRectFilled(ImVec2(cx - 2, pos.y - 1), ImVec2(cx + 2, pos.y + height + 1),
                            IM_COL32(255, 255, 255, 255));
    }
    ImGui::InvisibleButton("##scrubber", ImVec2(width, height));
    if (ImGui::IsItemActive() && n > 0) {
        float t = (ImGui::GetIO().MousePos.x - pos.x) / width;
        t = std::clamp(t, 0.0f, 1.0f);
        app.set_cursor(static_cast<std::size_t>(t * static_cast<float>(n - 1) + 0.5f));
    }
}

}  // namespace maillab::gui
