#include "gui/settings.hpp"

#include <cstdlib>
#include <filesystem>
#include <system_error>

#include <fmt/format.h>
#include <imgui.h>
#include <imgui_internal.h>  // ImGuiSettingsHandler

namespace maillab::gui {
namespace {

const char* view_name(main_view v) {
    switch (v) {
        case main_view::sequence: return "sequence";
        case main_view::topology: return "topology";
        case main_view::mailboxes: return "mailboxes";
        case main_view::side_by_side: return "side-by-side";
        case main_view::what_if: return "what-if";
    }
    return "sequence";
}

const char* future_name(future_mode f) {
    switch (f) {
        case future_mode::show: return "show";
        case future_mode::dim: return "dim";
        case future_mode::hide: return "hide";
    }
    return "dim";
}

const char* step_name(view::step_unit s) {
    switch (s) {
        case view::step_unit::event: return "event";
        case view::step_unit::exchange: return "exchange";
        case view::step_unit::connection: return "connection";
    }
    return "event";
}

// ImGui calls these while it reads and writes the ini: one section, [Maillab][Choices].
void* open_section(ImGuiContext*, ImGuiSettingsHandler* handler, const char* name) {
    return std::string_view(name) == "Choices" ? handler->UserData : nullptr;
}

void read_line(ImGuiContext*, ImGuiSettingsHandler*, void* entry, const char* line) {
    apply_saved_choice(*static_cast<app_state*>(entry), line);
}

void write_all(ImGuiContext*, ImGuiSettingsHandler* handler, ImGuiTextBuffer* out) {
    const auto& app = *static_cast<const app_state*>(handler->UserData);
    out->appendf("[%s][Choices]\n%s\n", handler->TypeName, saved_choices_text(app).c_str());
}

}  // namespace

std::string settings_path() {
    namespace fs = std::filesystem;
    fs::path dir;
    if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg && *xdg)
        dir = fs::path(xdg) / "maillab";
    else if (const char* home = std::getenv("HOME"); home && *home)
        dir = fs::path(home) / ".config" / "maillab";
    else
        return {};
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) return {};
    return (dir / "maillab-gui.ini").string();
}

void apply_saved_choice(app_state& app, const std::string& line) {
    auto eq = line.find('=');
    if (eq == std::string::npos) return;
    std::string key = line.substr(0, eq), value = line.substr(eq + 1);
    if (key == "lang") {
        if (auto l = language_from_string(value)) app.lang = *l;
    } else if (key == "presentation") {
        if (value == "0" || value == "1") app.presentation = value == "1";
    } else if (key == "future") {
        for (auto f : {future_mode::show, future_mode::dim, future_mode::hide})
            if (value == future_name(f)) app.future = f;
    } else if (key == "view") {
        // A what-if branch belongs to one run: the next one starts without it.
        if (auto v = main_view_from_name(value); v && *v != main_view::what_if) {
            app.world.view = *v;
            app.world.view_requested = true;
        }
    } else if (key == "speed") {
        char* end = nullptr;
        float speed = std::strtof(value.c_str(), &end);
        // The timeline's slider goes from 0.25x to 8x.
        if (end && *end == '\0' && speed >= 0.25f && speed <= 8.0f) app.speed = speed;
    } else if (key == "step") {
        for (auto s : {view::step_unit::event, view::step_unit::exchange,
                       view::step_unit::connection})
            if (value == step_name(s)) app.step_unit = s;
    }
}

std::string saved_choices_text(const app_state& app) {
    return fmt::format("lang={}\npresentation={}\nfuture={}\nview={}\nspeed={}\nstep={}\n",
                       app.lang == language::zh ? "zh" : "en", app.presentation ? 1 : 0,
                       future_name(app.future), view_name(app.world.view), app.speed,
                       step_name(app.step_unit));
}

void register_saved_choices(app_state& app) {
    ImGuiSettingsHandler handler;
    handler.TypeName = "Maillab";
    handler.TypeHash = ImHashStr("Maillab");
    handler.ReadOpenFn = open_section;
    handler.ReadLineFn = read_line;
    handler.WriteAllFn = write_all;
    handler.UserData = &app;
    ImGui::GetCurrentContext()->SettingsHandlers.push_back(handler);  // ImGui 1.86 has no API
}

void keep_choices_saved(const app_state& app) {
    // ImGui writes the ini when a window moves or on exit; a changed choice must also count,
    // or a crash would lose it.
    static std::string last;
    std::string now = saved_choices_text(app);
    if (now == last) return;
    if (!last.empty()) ImGui::MarkIniSettingsDirty();
    last = std::move(now);
}

}  // namespace maillab::gui
