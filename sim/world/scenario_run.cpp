#include "sim/world/scenario_run.hpp"

#include <fmt/format.h>

#include "sim/core/scheduler.hpp"

namespace maillab::world {

nlohmann::json scenario_header(const scenario& s) {
    nlohmann::json hosts = nlohmann::json::array();
    for (const auto& h : s.hosts) {
        nlohmann::json roles = nlohmann::json::array();
        for (auto r : h.roles) roles.push_back(std::string(to_string(r)));
        nlohmann::json host = {{"name", h.name}, {"roles", roles}, {"domains", h.domains}, {"tls", h.tls}};
        if (!h.description.en.empty())
            host["description"] = {{"en", h.description.en}, {"zh", h.description.zh}};
        hosts.push_back(std::move(host));
    }
    nlohmann::json mx = nlohmann::json::object();
    for (const auto& [domain, records] : s.mx) {
        nlohmann::json list = nlohmann::json::array();
        for (const auto& r : records) list.push_back({{"preference", r.preference}, {"host", r.host}});
        mx[domain] = list;
    }
    nlohmann::json links = nlohmann::json::array();
    for (const auto& l : s.links) links.push_back({{"between", {l.a, l.b}}, {"latency_us", l.latency_us}});
    return {{"scenario", s.id},
            {"title", s.title.en},
            {"title_zh", s.title.zh},
            {"description", s.description.en},
            {"description_zh", s.description.zh},
            {"seeds", s.seeds},
            {"world", {{"hosts", hosts}, {"mx", mx}, {"links", links},
                       {"default_latency_us", s.default_latency_us}}}};
}

namespace {

// Keeps a copy of every event in the run's result while the trace itself keeps none: the
// result outlives the trace, and copying a million events at the end used to be a fifth of a
// big run's time and double its memory (docs/performance.md, The engine).
class result_events final : public trace_listener {
public:
    explicit result_events(std::vector<event>& out) : out_(out) {}
    void on_event(const event& e) override { out_.push_back(e); }

private:
    std::vector<event>& out_;
};

}  // namespace

scenario_result run_scenario(const scenario& s, const std::vector<trace_listener*>& listeners,
                             const client_output_edit* edit) {
    virtual_clock clock;
    scheduler sched(clock);
    nlohmann::json header = scenario_header(s);
    if (edit) {
        // A recorded branch says what it is a branch of.
        header["what_if"] = {{"original_seq", edit->original_seq},
                             {"conn", edit->conn},
                             {"original", edit->original}};
        if (edit->replacement) header["what_if"]["replacement"] = *edit->replacement;
        else header["what_if"]["skip"] = true;
    }
    trace t(clock, std::move(header));
    for (auto* l : listeners) t.subscribe(*l);

    scenario_result result;
    result_events keep(result.events);
    t.subscribe(keep);
    t.set_retain(false);
    {
        world w(s, t, sched);
        if (edit) w.set_output_edit(*edit);
        w.run();
        if (edit) result.edit = w.output_edit_status();
        result.steps = w.outcomes();
        result.all_steps_finished = true;
        for (const auto& step : result.steps) {
            if (step.finished) continue;
            result.all_steps_finished = false;
            event e;
            e.kind = event_kind::note;
            e.proto = "world";
            e.text = fmt::format("step {} never finished (defined at {})", step.index + 1,
                                 s.script[step.index].where);
            e.explain = "world.step_unfinished";
            e.fields = {{"step", step.index + 1}};
            t.append(std::move(e));
        }
        result.expectations = check_expectations(w, result.events);
    }
    std::size_t passed = 0;
    for (const auto& r : result.expectations) {
        passed += r.passed;
        event e;
        e.kind = event_kind::note;
        e.proto = "world";
        e.text = fmt::format("expectation {}: {} ({})", r.passed ? "met" : "NOT met", r.summary,
                             r.found);
        e.explain = r.passed ? "world.expectation_met" : "world.expectation_failed";
        e.fields = {{"passed", r.passed}, {"expected", r.summary}, {"found", r.found},
                    {"defined_at", r.spec->where}};
        if (!r.spec->description.en.empty())
            e.fields["description"] = {{"en", r.spec->description.en}, {"zh", r.spec->description.zh}};
        t.append(std::move(e));
    }
    result.passed = result.all_steps_finished && passed == result.expectations.size();
    for (auto* l : listeners) t.unsubscribe(*l);
    t.unsubscribe(keep);
    result.header = t.header();
    return result;
}

}  // namespace maillab::world
