// The Lab panel: the step's instructions (Markdown, in the GUI's language), its checkpoints
// lighting up green as they pass, the questions with their explanation once answered, the
// hints after failed checks, and a terminal with one input line: the student is the client, and
// what they type goes to the lab's simulated server through sim/lab/lab_runner. The other
// panels follow the same trace (lab_feed.cpp), so the sequence diagram, log, states and
// mailboxes move as the student types.

#include <string>

#include <fmt/format.h>
#include <imgui.h>

#include "gui/lab_state.hpp"
#include "gui/markdown_view.hpp"
#include "gui/panels.hpp"
#include "gui/ui_text.hpp"

namespace maillab::gui {
namespace {

using lab::lab_runner;
using lab::question;
using lab::question_kind;
using lab::step;
using world::bilingual;
using lab::runner_line;

const ImVec4 green(0.30f, 0.85f, 0.40f, 1.0f);
const ImVec4 red(0.95f, 0.40f, 0.35f, 1.0f);
const ImVec4 amber(1.0f, 0.75f, 0.30f, 1.0f);
const ImVec4 grey(0.60f, 0.60f, 0.65f, 1.0f);

const std::string& pick(const bilingual& b, language lang) { return lang == language::zh ? b.zh : b.en; }

// A square that is green when the checkpoint holds: what the class sees light up.
void status_square(bool passed, float size) {
    ImVec2 at = ImGui::GetCursorScreenPos();
    float pad = 3.0f;
    ImGui::GetWindowDrawList()->AddRectFilled(ImVec2(at.x, at.y + pad), ImVec2(at.x + size, at.y + pad + size),
                                              passed ? IM_COL32(60, 205, 90, 255) : IM_COL32(70, 70, 80, 255),
                                              2.0f);
    ImGui::Dummy(ImVec2(size + 6.0f, size + pad));
    ImGui::SameLine();
}

void draw_checkpoints(app_state& app, lab_panel_state& lab) {
    language lang = app.lang;
    const lab_runner& r = *lab.runner;
    const step& st = r.shown_step();
    if (st.checkpoints.empty()) return;
    ImGui::TextColored(grey, "%s", tr("Checkpoints", lang));
    float square = app.presentation ? 20.0f : 14.0f;
    bool finished = r.current_phase() == lab_runner::phase::finished;
    for (std::size_t i = 0; i < st.checkpoints.size(); ++i) {
        bool passed;
        if (finished) {
            const auto& rec = r.session().records()[r.step_index()];
            passed = i < rec.checkpoints.size() && rec.checkpoints[i].passed;
        } else {
            passed = i < r.passing().size() && r.passing()[i];
        }
        status_square(passed, square);
        ImGui::PushStyleColor(ImGuiCol_Text, passed ? green : ImGui::GetStyleColorVec4(ImGuiCol_Text));
        ImGui::TextWrapped("%s", pick(st.checkpoints[i].title, lang).c_str());
        ImGui::PopStyleColor();
    }
}

void draw_questions(app_state& app, lab_panel_state& lab) {
    language lang = app.lang;
    lab_runner& r = *lab.runner;
    if (r.questions().empty()) return;
    ImGui::TextColored(grey, "%s", tr("Questions", lang));
    for (std::size_t i = 0; i < r.questions().size(); ++i) {
        const auto& rq = r.questions()[i];
        const question& q = *rq.q;
        ImGui::PushID(static_cast<int>(i));
        bool pending = r.pending_question() == &q && i + 1 == r.questions().size();
        ImGui::TextColored(rq.right ? green : pending ? amber : grey, "%s", rq.right ? "✓" : pending ? "?" : "·");
        ImGui::SameLine();
        ImGui::TextWrapped("%s", pick(q.prompt, lang).c_str());
        if (pending && (q.kind == question_kind::multiple_choice || q.kind == question_kind::choose_state)) {
            for (const auto& [id, text] : q.choices) {
                std::string label = q.kind == question_kind::multiple_choice
                                        ? fmt::format("{}) {}", id, pick(text, lang))
                                        : text.en;
                if (ImGui::Button(label.c_str())) {
                    enter_lab_line(app, id);
                    lab.focus_input = true;
                }
                if (q.kind == question_kind::choose_state) ImGui::SameLine();
            }
            if (q.kind == question_kind::choose_state) ImGui::NewLine();
        } else if (pending) {
            ImGui::TextDisabled("%s", tr("Type your answer below, then Enter.", lang));
        }
        if (!rq.answers.empty()) {
            std::string given;
            for (const auto& a : rq.answers) given += (given.empty() ? "" : ", ") + a;
            ImGui::TextDisabled("%s: %s", tr("your answers", lang), given.c_str());
        }
        if (rq.right) {
            ImGui::PushStyleColor(ImGuiCol_Text, green);
            ImGui::TextWrapped("%s", pick(q.explanation, lang).c_str());
            ImGui::PopStyleColor();
        } else if (rq.given_up) {
            ImGui::TextDisabled("%s", tr("skipped", lang));
        }
        if (pending && ImGui::SmallButton(tr("Give up", lang))) enter_lab_line(app, ":skip");
        ImGui::PopID();
    }
}

ImVec4 line_colour(runner_line::kind k) {
    switch (k) {
        case runner_line::kind::heading: return ImVec4(0.55f, 0.85f, 1.0f, 1.0f);
        case runner_line::kind::typed: return ImVec4(0.55f, 0.70f, 1.0f, 1.0f);
        case runner_line::kind::passed:
        case runner_line::kind::right: return green;
        case runner_line::kind::failed:
        case runner_line::kind::wrong: return red;
        case runner_line::kind::hint:
        case runner_line::kind::question: return amber;
        case runner_line::kind::transcript: return ImVec4(0.85f, 0.85f, 0.85f, 1.0f);
        case runner_line::kind::info: return grey;
    }
    return grey;
}

int input_history(ImGuiInputTextCallbackData* data) {
    auto& lab = *static_cast<lab_panel_state*>(data->UserData);
    if (data->EventFlag != ImGuiInputTextFlags_CallbackHistory || lab.history.empty()) return 0;
    int n = static_cast<int>(lab.history.size());
    if (data->EventKey == ImGuiKey_UpArrow) lab.history_pos = lab.history_pos < 0 ? n - 1 : std::max(0, lab.history_pos - 1);
    else if (data->EventKey == ImGuiKey_DownArrow && lab.history_pos >= 0) lab.history_pos = lab.history_pos + 1 < n ? lab.history_pos + 1 : -1;
    data->DeleteChars(0, data->BufTextLen);
    if (lab.history_pos >= 0) data->InsertChars(0, lab.history[static_cast<std::size_t>(lab.history_pos)].c_str());
    return 0;
}

void draw_terminal(app_state& app, lab_panel_state& lab, float height) {
    language lang = app.lang;
    ImGui::PushStyleColor(ImGuiCol_ChildBg, IM_COL32(12, 12, 16, 255));
    ImGui::BeginChild("##terminal", ImVec2(0, height), true);
    ImGui::PushFont(app.presentation ? app.font.mono_large : app.font.mono);
    ImGui::PushTextWrapPos(0.0f);  // long replies and explanations wrap at the panel's edge
    const auto& lines = lab.runner->lines();
    for (const auto& l : lines) {
        ImGui::PushStyleColor(ImGuiCol_Text, line_colour(l.what));
        ImGui::TextUnformatted(pick(l.text, lang).c_str());
        ImGui::PopStyleColor();
    }
    if (lab.lines_drawn != lines.size()) {
        ImGui::SetScrollHereY(1.0f);
        lab.lines_drawn = lines.size();
    }
    ImGui::PopTextWrapPos();
    ImGui::PopFont();
    ImGui::EndChild();
    ImGui::PopStyleColor();

    lab_runner& r = *lab.runner;
    if (r.current_phase() == lab_runner::phase::finished) {
        ImGui::TextColored(green, "%s", tr("Lab finished.", lang));
        return;
    }
    ImGui::PushFont(app.presentation ? app.font.mono_large : app.font.mono);
    ImGui::TextUnformatted(r.prompt().c_str());
    ImGui::SameLine();
    ImGui::SetNextItemWidth(-1.0f);
    if (lab.focus_input) {
        ImGui::SetKeyboardFocusHere();
        lab.focus_input = false;
    }
    if (ImGui::InputText("##lab-input", lab.input, sizeof lab.input,
                         ImGuiInputTextFlags_EnterReturnsTrue | ImGuiInputTextFlags_CallbackHistory, input_history,
                         &lab)) {
        std::string line = lab.input;
        lab.input[0] = '\0';
        enter_lab_line(app, line);
        lab.focus_input = true;  // Enter leaves the box; the next line goes in the same place
    }
    ImGui::PopFont();
    bool acting = r.current_phase() == lab_runner::phase::acting;
    if (!acting) ImGui::BeginDisabled();
    if (ImGui::Button(tr("Check", lang))) enter_lab_line(app, ":check");
    ImGui::SameLine();
    if (ImGui::Button(tr("Done, next step", lang))) enter_lab_line(app, ":done");
    ImGui::SameLine();
    if (ImGui::Button(tr("Retry step", lang))) enter_lab_line(app, ":retry");
    ImGui::SameLine();
    if (ImGui::Button(tr("Skip step", lang))) enter_lab_line(app, ":skip");
    if (!acting) ImGui::EndDisabled();
}

}  // namespace

void draw_lab(app_state& app) {
    if (!app.lab) return;
    lab_panel_state& lab = *app.lab;
    language lang = app.lang;
    const lab_runner& r = *lab.runner;
    const lab::lab_spec& l = *lab.spec;
    const step& st = r.shown_step();
    ImGui::TextColored(amber, "%s", pick(l.title, lang).c_str());
    ImGui::Text("%s %zu / %zu: %s", tr("Step", lang), r.step_index() + 1, l.steps.size(), pick(st.title, lang).c_str());
    ImGui::Separator();

    float avail = ImGui::GetContentRegionAvail().y;
    float row = ImGui::GetFrameHeightWithSpacing();
    float terminal_h = avail * 0.40f;
    float upper_h = avail - terminal_h - 2.5f * row;
    ImGui::BeginChild("##lab-step", ImVec2(0, upper_h), false);
    if (r.step_index() == 0 && !l.goals.empty() && ImGui::CollapsingHeader(tr("Goals", lang))) {
        for (const auto& g : l.goals) ImGui::BulletText("%s", pick(g, lang).c_str());
    }
    draw_markdown(pick(st.instructions, lang), app.font, app.presentation);
    ImGui::Separator();
    draw_checkpoints(app, lab);
    auto hints = r.step_hints();
    if (!hints.empty() && r.current_phase() != lab_runner::phase::finished) {
        ImGui::TextColored(grey, "%s", tr("Hints", lang));
        for (const auto* h : hints) {
            ImGui::PushStyleColor(ImGuiCol_Text, amber);
            ImGui::TextWrapped("%s", pick(h->text, lang).c_str());
            ImGui::PopStyleColor();
        }
    }
    draw_questions(app, lab);
    ImGui::EndChild();
    ImGui::TextColored(grey, "%s", tr("Terminal", lang));
    draw_terminal(app, lab, terminal_h);
}

}  // namespace maillab::gui
