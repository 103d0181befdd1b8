#include "gui/frame_bench.hpp"

#include <algorithm>
#include <ctime>

#include <fmt/format.h>
#include <imgui.h>

#include "gui/app.hpp"

namespace maillab::gui {
namespace {

double clock_ms(clockid_t clock) {
    timespec ts{};
    clock_gettime(clock, &ts);
    return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

// The first frames build the font atlas and settle ImGui's layout: not what a frame costs.
constexpr std::size_t warm_up_frames = 3;

std::string summary(std::vector<double> ms) {
    if (ms.size() > warm_up_frames) ms.erase(ms.begin(), ms.begin() + warm_up_frames);
    if (ms.empty()) return "{}";
    std::sort(ms.begin(), ms.end());
    auto at = [&](double q) { return ms[std::min(ms.size() - 1, static_cast<std::size_t>(q * ms.size()))]; };
    return fmt::format("{{\"median\":{:.3f},\"p95\":{:.3f},\"max\":{:.3f}}}", at(0.5), at(0.95),
                       ms.back());
}

std::string list(const std::vector<double>& ms) {
    std::string out = "[";
    for (std::size_t i = 0; i < ms.size(); ++i) out += fmt::format("{}{:.3f}", i ? "," : "", ms[i]);
    return out + "]";
}

}  // namespace

std::optional<bench_mode> bench_mode_from_name(std::string_view name) {
    if (name == "play") return bench_mode::play;
    if (name == "scroll-log") return bench_mode::scroll_log;
    if (name == "scroll-diagram") return bench_mode::scroll_diagram;
    return std::nullopt;
}

std::string_view to_string(bench_mode mode) {
    switch (mode) {
        case bench_mode::play: return "play";
        case bench_mode::scroll_log: return "scroll-log";
        case bench_mode::scroll_diagram: return "scroll-diagram";
    }
    return "?";
}

frame_bench::frame_bench(bench_mode mode, int frames) : mode_(mode), frames_(frames) {}

void frame_bench::start(app_state& app) {
    if (!app.model.empty()) app.set_cursor(app.model.size() / 2);
    // Scrolling must not be pulled back to the cursor; playing follows it, as it does for a user.
    app.follow_cursor = mode_ == bench_mode::play;
}

void frame_bench::before_frame(app_state& app, float width, float height) {
    if (mode_ == bench_mode::play) {
        app.step(+1);
        return;
    }
    // The panels' places in the fixed layout (gui/app.cpp draw_app): the diagram above the log
    // in the left 58%, below the timeline. The wheel turns over the middle of the chosen one.
    float timeline_h = app.presentation ? 150.0f : 112.0f;
    float body_h = height - timeline_h;
    float x = width * 0.58f * 0.5f;
    float y = mode_ == bench_mode::scroll_log ? timeline_h + body_h * 0.62f + body_h * 0.38f * 0.5f
                                              : timeline_h + body_h * 0.62f * 0.5f;
    ImGuiIO& io = ImGui::GetIO();
    io.MousePos = ImVec2(x, y);
    io.MouseWheel = -3.0f;  // three notches down a frame: a brisk scroll
}

void frame_bench::begin_frame() {
    ui_start_ = clock_ms(CLOCK_THREAD_CPUTIME_ID);
    process_start_ = clock_ms(CLOCK_PROCESS_CPUTIME_ID);
    wall_start_ = clock_ms(CLOCK_MONOTONIC);
}

void frame_bench::end_ui() { ui_cpu_ms_.push_back(clock_ms(CLOCK_THREAD_CPUTIME_ID) - ui_start_); }

void frame_bench::end_frame() {
    process_cpu_ms_.push_back(clock_ms(CLOCK_PROCESS_CPUTIME_ID) - process_start_);
    wall_ms_.push_back(clock_ms(CLOCK_MONOTONIC) - wall_start_);
    swapped_ = true;
}

std::string frame_bench::report(std::size_t events) const {
    return fmt::format(
        "{{\"mode\":\"{}\",\"frames\":{},\"events\":{},\"warm_up_frames_skipped\":{},"
        "\"ui_cpu_ms\":{},\"process_cpu_ms\":{},\"wall_ms\":{},\"per_frame_ui_cpu_ms\":{}}}",
        to_string(mode_), ui_cpu_ms_.size(), events, warm_up_frames, summary(ui_cpu_ms_),
        summary(process_cpu_ms_), summary(wall_ms_), list(ui_cpu_ms_));
}

}  // namespace maillab::gui
