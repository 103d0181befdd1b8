// A lab open in the window (`maillab-gui --lab labs/NAME.json`, or a lab chosen in the Open
// dialog): its runner (sim/lab/lab_runner, the same engine as `maillab lab`), the input line,
// and the lines still to be typed from --lab-input. The Lab panel (lab_panel.cpp) draws it; every
// other panel shows the runner's trace, which lab_feed.cpp copies into the app's model.
#pragma once

#include <deque>
#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "sim/lab/lab.hpp"
#include "sim/lab/lab_runner.hpp"

namespace maillab::gui {

struct app_state;

struct lab_panel_state {
    std::string path;
    std::unique_ptr<lab::lab_spec> spec;
    std::unique_ptr<lab::lab_runner> runner;
    char input[1024] = "";
    // Lines fed one a frame as if typed into the input line (--lab-input FILE).
    std::deque<std::string> scripted;
    std::vector<std::string> history;  // the lines entered, for Up/Down in the input line
    int history_pos = -1;
    std::size_t generation_seen = 0;
    std::size_t lines_reported = 0;  // runner lines already written to the progress stream
    std::size_t lines_drawn = 0;     // the terminal scrolls to the end when lines arrive
    bool focus_input = true;
};

// Loads the lab (throws naming file:line:col) and makes it the app's: the model shows its trace.
void open_lab(app_state& app, const std::string& path);
// True when `path` is a lab file (the "maillab_lab" key near its start).
bool looks_like_lab(const std::string& path);
// Once a frame: types the next --lab-input line, brings the model up to date with the lab's
// trace (reloaded after a retry rebuilt it), and writes checkpoints passed, steps ended and the
// score to `progress` (one line each, in English: for scripts and tests).
void pump_lab(app_state& app, std::ostream& progress);
// Every text of the lab that the panel may show (for the font's glyphs).
std::string lab_texts(const lab::lab_spec& l);
// Enters a line as the input box does (an answer, a protocol line or a runner command).
void enter_lab_line(app_state& app, const std::string& line);

}  // namespace maillab::gui
