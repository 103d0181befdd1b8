// `maillab-gui --attach ADDR:PORT ...`: the class network's merged view. The subscriptions and
// the merging (sim/record/merged_follow) run on a thread of their own with their own
// io_context; what they hand out crosses to the GUI thread under one mutex, taken once a frame.
// The GUI only reads the merged trace: every panel works from it as from any recording.

#include <atomic>
#include <iostream>
#include <optional>
#include <mutex>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <fmt/format.h>

#include "gui/live_feed.hpp"
#include "sim/core/clock.hpp"
#include "sim/record/merged_follow.hpp"

namespace maillab::gui {
namespace {

class merged_feed final : public live_feed {
public:
    merged_feed(merged_follow_options opts, app_state& app) {
        merged_follow::callbacks cb;
        cb.say = [this](const std::string& line, bool problem) {
            (problem ? std::cerr : std::cout) << (problem ? "maillab-gui: " : "source ") << line
                                              << std::endl;
            if (!problem) return;
            std::lock_guard lock(mutex_);
            problems_.push_back(line);
            if (problems_.size() > 5) problems_.erase(problems_.begin());
        };
        cb.started = [this](const nlohmann::json& header) {
            std::lock_guard lock(mutex_);
            header_ = header;
        };
        cb.events = [this](std::vector<event> events) {
            {
                std::lock_guard lock(mutex_);
                for (auto& e : events) events_.push_back(std::move(e));
            }
            if (auto wake = wakeup_.load()) wake();
        };
        cb.sources = [this](const std::vector<follow_source_status>& s) {
            std::lock_guard lock(mutex_);
            sources_ = s;
            // A machine that is back (reconnected, restarted) no longer has the trouble said
            // while it was away: the red line shows only what is still wrong.
            for (const auto& source : s) {
                if (source.state != "live") continue;
                std::string prefix = source.origin + ":";
                std::erase_if(problems_, [&](const std::string& p) { return p.starts_with(prefix); });
            }
        };
        cb.finished = [] {
            std::cout << "the merged view is complete (no publisher left to follow); it stays open"
                      << std::endl;
        };
        // Reads the files here, so a bad one is said before the window opens.
        follow_ = std::make_unique<merged_follow>(io_, std::move(opts), std::move(cb), clock_);
        app.load(view::trace_model(), "merged view");
        app.live.mode = live_status::source::merged;
        sources_ = follow_->sources();
        show_sources(app);
        thread_ = std::thread([this] {
            follow_->start();
            io_.run();
        });
    }

    ~merged_feed() override { stop(); }

    void set_wakeup(void (*wakeup)()) override { wakeup_.store(wakeup); }
    double idle_wait() const override { return 0.25; }

    void pump(app_state& app, double) override {
        std::vector<event> events;
        std::optional<nlohmann::json> header;
        {
            std::lock_guard lock(mutex_);
            events.swap(events_);
            if (header_ && !loaded_) header = header_;
            app.live.problems = problems_;
        }
        if (header) {
            app.load(view::trace_model(*header, {}), "merged view");
            app.live.mode = live_status::source::merged;
            loaded_ = true;
        }
        show_sources(app);
        app.append_live(std::move(events));
        if (!loaded_) {
            app.live.message = "waiting for every source's events so far";
            app.live.message_is_error = false;
        } else if (!app.live.problems.empty()) {
            app.live.message = app.live.problems.back();
            app.live.message_is_error = true;
        } else {
            app.live.message.clear();
        }
    }

    std::vector<std::string> stop() override {
        if (thread_.joinable()) {
            boost::asio::post(io_, [this] {
                follow_->stop();
                io_.stop();
            });
            thread_.join();
        }
        return {};
    }

private:
    void show_sources(app_state& app) {
        std::lock_guard lock(mutex_);
        app.live.addresses.clear();
        for (const auto& s : sources_) {
            std::string clock;
            switch (s.offset_origin) {
                case clock_offset_origin::estimated:
                    clock = "clock " + format_clock_offset(s.clock_offset_us);
                    break;
                case clock_offset_origin::given:
                    clock = "clock " + format_clock_offset(s.clock_offset_us) + " (given)";
                    break;
                case clock_offset_origin::none: clock = "clock as recorded"; break;
            }
            // The reason is in the problems line already; the live line stays short.
            std::string state = s.failed                                   ? "ended"
                                : s.state.rfind("reconnecting", 0) == 0 ? "reconnecting"
                                                                           : s.state;
            app.live.addresses.push_back(fmt::format("{} {} ({}, {}, {} events)",
                                                     s.name.empty() ? "?" : s.name, s.origin,
                                                     clock, state, s.events));
        }
    }

    boost::asio::io_context io_;
    real_clock clock_;
    std::unique_ptr<merged_follow> follow_;
    std::thread thread_;
    std::mutex mutex_;
    std::optional<nlohmann::json> header_;
    std::vector<event> events_;
    std::vector<follow_source_status> sources_;
    std::vector<std::string> problems_;
    std::atomic<void (*)()> wakeup_{nullptr};
    bool loaded_ = false;  // GUI thread only
};

}  // namespace

std::unique_ptr<live_feed> live_feed::merged(merged_follow_options opts, app_state& app) {
    return std::make_unique<merged_feed>(std::move(opts), app);
}

}  // namespace maillab::gui
