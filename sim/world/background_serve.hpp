// The servers of a live session on their own thread, for a program whose main thread is busy
// elsewhere (maillab-gui --serve: the GUI loop). The trace, the engines, the recorder and the
// sockets all live on that thread's io_context; the only way out is the event_inbox, which the
// owner drains from its own thread. stop() (or the destructor) closes the listeners and every
// open connection, ends the thread and closes the recording.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "sim/core/clock.hpp"
#include "sim/core/trace.hpp"
#include "sim/record/recorder.hpp"
#include "sim/view/event_inbox.hpp"
#include "sim/world/serve_setup.hpp"

namespace maillab::world {

class background_serve {
public:
    // Prepares the servers, opens the recording (opts.record_path) and binds every listener on
    // the calling thread, so a bad option, an unwritable file or a port in use throws here
    // (naming it) and nothing is left running.
    explicit background_serve(serve_options opts);
    ~background_serve();
    background_serve(const background_serve&) = delete;
    background_serve& operator=(const background_serve&) = delete;

    // Starts the thread: from now on clients are accepted and events reach the inbox.
    void start();
    // Stops the servers on their thread and joins it; idempotent.
    void stop();

    view::event_inbox& inbox() { return inbox_; }
    const live_servers& servers() const { return *servers_; }
    const nlohmann::json& header() const { return trace_.header(); }
    // Empty without --record.
    std::string recording_path() const { return recorder_ ? recorder_->path() : std::string(); }
    // Read it after stop(): the recorder belongs to the servers' thread while it runs.
    std::uint64_t events_recorded() const { return recorder_ ? recorder_->events_written() : 0; }
    // Why the servers' thread ended before stop() was called (a handler threw); empty if not.
    std::string failure() const;

private:
    void run();

    std::unique_ptr<live_servers> servers_;
    real_clock clock_;
    trace trace_;
    std::unique_ptr<trace_recorder> recorder_;
    view::event_inbox inbox_;
    boost::asio::io_context io_;
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
    std::thread thread_;
    bool stopped_ = false;
    mutable std::mutex failure_mutex_;
    std::string failure_;
};

}  // namespace maillab::world
