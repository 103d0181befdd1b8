#include "sim/record/merged_follow.hpp"

#include <filesystem>

#include <fmt/format.h>

#include "sim/record/trace_io.hpp"

namespace maillab {

std::string describe(const follow_source_status& s) {
    std::string clock;
    switch (s.offset_origin) {
        case clock_offset_origin::estimated:
            clock = fmt::format("clock {} (estimated)", format_clock_offset(s.clock_offset_us));
            break;
        case clock_offset_origin::given:
            clock = fmt::format("clock {} (given)", format_clock_offset(s.clock_offset_us));
            break;
        case clock_offset_origin::none: clock = "clock as recorded"; break;
    }
    return fmt::format("{:<18} {:<22} {:<28} {}, {} events", s.name.empty() ? "?" : s.name,
                       s.origin, clock, s.state, s.events);
}

merged_follow::merged_follow(boost::asio::io_context& io, merged_follow_options opts,
                             callbacks cb, const clock_source& clock)
    : io_(io), opts_(std::move(opts)), cb_(std::move(cb)), clock_(clock), timer_(io) {
    for (const auto& t : opts_.live) {
        follow_source_status s;
        s.origin = t.address();
        s.state = "connecting";
        status_.push_back(s);
        // A place in the merge now, so the sources keep the order given.
        merger_index_.push_back(merger_.add_source(s.origin, s.origin, nlohmann::json::object()));
        settled_.push_back(false);
    }
    for (const auto& path : opts_.files) {
        trace_file f = read_trace_file(path);
        for (const auto& w : f.warnings) cb_.say ? cb_.say(w, true) : void();
        std::string stem = std::filesystem::path(path).stem().string();
        std::size_t m = merger_.add_source(source_name(f.header, stem), path, f.header);
        follow_source_status s;
        s.origin = path;
        s.name = merger_.sources()[m].name;
        s.state = "file";
        status_.push_back(s);
        merger_index_.push_back(m);
        settled_.push_back(true);
        apply_given_offset(status_.size() - 1, m);
        for (auto& e : f.events) merger_.push(m, std::move(e));
    }
}

void merged_follow::apply_given_offset(std::size_t i, std::size_t m) {
    auto it = opts_.given_offsets_us.find(status_[i].name);
    if (it == opts_.given_offsets_us.end()) return;
    merger_.set_clock_offset(m, it->second, clock_offset_origin::given);
    status_[i].clock_offset_us = it->second;
    status_[i].offset_origin = clock_offset_origin::given;
}

void merged_follow::start() {
    subscribers_.resize(opts_.live.size());
    for (std::size_t i = 0; i < opts_.live.size(); ++i) {
        live_.emplace_back();
        live_.back().retry = std::make_unique<boost::asio::steady_timer>(io_);
        subscribe(i);
    }
    if (opts_.live.empty())
        for (const auto& s : status_)
            if (cb_.say) cb_.say(describe(s), false);
    changed();
    try_start();
    tick();
}

void merged_follow::subscribe(std::size_t i) {
    trace_subscriber::callbacks cb;
    cb.header = [this, i](const nlohmann::json& header, std::int64_t offset) {
        header_came(i, header, offset);
    };
    cb.event = [this, i](event e) {
        live_source& l = live_[i];
        if (e.seq <= l.skip_through) return;  // had it before the connection broke
        l.last_seq = e.seq;
        merger_.push(*merger_index_[i], std::move(e));
    };
    cb.caught_up = [this, i] {
        status_[i].state = "live";
        settled_[i] = true;
        live_[i].said_waiting = false;
        if (cb_.say) cb_.say(describe(status_[i]), false);
        changed();
        try_start();
    };
    cb.problem = [this](const std::string& p) {
        if (cb_.say) cb_.say(p, true);
    };
    cb.ended = [this, i](const std::string& reason) {
        if (opts_.reconnect && !stopped_ && subscribers_[i]->may_come_back())
            return reconnect_later(i, reason);
        status_[i].state = "ended: " + reason;
        status_[i].failed = true;
        settled_[i] = true;
        if (cb_.say) cb_.say(reason, true);
        changed();
        try_start();
    };
    subscribers_[i] = trace_subscriber::start(io_, opts_.live[i], std::move(cb), clock_);
}

void merged_follow::header_came(std::size_t i, const nlohmann::json& header,
                                std::int64_t offset) {
    std::size_t m = *merger_index_[i];
    live_source& l = live_[i];
    const std::string& session = subscribers_[i]->session();
    bool again = !l.session.empty();
    bool same_run = again && session == l.session;
    merger_.identify_source(m, source_name(header, status_[i].origin), header);
    status_[i].name = merger_.sources()[m].name;
    if (same_run) {
        l.skip_through = l.last_seq;
        if (cb_.say)
            cb_.say(fmt::format("{}: back on the same run of {}; the {} events already had are "
                                "skipped",
                                status_[i].origin, status_[i].name, l.last_seq),
                    false);
    } else if (again) {
        merger_.restart_source(m);
        l.skip_through = 0;
        l.last_seq = 0;
        if (cb_.say)
            cb_.say(fmt::format("{}: {} was restarted; its new session follows the earlier one",
                                status_[i].origin, status_[i].name),
                    false);
    }
    l.session = session.empty() ? "?" : session;
    status_[i].state = "catching up";
    status_[i].failed = false;
    merger_.set_clock_offset(m, offset, clock_offset_origin::estimated);
    status_[i].clock_offset_us = offset;
    status_[i].offset_origin = clock_offset_origin::estimated;
    apply_given_offset(i, m);
    changed();
}

void merged_follow::reconnect_later(std::size_t i, const std::string& reason) {
    live_source& l = live_[i];
    l.waiting = true;
    settled_[i] = true;  // the others do not wait for a machine that may never come
    status_[i].state = "reconnecting: " + reason;
    status_[i].failed = false;
    // Said once per streak: an unreachable machine is tried every few seconds for a lesson.
    if (!l.said_waiting && cb_.say)
        cb_.say(fmt::format("{} (trying again every {} s)", reason,
                            std::chrono::duration<double>(*opts_.reconnect).count()),
                true);
    l.said_waiting = true;
    changed();
    try_start();
    l.retry->expires_after(*opts_.reconnect);
    l.retry->async_wait([this, i](const boost::system::error_code& ec) {
        if (ec || stopped_) return;
        live_[i].waiting = false;
        subscribe(i);
    });
}

void merged_follow::try_start() {
    if (started_ || stopped_) return;
    for (bool s : settled_)
        if (!s) return;
    started_ = true;
    for (const auto& [name, offset] : opts_.given_offsets_us) {
        bool known = false;
        for (const auto& s : merger_.sources()) known = known || s.name == name;
        if (!known && cb_.say)
            cb_.say(fmt::format("--clock-offset {}: no source is called that (the sources: {})",
                                name,
                                [&] {
                                    std::string names;
                                    for (const auto& s : merger_.sources())
                                        names += (names.empty() ? "" : ", ") + s.name;
                                    return names.empty() ? std::string("none") : names;
                                }()),
                    true);
    }
    if (cb_.started) cb_.started(merger_.header());
}

void merged_follow::tick() {
    if (stopped_ || finished_) return;
    if (started_) {
        bool live_left = false;
        for (std::size_t i = 0; i < opts_.live.size(); ++i)
            live_left = live_left || live_[i].waiting || !subscribers_[i]->ended();
        if (!live_left) {
            hand_out(merger_.release_all());
            finished_ = true;
            if (cb_.finished) cb_.finished();
            return;
        }
        auto hold_us = std::chrono::duration_cast<std::chrono::microseconds>(opts_.hold).count();
        hand_out(merger_.release(clock_.now_us() - hold_us));
    }
    timer_.expires_after(std::chrono::milliseconds(100));
    timer_.async_wait([this](const boost::system::error_code& ec) {
        if (!ec) tick();
    });
}

void merged_follow::hand_out(std::vector<event> events) {
    if (events.empty()) return;
    for (std::size_t i = 0; i < status_.size(); ++i)
        if (merger_index_[i]) status_[i].events = merger_.sources()[*merger_index_[i]].events;
    if (cb_.events) cb_.events(std::move(events));
    changed();
}

void merged_follow::changed() {
    if (cb_.sources) cb_.sources(status_);
}

void merged_follow::stop() {
    if (stopped_) return;
    for (auto& s : subscribers_)
        if (s) s->stop();
    if (!started_) {
        started_ = true;
        if (cb_.started) cb_.started(merger_.header());
    }
    if (!finished_) {
        hand_out(merger_.release_all());
        finished_ = true;
    }
    shut_down();
}

void merged_follow::shut_down() {
    stopped_ = true;
    timer_.cancel();
    for (auto& l : live_) l.retry->cancel();
    for (auto& s : subscribers_)
        if (s) s->stop();
}

}  // namespace maillab
