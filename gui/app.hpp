// The GUI's state in one place (Tracy's habit): the model, the cursor and selection, filters,
// playback and presentation settings. Panels read it and change it; nothing else holds state.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "gui/lab_state.hpp"
#include "gui/world_views.hpp"
#include "sim/world/what_if.hpp"
#include "sim/explain/catalog.hpp"
#include "sim/record/annotations.hpp"
#include "sim/record/trace_io.hpp"
#include "sim/view/event_filter.hpp"
#include "sim/view/live_follow.hpp"
#include "sim/view/sequence_layout.hpp"
#include "sim/view/stepping.hpp"
#include "sim/view/trace_model.hpp"

struct ImFont;

namespace maillab::gui {

enum class future_mode { show, dim, hide };

struct fonts {
    ImFont* ui = nullptr;
    ImFont* mono = nullptr;
    ImFont* ui_large = nullptr;
    ImFont* mono_large = nullptr;
};

// A session shown while it happens (--serve: servers in this process; --attach: a recording
// another process is writing). The model grows; the cursor follows the newest event until the
// teacher moves it, and End or the Follow button brings it back.
struct live_status {
    // attach: a recording file another process writes; merged: the published traces of a
    // class network's machines (and recordings), merged by time.
    enum class source { none, serve, attach, merged };
    source mode = source::none;
    // What students connect to, one line each: "smtp 127.0.0.1:2525 (STARTTLS offered)"; for
    // a merged view, each source with its host and clock offset.
    std::vector<std::string> addresses;
    std::string message;  // e.g. "waiting for FILE to appear"; shown beside the indicator
    bool message_is_error = false;
    std::vector<std::string> problems;  // damaged lines of an attached file (the latest few)
    view::live_follow follow;

    bool active() const { return mode != source::none; }
};

// What if: a branch of the scenario with one client command changed or skipped, shown beside
// the original in the "What if" tab (what_if_panel.cpp).
struct what_if_state {
    std::uint64_t draft_seq = 0;  // the command the box was last filled from
    char draft[512] = "";
    std::shared_ptr<const world::scenario> scenario;  // the result's expectations point into it
    std::optional<world::what_if_result> result;
    std::string error;  // why the last branch could not be run
    bool only_edited_connection = true;
    bool scroll_to_divergence = false;
};

struct app_state {
    view::trace_model model;
    std::string source;  // file name or "built-in demo"
    std::string load_warning;  // e.g. a recording's last line cut off; shown in the timeline

    // The teacher's notes, bookmarks and saved views of the file shown, and the recording they
    // are saved into (empty for a scenario run or the demo: there is no file to keep them in).
    std::vector<annotation> annotations;
    annotation_index notes;  // rebuilt by set_annotations()
    std::string annotations_file;
    char note_draft[2048] = "";
    std::string note_status;  // the outcome of the last save, shown under the box
    bool note_status_error = false;

    std::size_t cursor = 0;  // index of the current event: everything up to it has happened
    std::optional<std::size_t> selected;  // the event shown in the inspector
    std::set<std::size_t> bookmarks;

    bool playing = false;
    float speed = 1.0f;              // events per second while playing (x speed)
    double play_accumulator = 0.0;
    view::step_unit step_unit = view::step_unit::event;
    future_mode future = future_mode::dim;

    view::event_filter log_filter;
    view::filtered_index log_index;
    char search[128] = "";

    // The sequence diagram shows every message-like event (not the log's filter).
    view::filtered_index sequence_index;
    view::sequence_layout sequence;
    float sequence_zoom = 1.0f;
    bool follow_cursor = true;
    bool scroll_to_cursor = false;

    language lang = language::en;
    bool presentation = false;
    fonts font;
    bool open_dialog = false;
    bool open_dialog_labs = false;  // the dialog was asked for a lab: start in ./labs
    std::string status_message;

    // Screenshots lay the windows out the same way every time.
    bool fixed_layout = false;

    // Topology, mailboxes, side by side, follow one mail (gui/world_views.hpp).
    world_views world;

    live_status live;
    // The scenario file the trace was run from; empty for a recording or the demo, which have
    // no scenario to run again (what if needs one).
    std::string scenario_path;
    what_if_state what_if;
    // A lab being done in the window (gui/lab_state.hpp); its trace is the model.
    std::unique_ptr<lab_panel_state> lab;
    // Runs the scenario again with the command at `seq` replaced (nullopt: skipped) and shows
    // the branch in the What if tab; an edit that cannot be made leaves its reason in
    // what_if.error.
    void run_what_if(std::uint64_t seq, std::optional<std::string> replacement);

    void load(view::trace_model m, std::string name);
    // A file read by load_trace_or_scenario(): its events, annotations and warnings.
    // `recording` says whether notes can be saved into it (false for a scenario that was run).
    void load(trace_file f, std::string name, bool recording);
    void set_annotations(std::vector<annotation> list);
    // Saves note_draft as a note on the selected event into annotations_file; the outcome goes
    // to note_status.
    void save_note();
    void remove_note(std::uint64_t id);
    // Applies a saved view: the log's filter and the cursor.
    void apply_view(const annotation& v);
    void set_cursor(std::size_t index, bool select = true);
    void select(std::size_t index);
    void step(int direction);
    // Appends events that just happened (a live session) and keeps following the newest.
    void append_live(std::vector<event> events);
    // Jumps to the newest event and follows from now on (End, the Follow button).
    void follow_live();
    void refresh_indexes();
    // Whether an event is "in the future" (after the cursor) and how to show it.
    bool hidden(std::size_t index) const { return future == future_mode::hide && index > cursor; }
    float alpha(std::size_t index) const {
        return (future == future_mode::dim && index > cursor) ? 0.35f : 1.0f;
    }
};

// Draws every panel for one frame.
void draw_app(app_state& app, float width, float height);
// Keyboard: space play/pause, left/right step, home/end.
void handle_keys(app_state& app);
// Advances playback by `seconds` of wall time.
void advance_playback(app_state& app, double seconds);

}  // namespace maillab::gui
