// maillab-gui: the visualizer. Opens a recording (`maillab-gui TRACE.jsonl`) or a scenario (run
// on the virtual clock: `maillab-gui scenarios/classic.json`), runs the built-in
// demo (`--run`), or renders one frame to a PNG without a person at the screen (`--screenshot`).

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>
#include <GL/gl.h>
#include <backends/imgui_impl_glfw.h>
#include <backends/imgui_impl_opengl3.h>
#include <imgui.h>

#include "gui/app.hpp"
#include "gui/fonts.hpp"
#include "gui/screenshot.hpp"
#include "gui/ui_text.hpp"
#include "sim/core/bytes.hpp"
#include "sim/explain/catalog.hpp"
#include "sim/record/trace_io.hpp"
#include "sim/view/mime_view.hpp"
#include "sim/world/builtin_demo.hpp"
#include "sim/world/trace_source.hpp"

namespace {

// Every string the session can show, so the font carries exactly the glyphs it needs.
std::string text_to_render(const maillab::view::trace_model& model,
                           const std::vector<maillab::annotation>& annotations) {
    std::string all = maillab::gui::all_ui_text_zh();
    for (const auto& [key, x] : maillab::explain_catalog::builtin().entries()) all += x.zh;
    for (const auto& a : annotations) all += a.text + a.text_zh + a.name;
    // Only non-ASCII text needs glyphs beyond the defaults; a cap keeps huge traces cheap.
    constexpr std::size_t cap = 4 * 1024 * 1024;
    for (const auto& e : model.events()) {
        if (all.size() > cap) break;
        if (maillab::has_8bit(e.text)) all += e.text;
        if (e.raw && e.raw->size() < 100000 && maillab::has_8bit(*e.raw)) all += *e.raw;
        // Stored mail's subjects and text parts (the mailboxes view) hide their Chinese behind
        // RFC 2047 and base64: decode them.
        if (e.kind == maillab::event_kind::store && e.raw) all += maillab::view::visible_text(*e.raw);
    }
    return all;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App cli{"maillab-gui: step through a mail trace (sequence diagram, states, bytes)"};
    std::string file;
    bool run_demo = false;
    std::string screenshot;
    long long cursor_seq = -1;
    std::string lang = "en";
    std::string size = "1600x1000";
    bool presentation = false;
    std::string future = "dim";
    std::string view_name = "sequence";
    std::string follow;
    std::string part;
    std::vector<std::uint64_t> compare;
    long long whatif_at = -1;
    std::string whatif_replace;
    bool whatif_skip = false;
    cli.add_option("file", file, "A trace recording (.jsonl) or a scenario (.json, run first) to open");
    cli.add_flag("--run", run_demo, "Run the built-in demo and show its trace");
    cli.add_option("--screenshot", screenshot, "Render once, write this PNG and exit")
        ->option_text("OUT.png");
    cli.add_option("--cursor", cursor_seq, "Put the cursor (and the selection) on this seq");
    cli.add_option("--lang", lang, "Interface and explanations language")
        ->check(CLI::IsMember({"en", "zh"}));
    cli.add_option("--size", size, "Window size WxH")->capture_default_str();
    cli.add_flag("--present", presentation, "Presentation mode: large fonts, high contrast");
    cli.add_option("--future", future, "Events after the cursor: show, dim or hide")
        ->check(CLI::IsMember({"show", "dim", "hide"}))
        ->capture_default_str();
    cli.add_option("--view", view_name, "The view shown first")
        ->check(CLI::IsMember({"sequence", "topology", "mailboxes", "side-by-side", "what-if"}))
        ->capture_default_str();
    cli.add_option("--follow", follow, "Follow the mail with this Message-ID (<...>) across hosts");
    cli.add_option("--part", part, "The MIME part (IMAP number, e.g. 2 or 1.1) a message opens at");
    cli.add_option("--compare", compare, "The two connections shown side by side")
        ->delimiter(',')
        ->expected(2)
        ->option_text("A,B");
    auto* whatif_at_option =
        cli.add_option("--whatif-at", whatif_at,
                       "Open a what-if branch of the scenario: the client command at this seq "
                       "changed (--whatif-replace) or skipped (--whatif-skip)")
            ->option_text("SEQ");
    auto* whatif_replace_option =
        cli.add_option("--whatif-replace", whatif_replace, "The command line sent instead")
            ->option_text("TEXT")
            ->needs(whatif_at_option);
    cli.add_flag("--whatif-skip", whatif_skip, "The command is not sent at all")
        ->needs(whatif_at_option)
        ->excludes(whatif_replace_option);
    CLI11_PARSE(cli, argc, argv);

    int width = 1600, height = 1000;
    if (std::sscanf(size.c_str(), "%dx%d", &width, &height) != 2 || width < 320 || height < 240) {
        std::cerr << "maillab-gui: --size \"" << size << "\": expected WxH, at least 320x240\n";
        return 2;
    }

    maillab::gui::app_state app;
    try {
        if (!file.empty()) {
            maillab::trace_file f = maillab::world::load_trace_or_scenario(file);
            for (const auto& w : f.warnings) std::cerr << "maillab-gui: warning: " << w << '\n';
            bool recording = !maillab::world::looks_like_scenario(file);
            app.load(std::move(f), file, recording);
        } else {
            // No file: the built-in demo (also what --run asks for).
            auto demo = maillab::run_builtin_demo();
            app.load(maillab::view::trace_model(demo.header, std::move(demo.events)),
                     "built-in demo");
        }
    } catch (const std::exception& err) {
        std::cerr << "maillab-gui: " << err.what() << '\n';
        return 1;
    }
    (void)run_demo;
    app.lang = lang == "zh" ? maillab::language::zh : maillab::language::en;
    app.presentation = presentation;
    app.future = future == "show"   ? maillab::gui::future_mode::show
                 : future == "hide" ? maillab::gui::future_mode::hide
                                    : maillab::gui::future_mode::dim;
    if (cursor_seq >= 0) {
        auto index = app.model.index_of_seq(static_cast<std::uint64_t>(cursor_seq));
        if (!index) {
            std::cerr << "maillab-gui: --cursor " << cursor_seq << ": no event with that seq (the "
                      << "trace has seq 1.." << (app.model.empty() ? 0 : app.model.events().back().seq)
                      << ")\n";
            return 2;
        }
        app.set_cursor(*index);
    } else if (!screenshot.empty() && !app.model.empty()) {
        app.set_cursor(app.model.size() - 1);
    }
    app.world.view = *maillab::gui::main_view_from_name(view_name);
    app.world.view_requested = true;
    app.world.requested_part = part;
    if (!follow.empty()) {
        app.world.follow(app.model, follow);
        if (!app.world.following()) {
            std::cerr << "maillab-gui: --follow " << follow << ": no event carries that Message-ID\n";
            return 2;
        }
    }
    if (whatif_at >= 0) {
        if (app.scenario_path.empty()) {
            std::cerr << "maillab-gui: --whatif-at needs a scenario file (.json): it runs the "
                         "scenario again\n";
            return 2;
        }
        if (whatif_replace_option->count() == 0 && !whatif_skip) {
            std::cerr << "maillab-gui: --whatif-at: say what is sent instead (--whatif-replace "
                         "TEXT) or --whatif-skip\n";
            return 2;
        }
        auto seq = static_cast<std::uint64_t>(whatif_at);
        app.run_what_if(seq, whatif_skip ? std::nullopt : std::optional<std::string>(whatif_replace));
        if (!app.what_if.error.empty()) {
            std::cerr << "maillab-gui: --whatif-at " << whatif_at << ": " << app.what_if.error << '\n';
            return 2;
        }
        // The command is selected (its What if box open in the inspector) unless --cursor says.
        if (cursor_seq < 0) app.set_cursor(app.what_if.result->target.index);
        // The branch's tab unless --view chose another.
        if (view_name != "sequence") app.world.view = *maillab::gui::main_view_from_name(view_name);
    }
    if (compare.size() == 2) {
        for (std::uint64_t conn : compare) {
            const auto& conns = app.world.connections(app.model);
            if (std::none_of(conns.begin(), conns.end(), [&](const auto& c) { return c.conn == conn; })) {
                std::cerr << "maillab-gui: --compare: the trace has no connection " << conn << '\n';
                return 2;
            }
        }
        app.world.left_conn = compare[0];
        app.world.right_conn = compare[1];
    }

    if (!glfwInit()) {
        std::cerr << "maillab-gui: cannot open a window (no display? try xvfb-run, or use "
                     "`maillab run` for the terminal transcript)\n";
        return 1;
    }
    glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
    glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
    glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
    if (!screenshot.empty()) glfwWindowHint(GLFW_VISIBLE, GLFW_FALSE);
    GLFWwindow* window = glfwCreateWindow(width, height, "maillab", nullptr, nullptr);
    if (!window) {
        std::cerr << "maillab-gui: cannot create an OpenGL 3.3 window\n";
        glfwTerminate();
        return 1;
    }
    glfwMakeContextCurrent(window);
    glfwSwapInterval(1);

    IMGUI_CHECKVERSION();
    ImGui::CreateContext();
    ImGui::GetIO().IniFilename = screenshot.empty() ? "maillab-gui.ini" : nullptr;
    ImGui::StyleColorsDark();
    ImGui::GetStyle().WindowRounding = 4.0f;
    ImGui_ImplGlfw_InitForOpenGL(window, true);
    ImGui_ImplOpenGL3_Init("#version 330");
    app.font = maillab::gui::load_fonts(text_to_render(app.model, app.annotations));
    app.fixed_layout = !screenshot.empty();

    int frames = 0;
    double last = glfwGetTime();
    int exit_code = 0;
    while (!glfwWindowShouldClose(window)) {
        glfwPollEvents();
        double now = glfwGetTime();
        maillab::gui::advance_playback(app, now - last);
        last = now;
        ImGui_ImplOpenGL3_NewFrame();
        ImGui_ImplGlfw_NewFrame();
        ImGui::NewFrame();
        maillab::gui::handle_keys(app);
        int fb_w = 0, fb_h = 0;
        glfwGetFramebufferSize(window, &fb_w, &fb_h);
        maillab::gui::draw_app(app, static_cast<float>(fb_w), static_cast<float>(fb_h));
        ImGui::Render();
        glViewport(0, 0, fb_w, fb_h);
        glClearColor(0.08f, 0.08f, 0.10f, 1.0f);
        glClear(GL_COLOR_BUFFER_BIT);
        ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
        // ImGui settles its layout over a few frames; the fourth is the one to keep.
        if (!screenshot.empty() && ++frames == 4) {
            std::string err = maillab::gui::write_screenshot(screenshot, fb_w, fb_h);
            if (!err.empty()) {
                std::cerr << "maillab-gui: " << err << '\n';
                exit_code = 1;
            } else {
                std::cout << "wrote " << screenshot << " (" << fb_w << "x" << fb_h << ")\n";
            }
            break;
        }
        glfwSwapBuffers(window);
    }
    ImGui_ImplOpenGL3_Shutdown();
    ImGui_ImplGlfw_Shutdown();
    ImGui::DestroyContext();
    glfwDestroyWindow(window);
    glfwTerminate();
    return exit_code;
}
