// `maillab-gui --bench-frames N --bench-mode MODE`: measures what one frame costs on a given
// trace (docs/performance.md, GUI frame time) and prints it as JSON. The GUI is driven the way a
// person would: playing steps the cursor one event every frame; scrolling turns the mouse wheel
// over the event log or the sequence diagram every frame. The figures are CPU times, because
// under Xvfb the wall time is mostly Mesa's software rasteriser, which a real GPU would do.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace maillab::gui {

struct app_state;

enum class bench_mode { play, scroll_log, scroll_diagram };
std::optional<bench_mode> bench_mode_from_name(std::string_view name);
std::string_view to_string(bench_mode mode);

class frame_bench {
public:
    frame_bench(bench_mode mode, int frames);

    // Once the trace is open: the cursor goes to the middle, so every panel has a past to show.
    void start(app_state& app);
    // After the backends' NewFrame, before ImGui::NewFrame: this frame's input (the cursor
    // stepped, or the wheel turned over the panel). `width`, `height`: the framebuffer.
    void before_frame(app_state& app, float width, float height);
    // Brackets around one frame's work: the GUI's own (drawing the panels, building the draw
    // lists, issuing GL calls) and, with the swap, the whole process's (Mesa's threads too).
    void begin_frame();
    void end_ui();
    void end_frame();
    bool done() const { return static_cast<int>(ui_cpu_ms_.size()) >= frames_ && swapped_; }
    // {"mode":..., "frames":N, "events":E, "ui_cpu_ms":{"median","p95","max"}, ...}
    std::string report(std::size_t events) const;

private:
    bench_mode mode_;
    int frames_;
    bool swapped_ = false;
    double ui_start_ = 0, process_start_ = 0, wall_start_ = 0;
    std::vector<double> ui_cpu_ms_, process_cpu_ms_, wall_ms_;
};

}  // namespace maillab::gui
