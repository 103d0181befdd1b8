// maillab-gui: the visualizer. Opens a recording (`maillab-gui TRACE.jsonl`) or a scenario (run
// on the virtual clock: `maillab-gui scenarios/classic.json`), runs the built-in
// demo (`--run`), or renders one frame to a PNG without a person at the screen (`--screenshot`).
// Live: `--serve [SCENARIO.json]` runs the servers in this process and shows every real
// client's session as it happens; `--attach FILE` follows the recording of a separate
// `maillab serve --record FILE`.

#include <algorithm>
#include <csignal>
#include <deque>
#include <fstream>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>
#include <GL/gl.h>
#include <backends/imgui_impl_glfw.h>
#include <backends/imgui_impl_opengl3.h>
#include <imgui.h>

#include "cli/serve_options.hpp"
#include "gui/app.hpp"
#include "gui/fonts.hpp"
#include "gui/frame_bench.hpp"
#include "gui/lab_state.hpp"
#include "gui/live_feed.hpp"
#include "gui/screenshot.hpp"
#include "gui/settings.hpp"
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

volatile std::sig_atomic_t stop_requested = 0;
volatile std::sig_atomic_t screenshot_requested = 0;
extern "C" void request_stop(int) { stop_requested = 1; }
extern "C" void request_screenshot(int) { screenshot_requested = 1; }

// The window title says where students connect, so the teacher can read it out.
std::string live_title(const maillab::gui::live_status& live) {
    using source = maillab::gui::live_status::source;
    std::string title = live.mode == source::attach   ? "maillab — "
                        : live.mode == source::merged ? "maillab — merged: "
                                                      : "maillab — LIVE: ";
    for (std::size_t i = 0; i < live.addresses.size() && i < 4; ++i)
        title += (i ? ", " : "") + live.addresses[i];
    if (live.addresses.size() > 4) title += ", …";
    return title;
}

// Writes the PNG beside its final name and renames it there, so a reader never sees half a file.
std::string write_screenshot_atomically(const std::string& path, int w, int h) {
    std::string tmp = path + ".part";
    std::string err = maillab::gui::write_screenshot(tmp, w, h);
    if (!err.empty()) return err;
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    return ec ? "cannot rename " + tmp + " to " + path + ": " + ec.message() : std::string();
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
    bool serve = false;
    std::vector<std::string> attach;
    std::string attach_token;
    std::vector<std::string> clock_offsets;
    long long after_events = 1;
    maillab::world::serve_options serve_opts;
    std::string lab_path;
    std::string lab_input;
    long long whatif_at = -1;
    std::string whatif_replace;
    bool whatif_skip = false;
    int bench_frames = 0;
    std::string bench_mode_name = "play";
    cli.add_option("file", file, "A trace recording (.jsonl) or a scenario (.json, run first) to "
                                 "open; with --serve, the scenario whose servers to run");
    cli.add_flag("--run", run_demo, "Run the built-in demo and show its trace");
    cli.add_option("--screenshot", screenshot,
                   "Render once, write this PNG and exit (live: see --after-events)")
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
    cli.add_flag("--serve", serve,
                 "Live: run the mail servers (or, with SCENARIO.json, the scenario's servers) on "
                 "real sockets in this process and show every client's session as it happens. "
                 "Takes the options of `maillab serve` below; closing the window stops them");
    cli.add_option("--attach", attach,
                   "Live: follow the recording a separate `maillab serve --record FILE` is "
                   "writing (the file may not exist yet); or, repeated, the traces `maillab serve "
                   "--publish-trace` publishes on the machines of a class network, merged by time "
                   "(a FILE among them is read as it is)")
        ->option_text("FILE | [TOKEN@]ADDR:PORT")
        ->allow_extra_args(false);  // one per --attach: a FILE after it stays the FILE
    cli.add_option("--token", attach_token,
                   "The token for each --attach ADDR:PORT that names none")
        ->option_text("TOKEN");
    cli.add_option("--clock-offset", clock_offsets,
                   "Merged view: add MS milliseconds to HOST's times instead of the estimated "
                   "offset")
        ->option_text("HOST=MS")
        ->allow_extra_args(false);
    cli.add_option("--after-events", after_events,
                   "Live: --screenshot waits until this many events have arrived, writes the "
                   "PNG and keeps running; each SIGUSR1 writes it again (the moment shown)")
        ->check(CLI::Range(0LL, 1000000000LL))
        ->option_text("N (default 1)");
    auto* lab_option = cli.add_option("--lab", lab_path,
                                      "Do a lab (labs/NAME.json) in the Lab panel: its instructions, a "
                                      "terminal to type protocol lines into, the checkpoints lighting up; "
                                      "every other panel follows the lab's trace")
                           ->option_text("LAB.json");
    cli.add_option("--lab-input", lab_input,
                   "With --lab: type the lines of FILE into the Lab panel's input line, one a frame, "
                   "as if typed (answers, protocol lines, :done ...); with --screenshot, the PNG is "
                   "written once they are all typed, and the GUI exits")
        ->option_text("FILE")
        ->needs(lab_option);
    CLI::Option_group* serve_group =
        cli.add_option_group("Live (--serve)", "The options of `maillab serve`");
    maillab::cli::add_serve_options(*serve_group, serve_opts);
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
    auto* bench_frames_option =
        cli.add_option("--bench-frames", bench_frames,
                       "Measure N frames on the opened trace (docs/performance.md), print their "
                       "CPU times as JSON and exit")
            ->check(CLI::Range(1, 1000000))
            ->option_text("N");
    cli.add_option("--bench-mode", bench_mode_name,
                   "With --bench-frames: play (one event a frame), scroll-log or scroll-diagram "
                   "(the mouse wheel turned over that panel every frame)")
        ->check(CLI::IsMember({"play", "scroll-log", "scroll-diagram"}))
        ->needs(bench_frames_option)
        ->capture_default_str();
    CLI11_PARSE(cli, argc, argv);
    std::optional<maillab::gui::frame_bench> bench;
    if (bench_frames > 0)
        bench.emplace(*maillab::gui::bench_mode_from_name(bench_mode_name), bench_frames);

    bool live = serve || !attach.empty();
    // One recording file is tailed as another process writes it; addresses (and files beside
    // them) make the merged view.
    bool merged_view = attach.size() > 1 ||
                       (attach.size() == 1 && maillab::looks_like_attach_address(attach.front()));
    maillab::merged_follow_options merge_opts;
    bool lab_mode = !lab_path.empty();
    std::deque<std::string> scripted_lines;
    try {
        if (bench && (live || lab_mode || !screenshot.empty()))
            throw std::invalid_argument("--bench-frames measures an opened trace or scenario: no "
                                        "--serve, --attach, --lab or --screenshot beside it");
        if (lab_mode && (live || !file.empty() || whatif_at >= 0 || !compare.empty() || run_demo))
            throw std::invalid_argument("--lab opens a lab on its own: no FILE, --serve, --attach, "
                                        "--whatif-at, --compare or --run beside it");
        if (!lab_input.empty()) {
            std::ifstream in(lab_input);
            if (!in) throw std::invalid_argument("--lab-input " + lab_input + ": cannot read it");
            for (std::string line; std::getline(in, line);) {
                if (!line.empty() && line.back() == '\r') line.pop_back();
                scripted_lines.push_back(line);
            }
        }
        if (serve && !attach.empty())
            throw std::invalid_argument("--serve and --attach do not go together: --serve runs "
                                        "the servers here, --attach follows another process's");
        if (!attach.empty() && !file.empty())
            throw std::invalid_argument("--attach FILE opens FILE; do not name another file");
        if (!merged_view && (!attach_token.empty() || !clock_offsets.empty()))
            throw std::invalid_argument("--token and --clock-offset go with --attach ADDR:PORT");
        if (merged_view) {
            for (const auto& a : attach) {
                if (maillab::looks_like_attach_address(a))
                    merge_opts.live.push_back(maillab::parse_attach_target(a, attach_token));
                else
                    merge_opts.files.push_back(a);
            }
            for (const auto& c : clock_offsets) {
                auto [host, us] = maillab::parse_clock_offset(c);
                merge_opts.given_offsets_us[host] = us;
            }
            // The teacher's window stays open for the lesson: a student's machine started
            // late or a server restarted joins the view when it is back.
            merge_opts.reconnect = std::chrono::milliseconds(2000);
        }
        if (live && (cursor_seq >= 0 || !follow.empty() || !compare.empty() || run_demo ||
                     whatif_at >= 0))
            throw std::invalid_argument("--cursor, --follow, --compare, --whatif-at and --run do "
                                        "not apply to a live session (it starts empty)");
        if (!serve)
            for (const auto* opt : serve_group->get_options())
                if (opt->count() > 0)
                    throw std::invalid_argument(opt->get_name() + " goes with --serve");
        if (serve) {
            if (!file.empty() && !maillab::world::looks_like_scenario(file))
                throw std::invalid_argument(file + ": --serve runs a scenario (.json with "
                                                   "\"maillab_scenario\"), not a recording");
            serve_opts.scenario_path = file;
            maillab::cli::check_serve_options(cli, serve_opts);
        }
    } catch (const std::exception& err) {
        std::cerr << "maillab-gui: " << err.what() << '\n';
        return 2;
    }

    int width = 1600, height = 1000;
    if (std::sscanf(size.c_str(), "%dx%d", &width, &height) != 2 || width < 320 || height < 240) {
        std::cerr << "maillab-gui: --size \"" << size << "\": expected WxH, at least 320x240\n";
        return 2;
    }

    maillab::gui::app_state app;
    std::unique_ptr<maillab::gui::live_feed> feed;
    std::signal(SIGPIPE, SIG_IGN);  // a client that hangs up must not end the GUI
    // Ctrl-C in the terminal or a SIGTERM (a test, a class script) closes the window cleanly:
    // servers stopped, recording closed. Set before the servers start, so no signal finds the
    // default action (which would end the process with the recording open).
    std::signal(SIGINT, request_stop);
    std::signal(SIGTERM, request_stop);
    // A lab at the keyboard is like a live session: the window stays, and each SIGUSR1 takes
    // the picture of the moment.
    bool interactive = live || (lab_mode && lab_input.empty());
    if (interactive && !screenshot.empty()) std::signal(SIGUSR1, request_screenshot);
    try {
        if (lab_mode) {
            maillab::gui::open_lab(app, lab_path);
            app.lab->scripted = std::move(scripted_lines);
        } else if (serve) {
            feed = maillab::gui::live_feed::serve(serve_opts, app, std::cout);
        } else if (merged_view) {
            feed = maillab::gui::live_feed::merged(std::move(merge_opts), app);
        } else if (!attach.empty()) {
            feed = maillab::gui::live_feed::attach(attach.front(), app);
        } else if (!file.empty()) {
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
    // The choices the command line makes; applied again after the saved ones (see below), so
    // an option given explicitly wins over what was saved last time.
    auto apply_choices = [&](bool only_given) {
        auto given = [&](const char* name) { return !only_given || cli.count(name) > 0; };
        if (given("--lang")) app.lang = lang == "zh" ? maillab::language::zh : maillab::language::en;
        if (given("--present")) app.presentation = presentation;
        if (given("--future"))
            app.future = future == "show"   ? maillab::gui::future_mode::show
                         : future == "hide" ? maillab::gui::future_mode::hide
                                            : maillab::gui::future_mode::dim;
        if (given("--view")) {
            app.world.view = *maillab::gui::main_view_from_name(view_name);
            app.world.view_requested = true;
        }
    };
    apply_choices(false);
    if (cursor_seq >= 0) {
        auto index = app.model.index_of_seq(static_cast<std::uint64_t>(cursor_seq));
        if (!index) {
            std::cerr << "maillab-gui: --cursor " << cursor_seq << ": no event with that seq (the "
                      << "trace has seq 1.." << (app.model.empty() ? 0 : app.model.events().back().seq)
                      << ")\n";
            return 2;
        }
        app.set_cursor(*index);
    } else if (!screenshot.empty() && !app.model.empty() && !live && !lab_mode) {
        app.set_cursor(app.model.size() - 1);
    }
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
    if (!screenshot.empty() && !interactive) glfwWindowHint(GLFW_VISIBLE, GLFW_FALSE);
    std::string window_title = live       ? live_title(app.live)
                               : app.lab ? "maillab — lab " + app.lab->spec->id
                                         : std::string("maillab");
    GLFWwindow* window = glfwCreateWindow(width, height, window_title.c_str(), nullptr, nullptr);
    if (!window) {
        std::cerr << "maillab-gui: cannot create an OpenGL 3.3 window\n";
        glfwTerminate();
        return 1;
    }
    glfwMakeContextCurrent(window);
    // Measuring: frames as fast as they come, not paced by the display.
    glfwSwapInterval(bench ? 0 : 1);

    IMGUI_CHECKVERSION();
    ImGui::CreateContext();
    // The window layout and the last run's choices, kept in one ini file (gui/settings.hpp).
    // Screenshots use neither, so they come out the same on every machine.
    std::string ini_path =
        screenshot.empty() && !bench ? maillab::gui::settings_path() : std::string();
    ImGui::GetIO().IniFilename = nullptr;
    if (!ini_path.empty()) {
        maillab::gui::register_saved_choices(app);
        ImGui::LoadIniSettingsFromDisk(ini_path.c_str());
        ImGui::GetIO().IniFilename = ini_path.c_str();  // ini_path outlives the context
        apply_choices(true);
    }
    ImGui::StyleColorsDark();
    ImGui::GetStyle().WindowRounding = 4.0f;
    ImGui_ImplGlfw_InitForOpenGL(window, true);
    ImGui_ImplOpenGL3_Init("#version 330");
    app.font = maillab::gui::load_fonts(text_to_render(app.model, app.annotations) +
                                        (app.lab ? maillab::gui::lab_texts(*app.lab->spec) : std::string()));
    app.fixed_layout = !screenshot.empty() || bench;
    if (bench) bench->start(app);

    int frames = 0;
    double last = glfwGetTime();
    int exit_code = 0;
    bool live_shot_taken = false;
    // Live: sleep until input or an event arrives (the servers' thread wakes the loop), and
    // draw a few frames after each so ImGui settles, instead of spinning on a machine that also
    // runs the servers. Playing, or a screenshot being taken, draws at full rate.
    if (feed) feed->set_wakeup(glfwPostEmptyEvent);
    int busy_frames = 4;
    int frames_after_script = 0;
    while (!glfwWindowShouldClose(window) && !stop_requested) {
        if (feed || (app.lab && app.lab->scripted.empty() && lab_input.empty())) {
            bool busy = busy_frames > 0 || app.playing || screenshot_requested ||
                        (!screenshot.empty() && !live_shot_taken && frames > 0);
            double wait = busy ? 1.0 / 60.0 : feed ? feed->idle_wait() : 0.25;
            double before = glfwGetTime();
            glfwWaitEventsTimeout(wait);
            if (glfwGetTime() - before < wait * 0.9) busy_frames = 4;  // woken: input or events
            else if (busy_frames > 0) --busy_frames;
        } else {
            glfwPollEvents();
        }
        double now = glfwGetTime();
        if (bench) bench->begin_frame();
        if (feed) feed->pump(app, now);
        maillab::gui::pump_lab(app, std::cout);
        maillab::gui::advance_playback(app, now - last);
        last = now;
        ImGui_ImplOpenGL3_NewFrame();
        ImGui_ImplGlfw_NewFrame();
        int fb_w = 0, fb_h = 0;
        glfwGetFramebufferSize(window, &fb_w, &fb_h);
        if (bench) bench->before_frame(app, static_cast<float>(fb_w), static_cast<float>(fb_h));
        ImGui::NewFrame();
        maillab::gui::handle_keys(app);
        maillab::gui::draw_app(app, static_cast<float>(fb_w), static_cast<float>(fb_h));
        if (!ini_path.empty()) maillab::gui::keep_choices_saved(app);
        ImGui::Render();
        glViewport(0, 0, fb_w, fb_h);
        glClearColor(0.08f, 0.08f, 0.10f, 1.0f);
        glClear(GL_COLOR_BUFFER_BIT);
        ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
        if (bench) bench->end_ui();
        // Live: the picture is taken once enough events have arrived (and again on SIGUSR1),
        // and the session goes on.
        if (interactive && screenshot_requested) {
            screenshot_requested = 0;
            live_shot_taken = false;
            frames = 0;
            after_events = 0;
        }
        if (!screenshot.empty() && interactive && !live_shot_taken &&
            app.model.size() >= static_cast<std::size_t>(after_events) && ++frames == 4) {
            live_shot_taken = true;
            std::string err = write_screenshot_atomically(screenshot, fb_w, fb_h);
            if (!err.empty()) std::cerr << "maillab-gui: " << err << '\n';
            else std::cout << "wrote " << screenshot << " (" << fb_w << "x" << fb_h << ") at "
                           << app.model.size() << " events\n" << std::flush;
        }
        // ImGui settles its layout over a few frames; the fourth is the one to keep.
        // A scripted lab: the picture once every line has been typed and a few frames drawn.
        if (!screenshot.empty() && lab_mode && !interactive) {
            if (!app.lab->scripted.empty() || ++frames_after_script < 4) {
                glfwSwapBuffers(window);
                continue;
            }
        }
        if (!screenshot.empty() && !interactive && ++frames == 4) {
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
        if (bench) {
            glFinish();  // Mesa's rasterising of this frame is part of its process CPU time
            bench->end_frame();
            if (bench->done()) {
                std::cout << bench->report(app.model.size()) << '\n' << std::flush;
                break;
            }
        }
    }
    if (feed) {
        feed->set_wakeup(nullptr);
        for (const auto& line : feed->stop()) std::cout << line << '\n';
        std::cout << "stopped\n" << std::flush;
    }
    ImGui_ImplOpenGL3_Shutdown();
    ImGui_ImplGlfw_Shutdown();
    ImGui::DestroyContext();
    glfwDestroyWindow(window);
    glfwTerminate();
    return exit_code;
}
