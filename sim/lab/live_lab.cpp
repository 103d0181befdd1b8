#include "sim/lab/live_lab.hpp"

#include <future>
#include <stdexcept>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <fmt/format.h>

#include "sim/core/clock.hpp"
#include "sim/core/scheduler.hpp"
#include "sim/store/mail_store.hpp"
#include "sim/world/world.hpp"
#include "sim/world/scenario_run.hpp"

namespace maillab::lab {

struct live_lab::io_side {
    real_clock clock;
    trace t;
    boost::asio::io_context io;
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard;
    std::unique_ptr<world::live_world> world;
    std::thread thread;

    io_side(const lab_spec& l, world::live_world_config config, const std::vector<trace_listener*>& listeners)
        : t(clock, header_of(l)), guard(boost::asio::make_work_guard(io)) {
        for (auto* listener : listeners) t.subscribe(*listener);
        world = std::make_unique<world::live_world>(io, t, l.scenario, std::move(config));
        if (!l.scenario.script.empty()) copy_set_up_mail(l);
        world->start();
        thread = std::thread([this] { io.run(); });
    }

    ~io_side() {
        run([this] {
            world->stop();
            return 0;
        });
        guard.reset();
        io.stop();
        thread.join();
        world.reset();
    }

    // Real sockets run no script, so the set-up (mail delivered for the student to read, flags
    // set) runs in the simulation, and what it left in the mailboxes is copied into the live
    // stores, in UID order, flags kept: the student finds the same mailbox either way. Each copy
    // is a store event in the live trace, before step 1 (checkpoints do not see it).
    void copy_set_up_mail(const lab_spec& l) {
        virtual_clock sim_clock;
        scheduler sched(sim_clock);
        trace sim_trace(sim_clock);
        world::world sim(l.scenario, sim_trace, sched);
        sim.run();
        for (const auto& h : l.scenario.hosts)
            for (const auto& domain : h.domains) {
                const mail_store* from = sim.store_for_domain(domain);
                mail_store* to = world->store_for_domain(domain);
                if (!from || !to || from == static_cast<const mail_store*>(to)) continue;
                for (const auto& [address, user] : from->users()) {
                    if (address.size() <= domain.size() || !address.ends_with("@" + domain)) continue;
                    for (const auto& [name, box] : user.mailboxes) {
                        if (box.messages.empty()) continue;
                        if (!to->find_mailbox(address, name)) to->create_mailbox(address, name);
                        for (const auto& m : box.messages) to->append(address, name, m.bytes, m.flags, m.internal_date_us);
                    }
                }
            }
    }

    static nlohmann::json header_of(const lab_spec& l) {
        nlohmann::json h = world::scenario_header(l.scenario);
        h["mode"] = "live";
        h["lab"] = l.id;
        h["lab_title"] = l.title.en;
        return h;
    }

    // Runs `f` on the sockets' thread and waits for its result: the trace is not thread-safe.
    template <class F>
    auto run(F f) -> decltype(f()) {
        std::packaged_task<decltype(f())()> task(std::move(f));
        auto result = task.get_future();
        boost::asio::post(io, [&task] { task(); });
        return result.get();
    }
};

live_lab::live_lab(const lab_spec& l, world::live_world_config config, std::vector<trace_listener*> listeners)
    : lab_(l) {
    records_.resize(l.steps.size());
    for (std::size_t i = 0; i < l.steps.size(); ++i) {
        records_[i].id = l.steps[i].id;
        for (const auto& q : l.steps[i].questions) records_[i].questions.push_back({q.id, {}, false, 0});
    }
    io_ = std::make_unique<io_side>(l, std::move(config), listeners);
}

live_lab::~live_lab() = default;

std::vector<world::live_endpoint> live_lab::endpoints() const { return io_->world->endpoints(); }

unsigned short live_lab::role_port() const {
    if (finished() || !current_step().role) return 0;
    const interactive_role& r = *current_step().role;
    for (const auto& e : endpoints())
        if (e.host == r.server && e.service == r.port) return e.port;
    return 0;
}

void live_lab::begin_step() {
    first_seq_ = io_->run([this] { return static_cast<std::uint64_t>(io_->t.events().size() + 1); });
}

std::vector<std::pair<const checkpoint*, predicate_result>> live_lab::evaluate_now() {
    return io_->run([this] {
        std::vector<std::pair<const checkpoint*, predicate_result>> out;
        event_window w{io_->t.events(), first_seq_};
        for (const auto& cp : current_step().checkpoints) out.emplace_back(&cp, evaluate(cp.check, w));
        return out;
    });
}

lab_session::check_result live_lab::check() {
    step_record& rec = records_[current_];
    lab_session::check_result r;
    r.results = evaluate_now();
    r.passed = true;
    for (const auto& [cp, res] : r.results) r.passed &= res.passed;
    if (!r.passed) {
        ++rec.failed_checks;
        r.new_hints = due_hints(current_step().hints, rec.failed_checks, rec.hints_shown);
    }
    return r;
}

lab_session::answer_result live_lab::answer(const question& q, const std::string& text) {
    lab_session::answer_result r;
    for (auto& qr : records_[current_].questions) {
        if (qr.id != q.id) continue;
        qr.answers.push_back(text);
        r.correct = lab_session::answer_is_right(q, text);
        if (r.correct) {
            qr.passed = true;
        } else {
            std::size_t wrong = 0;
            for (const auto& a : qr.answers) wrong += !lab_session::answer_is_right(q, a);
            r.new_hints = due_hints(q.hints, wrong, qr.hints_shown);
        }
    }
    return r;
}

void live_lab::end_step(double seconds) {
    step_record& rec = records_[current_];
    rec.checkpoints.clear();
    for (const auto& [cp, res] : evaluate_now())
        rec.checkpoints.push_back({cp->id, res.passed, res.found, res.found_zh});
    rec.seconds += seconds;
    rec.ended = true;
    ++current_;
}

}  // namespace maillab::lab
