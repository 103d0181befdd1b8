// Questions and hints of a lab step (docs/lab-format.md#questions): the four kinds, their
// answers normalised, a choose_state question's states checked against its machine.
#include <fmt/format.h>

#include "sim/lab/lab_loader.hpp"
#include "sim/lab/lab_reading.hpp"

namespace maillab::lab::reading {

std::vector<hint> read_hints(const json_value& list) {
    std::vector<hint> out;
    for (const auto& h : list.elements()) {
        h.expect_keys({"after", "text"});
        hint x;
        if (auto a = h.optional_member("after")) x.after = static_cast<std::size_t>(a->as_integer(1, 1000));
        x.text = read_bilingual(h.member("text"));
        out.push_back(std::move(x));
    }
    return out;
}

question read_question(const json_value& v) {
    v.expect_object();
    question q;
    q.where = v.where();
    std::string type = v.member("type").as_choice({"multiple_choice", "reply_code", "choose_state", "short_answer"});
    std::set<std::string> keys = {"id", "type", "when", "prompt", "answer", "explanation", "hints"};
    if (type == "multiple_choice") keys.insert("choices");
    if (type == "choose_state") keys.insert("machine");
    v.expect_keys(keys);
    auto id = v.member("id");
    q.id = id.as_nonempty_string();
    check_id(id, q.id);
    if (auto w = v.optional_member("when")) q.before = w->as_choice({"before", "after"}) == "before";
    q.prompt = read_bilingual(v.member("prompt"));
    q.explanation = read_bilingual(v.member("explanation"));
    if (auto hs = v.optional_member("hints")) q.hints = read_hints(*hs);
    auto answer = v.member("answer");
    if (type == "multiple_choice") {
        q.kind = question_kind::multiple_choice;
        auto choices = v.member("choices");
        for (const auto& c : choices.elements()) {
            c.expect_keys({"id", "text"});
            std::string cid = normalise_answer(c.member("id").as_nonempty_string());
            for (const auto& [x, _] : q.choices)
                if (x == cid) c.member("id").fail(fmt::format("a second choice \"{}\"", cid));
            q.choices.emplace_back(cid, read_bilingual(c.member("text")));
        }
        if (q.choices.size() < 2) choices.fail("give at least two choices");
        for (const auto& a : answer.as_string_list()) {
            std::string n = normalise_answer(a);
            bool known = false;
            for (const auto& [x, _] : q.choices) known |= x == n;
            if (!known) answer.fail(fmt::format("\"{}\" is not one of the choices' ids", a));
            q.answers.push_back(n);
        }
    } else if (type == "reply_code") {
        q.kind = question_kind::reply_code;
        std::vector<json_value> codes = answer.is_array() ? answer.elements() : std::vector<json_value>{answer};
        for (const auto& c : codes) q.answers.push_back(std::to_string(c.as_integer(100, 599)));
    } else if (type == "choose_state") {
        q.kind = question_kind::choose_state;
        auto machine = v.member("machine");
        q.machine = machine.as_nonempty_string();
        auto states = machine_states(q.machine);
        if (states.empty())
            machine.fail(fmt::format("no state machine \"{}\"; the machines are: {}", q.machine,
                                     join(machine_names())));
        for (const auto& st : states) q.choices.emplace_back(normalise_answer(st), bilingual{st, st});
        for (const auto& a : answer.as_string_list()) {
            if (std::find(states.begin(), states.end(), a) == states.end())
                answer.fail(fmt::format("{} has no state \"{}\"; its states are: {}", q.machine, a,
                                        join(states)));
            q.answers.push_back(normalise_answer(a));
        }
    } else {
        q.kind = question_kind::short_answer;
        for (const auto& a : answer.as_string_list()) q.answers.push_back(normalise_answer(a));
    }
    if (q.answers.empty()) answer.fail("give at least one accepted answer");
    return q;
}

}  // namespace maillab::lab::reading
