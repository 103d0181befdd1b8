#include "gui/app.hpp"

#include <algorithm>

#include <imgui.h>

#include "gui/panels.hpp"
#include "gui/ui_text.hpp"

namespace maillab::gui {

void app_state::load(view::trace_model m, std::string name) {
    model = std::move(m);
    source = std::move(name);
    cursor = 0;
    selected = model.empty() ? std::nullopt : std::optional<std::size_t>(0);
    bookmarks.clear();
    playing = false;
    log_index = {};
    sequence_index = {};
    refresh_indexes();
}

void app_state::refresh_indexes() {
    log_filter.text = search;
    log_index.update(model, log_filter);
    if (sequence_index.update(model, view::event_filter{}))
        sequence = view::layout_sequence(model, sequence_index.indices());
}

void app_state::set_cursor(std::size_t index, bool also_select) {
    if (model.empty()) return;
    cursor = std::min(index, model.size() - 1);
    if (also_select) selected = cursor;
    scroll_to_cursor = true;
}

void app_state::select(std::size_t index) {
    if (index >= model.size()) return;
    // Selecting something in the future moves the lesson forward to it (selection is shared by
    // every panel).
    selected = index;
    if (index > cursor || future == future_mode::show) cursor = std::max(cursor, index);
    scroll_to_cursor = true;
}

void app_state::step(int direction) {
    set_cursor(view::step(model, cursor, direction, step_unit));
}

void handle_keys(app_state& app) {
    ImGuiIO& io = ImGui::GetIO();
    if (io.WantTextInput) return;
    if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Space))) app.playing = !app.playing;
    if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_RightArrow))) app.step(+1);
    if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_LeftArrow))) app.step(-1);
    if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Home))) app.set_cursor(0);
    if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_End)) && !app.model.empty())
        app.set_cursor(app.model.size() - 1);
}

void advance_playback(app_state& app, double seconds) {
    if (!app.playing || app.model.empty()) return;
    app.play_accumulator += seconds * app.speed * 2.0;  // two steps a second at 1x
    while (app.play_accumulator >= 1.0) {
        app.play_accumulator -= 1.0;
        std::size_t before = app.cursor;
        app.step(+1);
        if (app.cursor == before) {
            app.playing = false;
            app.play_accumulator = 0;
            break;
        }
    }
}

namespace {
// A fixed grid that fits a projector: timeline across the top, the diagram and log on the left,
// the inspector and state machines on the right.
void place(const char* name, float x, float y, float w, float h, bool fixed) {
    ImGuiCond cond = fixed ? ImGuiCond_Always : ImGuiCond_FirstUseEver;
    ImGui::SetNextWindowPos(ImVec2(x, y), cond);
    ImGui::SetNextWindowSize(ImVec2(w, h), cond);
    (void)name;
}
}  // namespace

void draw_app(app_state& app, float width, float height) {
    app.refresh_indexes();
    ImGui::PushFont(app.presentation ? app.font.ui_large : app.font.ui);
    if (app.presentation) {
        ImGui::PushStyleColor(ImGuiCol_WindowBg, IM_COL32(0, 0, 0, 255));
        ImGui::PushStyleColor(ImGuiCol_Text, IM_COL32(255, 255, 255, 255));
    }
    language lang = app.lang;
    float timeline_h = app.presentation ? 150.0f : 112.0f;
    float left_w = width * 0.58f;
    float body_h = height - timeline_h;

    place("timeline", 0, 0, width, timeline_h, app.fixed_layout);
    std::string title = std::string(tr("Timeline", lang)) + "###timeline";
    if (ImGui::Begin(title.c_str(), nullptr, ImGuiWindowFlags_NoCollapse)) draw_timeline(app);
    ImGui::End();

    place("sequence", 0, timeline_h, left_w, body_h * 0.62f, app.fixed_layout);
    title = std::string(tr("Sequence diagram", lang)) + "###sequence";
    if (ImGui::Begin(title.c_str(), nullptr, ImGuiWindowFlags_NoCollapse)) draw_sequence(app);
    ImGui::End();

    place("log", 0, timeline_h + body_h * 0.62f, left_w, body_h * 0.38f, app.fixed_layout);
    title = std::string(tr("Event log", lang)) + "###log";
    if (ImGui::Begin(title.c_str(), nullptr, ImGuiWindowFlags_NoCollapse)) draw_event_log(app);
    ImGui::End();

    place("inspector", left_w, timeline_h, width - left_w, body_h * 0.55f, app.fixed_layout);
    title = std::string(tr("Inspector", lang)) + "###inspector";
    if (ImGui::Begin(title.c_str(), nullptr, ImGuiWindowFlags_NoCollapse)) draw_inspector(app);
    ImGui::End();

    place("states", left_w, timeline_h + body_h * 0.55f, width - left_w, body_h * 0.45f,
          app.fixed_layout);
    title = std::string(tr("State machines", lang)) + "###states";
    if (ImGui::Begin(title.c_str(), nullptr, ImGuiWindowFlags_NoCollapse)) draw_state_machines(app);
    ImGui::End();

    if (app.open_dialog) draw_open_dialog(app);
    if (app.presentation) ImGui::PopStyleColor(2);
    ImGui::PopFont();
    app.scroll_to_cursor = false;
}

}  // namespace maillab::gui
