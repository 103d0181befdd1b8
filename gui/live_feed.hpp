// Where a live session's events come from, drained once a frame into the app's model:
// --serve (servers on a background thread of this process, handed over through an
// event_inbox), --attach FILE (a recording another process is writing, read with trace_tail)
// or --attach ADDR:PORT ... (published traces of a class network, merged).
#pragma once

#include <memory>
#include <string>

#include "gui/app.hpp"
#include "sim/record/merged_follow.hpp"
#include "sim/world/serve_setup.hpp"

namespace maillab::gui {

class live_feed {
public:
    virtual ~live_feed() = default;
    // Moves what arrived since the last call into app (the model, the live status). `now` is
    // the wall clock in seconds, for polling at a sensible rate.
    virtual void pump(app_state& app, double now) = 0;
    // Stops the servers (serve) and closes the recording; idempotent. Lines to print after.
    virtual std::vector<std::string> stop() = 0;
    // A thread-safe function that wakes the GUI loop when events arrive (glfwPostEmptyEvent),
    // once the loop can be woken; a feed that polls ignores it.
    virtual void set_wakeup(void (*)()) {}
    // How long the GUI may sleep between frames when nothing happens (attach polls the file).
    virtual double idle_wait() const = 0;

    // Prepares, binds and starts the servers; throws (naming the option, file or port) before
    // anything runs. Prints where to connect to `out`, as `maillab serve` does. Sets up app's
    // model and live status.
    static std::unique_ptr<live_feed> serve(const world::serve_options& opts, app_state& app,
                                            std::ostream& out);
    // Follows `path`, which need not exist yet.
    static std::unique_ptr<live_feed> attach(const std::string& path, app_state& app);
    // Follows the published traces (and reads the recordings) of a class network, merged by
    // time (gui/merged_feed.cpp). Throws for a file that cannot be read, before anything runs.
    static std::unique_ptr<live_feed> merged(merged_follow_options opts, app_state& app);
};

}  // namespace maillab::gui
