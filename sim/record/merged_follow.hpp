// The teacher's merged view, without the view: follows several published traces (live, over
// trace_subscriber) and reads recording files, feeds them to a trace_merger, and hands out the
// merged events in time order. Used by `maillab replay --attach` and `maillab-gui --attach
// ADDR:PORT`; runs on one io_context (the CLI's main thread, the GUI's background thread).
//
// Nothing is handed out until every live source has sent its history or failed, so two
// machines' pasts are merged in order. After that, events are held for `hold` on the merged
// clock before they are handed out, so one that is still on its way from a slower machine
// takes its place in time. A source that fails (unreachable, refused, garbage, gone) is said
// with the reason; the others go on. When every live source has ended, everything held is
// handed out and `finished` is called.
//
// With `reconnect`, a publisher that cannot be reached (a student's machine not started yet)
// or goes away (a server restarted, a cable pulled) is tried again until stop(); a refusal or a
// stream that is not a trace stays an end. Coming back to the same run of serve (the header's
// publisher session) skips the events already had; a new run is a new session of that source
// (trace_merger::restart_source), its events after the earlier ones.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <nlohmann/json.hpp>

#include "sim/core/clock.hpp"
#include "sim/record/trace_merge.hpp"
#include "sim/record/trace_subscriber.hpp"

namespace maillab {

struct merged_follow_options {
    std::vector<trace_attach_target> live;
    std::vector<std::string> files;
    // --clock-offset HOST=MS: replaces the estimate (or the file's none) for that source.
    std::map<std::string, std::int64_t> given_offsets_us;
    std::chrono::milliseconds hold{1000};
    std::optional<std::chrono::milliseconds> reconnect;  // try again this often; none: end
};

// One source as the teacher sees it in the list.
struct follow_source_status {
    std::string origin;        // ADDR:PORT or the file
    std::string name;          // the host, once its header came ("" before)
    // "connecting", "catching up", "live", "file", "ended: REASON", "reconnecting: REASON"
    std::string state;
    bool failed = false;
    std::int64_t clock_offset_us = 0;
    clock_offset_origin offset_origin = clock_offset_origin::none;
    std::uint64_t events = 0;  // handed out so far
};

// "mail.a.example  10.77.1.2:4000  clock +1.2 ms (estimated)  live, 42 events"
std::string describe(const follow_source_status& s);

class merged_follow {
public:
    struct callbacks {
        std::function<void(const std::string& line, bool problem)> say;
        std::function<void(const nlohmann::json& merged_header)> started;  // once
        std::function<void(std::vector<event>)> events;
        std::function<void(const std::vector<follow_source_status>&)> sources;  // on change
        std::function<void()> finished;
    };

    // Reads the files at once: throws trace_format_error or std::runtime_error naming the file.
    merged_follow(boost::asio::io_context& io, merged_follow_options opts, callbacks cb,
                  const clock_source& clock);
    ~merged_follow() { shut_down(); }
    merged_follow(const merged_follow&) = delete;
    merged_follow& operator=(const merged_follow&) = delete;
    void start();
    // Ends every subscription and hands out everything held (starting first if it had not),
    // so a recording stopped with Ctrl-C is complete. No callback is called after it returns.
    void stop();

    bool has_started() const { return started_; }
    const trace_merger& merger() const { return merger_; }
    const std::vector<follow_source_status>& sources() const { return status_; }

private:
    void shut_down();
    void tick();
    void try_start();
    void hand_out(std::vector<event> events);
    void changed();
    void apply_given_offset(std::size_t status_index, std::size_t merger_index);
    void subscribe(std::size_t live_index);
    void header_came(std::size_t live_index, const nlohmann::json& header, std::int64_t offset);
    void reconnect_later(std::size_t live_index, const std::string& reason);

    // What a live source's reconnects need to know (index as in opts_.live).
    struct live_source {
        std::string session;             // the run of serve followed ("" before its header)
        std::uint64_t last_seq = 0;      // the last event taken from it
        std::uint64_t skip_through = 0;  // back on the same run: the events already had
        bool waiting = false;            // between two attempts
        bool said_waiting = false;       // the reason was said for this streak of failures
        std::unique_ptr<boost::asio::steady_timer> retry;
    };

    boost::asio::io_context& io_;
    merged_follow_options opts_;
    callbacks cb_;
    const clock_source& clock_;
    trace_merger merger_;
    boost::asio::steady_timer timer_;
    std::vector<std::shared_ptr<trace_subscriber>> subscribers_;  // one per opts_.live
    std::vector<live_source> live_;
    std::vector<follow_source_status> status_;       // live sources first, then files
    std::vector<std::optional<std::size_t>> merger_index_;  // per status_ entry
    std::vector<bool> settled_;  // caught up or ended
    bool started_ = false;
    bool finished_ = false;
    bool stopped_ = false;
};

}  // namespace maillab
