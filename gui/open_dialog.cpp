// A small file-open dialog inside the app: a folder, its .jsonl traces, .json scenarios (run
// when opened) and labs (opened in the Lab panel), and the error of a file that does not load
// (named with its line).

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include <imgui.h>

#include "gui/lab_state.hpp"
#include "gui/panels.hpp"
#include "gui/ui_text.hpp"
#include "sim/record/trace_io.hpp"
#include "sim/world/trace_source.hpp"

namespace maillab::gui {

void draw_open_dialog(app_state& app) {
    namespace fs = std::filesystem;
    static char folder[512] = "";
    if (app.open_dialog_labs) {
        app.open_dialog_labs = false;
        std::error_code labs_ec;
        if (fs::is_directory("labs", labs_ec))
            std::snprintf(folder, sizeof folder, "%s", fs::absolute("labs").string().c_str());
    }
    if (folder[0] == '\0') {
        std::string cwd = fs::current_path().string();
        std::snprintf(folder, sizeof folder, "%s", cwd.c_str());
    }
    language lang = app.lang;
    ImGui::SetNextWindowSize(ImVec2(640, 420), ImGuiCond_FirstUseEver);
    std::string title = std::string(tr("Open trace...", lang)) + "###open";
    if (!ImGui::Begin(title.c_str(), &app.open_dialog)) {
        ImGui::End();
        return;
    }
    ImGui::InputText("##folder", folder, sizeof folder);
    std::error_code ec;
    std::vector<fs::path> entries;
    for (const auto& entry : fs::directory_iterator(folder, ec))
        if (entry.is_directory() || entry.path().extension() == ".jsonl" ||
            entry.path().extension() == ".json")
            entries.push_back(entry.path());
    std::sort(entries.begin(), entries.end());
    if (ImGui::Selectable("..")) {
        std::string parent = fs::path(folder).parent_path().string();
        std::snprintf(folder, sizeof folder, "%s", parent.c_str());
    }
    for (const auto& p : entries) {
        bool dir = fs::is_directory(p, ec);
        std::string label = p.filename().string() + (dir ? "/" : "");
        if (ImGui::Selectable(label.c_str())) {
            if (dir) {
                std::snprintf(folder, sizeof folder, "%s", p.string().c_str());
            } else {
                try {
                    if (looks_like_lab(p.string())) {
                        open_lab(app, p.string());
                        app.status_message.clear();
                        app.open_dialog = false;
                        continue;
                    }
                    trace_file f = world::load_trace_or_scenario(p.string());
                    bool recording = !world::looks_like_scenario(p.string());
                    app.lab.reset();  // a trace or scenario replaces the lab being done
                    app.load(std::move(f), p.string(), recording);
                    app.status_message.clear();
                    app.open_dialog = false;
                } catch (const std::exception& err) {
                    app.status_message = err.what();
                }
            }
        }
    }
    if (!app.status_message.empty()) ImGui::TextColored(ImVec4(1, 0.5f, 0.4f, 1), "%s", app.status_message.c_str());
    if (ImGui::Button(tr("Cancel", lang))) app.open_dialog = false;
    ImGui::End();
}

}  // namespace maillab::gui
