#include "gui/app.hpp"

#include <algorithm>
#include <cstdio>

#include <imgui.h>

#include "gui/panels.hpp"
#include "gui/ui_text.hpp"
#include "sim/record/annotation_file.hpp"

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
    world.reset();
    load_warning.clear();
    annotations_file.clear();
    set_annotations({});
    note_draft[0] = '\0';
    note_status.clear();
    // A branch belongs to the trace it was made from.
    scenario_path.clear();
    what_if = {};
    refresh_indexes();
}

void app_state::load(trace_file f, std::string name, bool recording) {
    std::vector<annotation> list = std::move(f.annotations);
    std::string warnings;
    for (const auto& w : f.warnings) warnings += (warnings.empty() ? "" : "  ") + w;
    load(view::trace_model(std::move(f.header), std::move(f.events)), std::move(name));
    load_warning = std::move(warnings);
    if (recording) annotations_file = source;
    else scenario_path = source;  // a scenario that was run: What if can run it again
    set_annotations(std::move(list));
}

void app_state::set_annotations(std::vector<annotation> list) {
    annotations = std::move(list);
    notes = annotation_index(annotations);
    // The file's bookmarks join the ones set in this session (the timeline shows both).
    for (const auto& a : annotations)
        if (a.type == annotation_type::bookmark && a.seq)
            if (auto i = model.index_of_seq(*a.seq)) bookmarks.insert(*i);
}

void app_state::save_note() {
    if (!selected || *selected >= model.size() || annotations_file.empty()) return;
    annotation a;
    a.type = annotation_type::note;
    a.seq = model.at(*selected).seq;
    a.text = note_draft;
    // Trailing blank lines from the text box are not part of the note.
    while (!a.text.empty() && (a.text.back() == '\n' || a.text.back() == ' '))
        a.text.pop_back();
    if (a.text.empty()) return;
    try {
        annotation_change c = add_annotation(annotations_file, std::move(a));
        set_annotations(std::move(c.annotations));
        note_draft[0] = '\0';
        note_status = std::string(tr("Saved in", lang)) + " " + annotations_file;
        note_status_error = false;
    } catch (const std::exception& err) {
        // The draft stays in the box, so nothing the teacher typed is lost.
        note_status = err.what();
        note_status_error = true;
    }
}

void app_state::remove_note(std::uint64_t id) {
    if (annotations_file.empty()) return;
    try {
        annotation_change c = remove_annotation(annotations_file, id);
        set_annotations(std::move(c.annotations));
        note_status = std::string(tr("Saved in", lang)) + " " + annotations_file;
        note_status_error = false;
    } catch (const std::exception& err) {
        note_status = err.what();
        note_status_error = true;
    }
}

void app_state::apply_view(const annotation& v) {
    log_filter = v.filter;
    std::snprintf(search, sizeof search, "%s", v.filter.text.c_str());
    if (v.seq)
        if (auto i = model.index_of_seq(*v.seq)) set_cursor(*i);
    refresh_indexes();
}

void app_state::refresh_indexes() {
    log_filter.text = search;
    log_index.update(model, log_filter);
    std::size_t before = sequence_index.indices().size();
    if (sequence_index.update(model, view::event_filter{})) {
        // A live trace only grows: lay out the new rows (hosts seen for the first time become
        // new lanes on the right, so the rows already there keep theirs).
        if (before > 0 && sequence_index.indices().size() > before)
            view::extend_sequence(sequence, model, sequence_index.indices(), before);
        else
            sequence = view::layout_sequence(model, sequence_index.indices());
    }
}

void app_state::append_live(std::vector<event> events) {
    if (events.empty()) return;
    bool was_empty = model.empty();
    live.follow.observe(cursor, model.size());  // moved away since the last frame?
    for (auto& e : events) model.append(std::move(e));
    if (auto newest = live.follow.on_growth(model.size())) set_cursor(*newest);
    else if (was_empty) selected = 0;
}

void app_state::follow_live() {
    if (auto newest = live.follow.resume(model.size())) set_cursor(*newest);
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
    if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_End)) && !app.model.empty()) {
        if (app.live.active()) app.follow_live();
        else app.set_cursor(app.model.size() - 1);
    }
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
    if (app.live.active()) timeline_h += app.presentation ? 40.0f : 26.0f;  // the live line
    // The teacher stepped back from the newest event: stop following until End.
    app.live.follow.observe(app.cursor, app.model.size());
    // A lab takes a column on the right, the full height below the timeline; the other panels
    // share what is left, in the same proportions.
    float lab_w = app.lab ? width * 0.36f : 0.0f;
    width -= lab_w;
    float left_w = width * 0.58f;
    float body_h = height - timeline_h;

    place("timeline", 0, 0, width + lab_w, timeline_h, app.fixed_layout);
    std::string title = std::string(tr("Timeline", lang)) + "###timeline";
    if (ImGui::Begin(title.c_str(), nullptr, ImGuiWindowFlags_NoCollapse)) draw_timeline(app);
    ImGui::End();

    place("sequence", 0, timeline_h, left_w, body_h * 0.62f, app.fixed_layout);
    // The main view area: the sequence diagram and the whole-world views as tabs.
    title = std::string(tr(main_view_title(app.world.view), lang)) + "###sequence";
    if (ImGui::Begin(title.c_str(), nullptr, ImGuiWindowFlags_NoCollapse)) draw_views(app);
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

    if (app.lab) {
        place("lab", width, timeline_h, lab_w, body_h, app.fixed_layout);
        title = std::string(tr("Lab", lang)) + "###lab";
        if (ImGui::Begin(title.c_str(), nullptr, ImGuiWindowFlags_NoCollapse)) draw_lab(app);
        ImGui::End();
    }

    if (app.open_dialog) draw_open_dialog(app);
    if (app.presentation) ImGui::PopStyleColor(2);
    ImGui::PopFont();
    app.scroll_to_cursor = false;
}

}  // namespace maillab::gui
