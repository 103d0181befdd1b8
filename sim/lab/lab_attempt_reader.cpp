// Attempt scripts: a lab's solution and wrong attempts, and the attempt files `maillab lab`
// saves (docs/lab-format.md#attempt-files-saving-and-resuming), checked against the lab.
#include <algorithm>

#include <fmt/format.h>

#include "sim/lab/lab_loader.hpp"
#include "sim/lab/lab_reading.hpp"

namespace maillab::lab {
namespace reading {

attempt_script read_script(const json_value& v, const lab_spec& l, const std::set<std::string>& extra_keys) {
    std::set<std::string> keys = {"student", "steps"};
    keys.insert(extra_keys.begin(), extra_keys.end());
    v.expect_keys(keys);
    attempt_script a;
    if (auto s = v.optional_member("student")) a.student = s->as_string();
    std::size_t last = 0;
    bool any = false;
    for (const auto& sv : v.member("steps").elements()) {
        sv.expect_keys({"step", "input", "answers", "seconds"});
        step_script ss;
        ss.where = sv.where();
        auto id = sv.member("step");
        ss.step = id.as_nonempty_string();
        std::size_t index = l.steps.size();
        for (std::size_t i = 0; i < l.steps.size(); ++i)
            if (l.steps[i].id == ss.step) index = i;
        if (index == l.steps.size()) {
            std::vector<std::string> ids;
            for (const auto& s : l.steps) ids.push_back(s.id);
            id.fail(fmt::format("no step \"{}\" in the lab; its steps are: {}", ss.step, join(ids)));
        }
        if (any && index <= last)
            id.fail(fmt::format("step \"{}\" comes before or is the same as the previous one: "
                                "steps are done in the lab's order, once each",
                                ss.step));
        any = true;
        last = index;
        const step& st = l.steps[index];
        if (auto in = sv.optional_member("input")) {
            for (const auto& line : in->elements()) {
                std::string text = line.as_string();
                if (text.find_first_of("\r\n") != std::string::npos)
                    line.fail("one line per element, without CR or LF (the line end is added)");
                ss.input.push_back(text);
            }
            if (!st.role && std::any_of(ss.input.begin(), ss.input.end(), [](const auto& x) {
                    return x.empty() || x[0] != ':';
                }))
                in->fail(fmt::format("step \"{}\" has no interactive role: it takes no "
                                     "protocol lines",
                                     st.id));
        }
        if (auto ans = sv.optional_member("answers")) {
            ans->expect_object();
            for (const auto& [qid, _] : ans->json().items()) {
                auto q = ans->member(qid);
                bool known = false;
                for (const auto& x : st.questions) known |= x.id == qid;
                if (!known) {
                    std::vector<std::string> ids;
                    for (const auto& x : st.questions) ids.push_back(x.id);
                    fail_at_key(*ans, qid,
                                 fmt::format("step \"{}\" has no question \"{}\"{}", st.id, qid,
                                             ids.empty() ? "" : "; its questions are: " + join(ids)));
                }
                std::vector<std::string> given;
                if (q.json().is_number_integer()) given.push_back(std::to_string(q.json().get<long long>()));
                else given = q.as_string_list();
                ss.answers.emplace_back(qid, given);
            }
        }
        if (auto sec = sv.optional_member("seconds")) {
            if (!sec->json().is_number() || sec->json().get<double>() < 0)
                sec->fail("expected a number of seconds (0 or more)");
            ss.seconds = sec->json().get<double>();
        }
        a.steps.push_back(std::move(ss));
    }
    return a;
}

}  // namespace reading

using namespace reading;

std::string attempt_lab_path(const std::string& path) {
    json_document doc(path, read_file(path, "attempt file"));
    json_value root(doc, doc.root(), "");
    root.expect_object();
    if (!root.has("maillab_lab_attempt"))
        root.fail("not an attempt file (no \"maillab_lab_attempt\" key)");
    return root.has("lab") ? root.member("lab").as_string() : std::string();
}

attempt_file load_attempt_text(const std::string& file, const std::string& text, const lab_spec& l) {
    json_document doc(file, text);
    json_value root(doc, doc.root(), "");
    root.expect_object();
    auto version = root.member("maillab_lab_attempt");
    if (version.as_integer(1, 1000000) > attempt_format_version)
        version.fail(fmt::format("this file is attempt format {}; this maillab reads format {} and older",
                                 version.json().get<int>(), attempt_format_version));
    attempt_file a;
    if (auto p = root.optional_member("lab")) a.lab_path = p->as_string();
    if (auto id = root.optional_member("lab_id"))
        if (id->as_string() != l.id)
            id->fail(fmt::format("this attempt is at lab \"{}\", not \"{}\"", id->as_string(), l.id));
    a.script = read_script(root, l, {"maillab_lab_attempt", "lab", "lab_id", "saved_at"});
    return a;
}

attempt_file load_attempt_file(const std::string& path, const lab_spec& l) {
    return load_attempt_text(path, read_file(path, "attempt file"), l);
}

}  // namespace maillab::lab
