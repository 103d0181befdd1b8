#include "gui/live_feed.hpp"

#include <iostream>
#include <ostream>

#include <fmt/format.h>

#include "sim/record/trace_tail.hpp"
#include "sim/world/background_serve.hpp"

namespace maillab::gui {
namespace {

class serve_feed final : public live_feed {
public:
    serve_feed(const world::serve_options& opts, app_state& app, std::ostream& out)
        : servers_(opts) {
        for (const auto& note : servers_.servers().notes()) out << note << '\n';
        for (const auto& line : servers_.servers().describe()) out << line << '\n';
        if (!servers_.recording_path().empty())
            out << "recording every event to " << servers_.recording_path() << '\n';
        app.load(view::trace_model(servers_.header(), {}), "live");
        app.live.mode = live_status::source::serve;
        app.live.addresses.clear();
        for (const auto& e : servers_.servers().endpoints())
            app.live.addresses.push_back(
                fmt::format("{} {}{}", e.service, world::connect_address(e),
                            e.host.empty() || opts.scenario_path.empty() ? "" : " (" + e.host + ")"));
        servers_.start();
        out << "ready; close the window to stop\n" << std::flush;
    }

    void set_wakeup(void (*wakeup)()) override { servers_.inbox().set_wakeup(wakeup); }
    double idle_wait() const override { return 0.5; }

    void pump(app_state& app, double) override {
        app.append_live(servers_.inbox().take());
        std::string failure = servers_.failure();
        if (!failure.empty()) {
            app.live.message = failure;
            app.live.message_is_error = true;
        }
    }

    std::vector<std::string> stop() override {
        servers_.stop();
        std::vector<std::string> lines;
        if (!servers_.recording_path().empty())
            lines.push_back(fmt::format("{} events recorded to {}; replay: maillab replay {}",
                                        servers_.events_recorded(), servers_.recording_path(),
                                        servers_.recording_path()));
        return lines;
    }

private:
    world::background_serve servers_;
};

class attach_feed final : public live_feed {
public:
    attach_feed(const std::string& path, app_state& app) : tail_(path) {
        app.load(view::trace_model(), path);
        app.live.mode = live_status::source::attach;
        app.live.addresses = {"attached to " + path};
        pump(app, -1.0);
    }

    void pump(app_state& app, double now) override {
        // A stat and a read of what was appended, ten times a second.
        if (now >= 0 && now - last_poll_ < 0.1) return;
        last_poll_ = now;
        trace_tail::update u = tail_.poll();
        // A restarted serve (the file emptied or replaced) is a new session: a new model.
        if (u.restarted || u.header) {
            app.load(view::trace_model(u.header.value_or(nlohmann::json::object()), {}),
                     tail_.path());
            if (u.restarted) app.live.problems.clear();
        }
        for (auto& p : u.problems) {
            std::cerr << "maillab-gui: " << p << '\n';
            app.live.problems.push_back(std::move(p));
            if (app.live.problems.size() > 5) app.live.problems.erase(app.live.problems.begin());
        }
        app.append_live(std::move(u.events));
        switch (tail_.state()) {
            case trace_tail::status::waiting_for_file:
                app.live.message = fmt::format("waiting for {} to appear (start `maillab serve "
                                               "--record {}`)",
                                               tail_.path(), tail_.path());
                app.live.message_is_error = false;
                break;
            case trace_tail::status::waiting_for_header:
                app.live.message = fmt::format("waiting for the header line of {}", tail_.path());
                app.live.message_is_error = false;
                break;
            case trace_tail::status::following:
                app.live.message.clear();
                app.live.message_is_error = false;
                break;
            case trace_tail::status::not_a_trace:
            case trace_tail::status::unreadable:
                app.live.message = tail_.problem();
                app.live.message_is_error = true;
                break;
        }
        if (!app.live.problems.empty() && tail_.state() == trace_tail::status::following) {
            app.live.message = app.live.problems.back();
            app.live.message_is_error = true;
        }
        // Say each change of state once on the terminal too (damaged lines are said above).
        if (app.live.message != said_ && !(tail_.state() == trace_tail::status::following &&
                                           !app.live.problems.empty())) {
            said_ = app.live.message;
            if (!said_.empty()) {
                if (app.live.message_is_error) std::cerr << "maillab-gui: " << said_ << std::endl;
                else std::cout << said_ << std::endl;
            } else if (tail_.state() == trace_tail::status::following) {
                std::cout << "following " << tail_.path() << std::endl;
            }
        }
    }

    std::vector<std::string> stop() override { return {}; }
    double idle_wait() const override { return 0.1; }

private:
    trace_tail tail_;
    double last_poll_ = -1.0;
    std::string said_ = "(nothing yet)";
};

}  // namespace

std::unique_ptr<live_feed> live_feed::serve(const world::serve_options& opts, app_state& app,
                                            std::ostream& out) {
    return std::make_unique<serve_feed>(opts, app, out);
}

std::unique_ptr<live_feed> live_feed::attach(const std::string& path, app_state& app) {
    return std::make_unique<attach_feed>(path, app);
}

}  // namespace maillab::gui
