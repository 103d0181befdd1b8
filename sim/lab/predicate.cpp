#include "sim/lab/predicate.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "sim/core/bytes.hpp"

namespace maillab::lab {
namespace {

bool is_operator(const nlohmann::json& want) {
    return want.is_object() && want.size() >= 1 &&
           (want.contains("contains") || want.contains("one_of") || want.contains("min") ||
            want.contains("max") || want.contains("not"));
}

bool value_matches(const nlohmann::json& have, const nlohmann::json& want);

bool scalar_matches(const nlohmann::json& have, const nlohmann::json& want) {
    if (!is_operator(want)) return have == want;
    for (const auto& [op, arg] : want.items()) {
        if (op == "contains") {
            if (!have.is_string() || !arg.is_string()) return false;
            if (to_lower(have.get<std::string>()).find(to_lower(arg.get<std::string>())) ==
                std::string::npos)
                return false;
        } else if (op == "one_of") {
            if (std::none_of(arg.begin(), arg.end(),
                             [&](const nlohmann::json& x) { return value_matches(have, x); }))
                return false;
        } else if (op == "min") {
            if (!have.is_number() || have.get<double>() < arg.get<double>()) return false;
        } else if (op == "max") {
            if (!have.is_number() || have.get<double>() > arg.get<double>()) return false;
        } else if (op == "not") {
            if (value_matches(have, arg)) return false;
        }
    }
    return true;
}

bool value_matches(const nlohmann::json& have, const nlohmann::json& want) {
    if (have.is_array() && !want.is_array())
        return std::any_of(have.begin(), have.end(),
                           [&](const nlohmann::json& x) { return scalar_matches(x, want); });
    return scalar_matches(have, want);
}

// "text" and "raw" given as a plain string match when they contain it (as in a scenario's event
// expectation); exactly as written, since raw bytes are what the lesson is about.
bool contains_matches(const std::string& have, const nlohmann::json& want) {
    if (want.is_string()) return have.find(want.get<std::string>()) != std::string::npos;
    return value_matches(have, want);
}

const event* event_by_seq(const event_window& w, std::uint64_t seq) {
    if (seq == 0 || seq > w.all.size()) return nullptr;
    const event& e = w.all[seq - 1];
    return e.seq == seq ? &e : nullptr;
}

}  // namespace

bool pattern_matches(const event& e, const nlohmann::json& pattern, const event_window& w) {
    for (const auto& [key, want] : pattern.items()) {
        if (key == "kind") {
            if (!value_matches(std::string(to_string(e.kind)), want)) return false;
        } else if (key == "proto") {
            if (!value_matches(e.proto, want)) return false;
        } else if (key == "from") {
            if (!value_matches(e.from, want)) return false;
        } else if (key == "to") {
            if (!value_matches(e.to, want)) return false;
        } else if (key == "explain") {
            if (!value_matches(e.explain, want)) return false;
        } else if (key == "conn") {
            if (!value_matches(e.conn, want)) return false;
        } else if (key == "text") {
            if (!contains_matches(e.text, want)) return false;
        } else if (key == "raw") {
            if (!e.raw || !contains_matches(*e.raw, want)) return false;
        } else if (key == "cause") {
            const event* c = e.cause ? event_by_seq(w, *e.cause) : nullptr;
            if (!c || !pattern_matches(*c, want, w)) return false;
        } else {
            if (!e.fields.contains(key) || !value_matches(e.fields[key], want)) return false;
        }
    }
    return true;
}

predicate_result evaluate(const predicate& p, const event_window& w) {
    predicate_result r;
    switch (p.what) {
        case predicate::kind::event: {
            std::size_t n = 0;
            for (const auto& e : w.all) {
                if (e.seq < w.first_seq || !pattern_matches(e, p.pattern, w)) continue;
                if (++n == p.min) r.witness = e.seq;
            }
            r.passed = n >= p.min && (!p.max || n <= *p.max);
            if (p.min == 0) r.witness = 0;
            r.found = fmt::format("{} matching event(s)", n);
            r.found_zh = fmt::format("{} 个匹配的事件", n);
            return r;
        }
        case predicate::kind::all: {
            r.passed = true;
            for (const auto& c : p.children) {
                auto cr = evaluate(c, w);
                if (!cr.passed) {
                    r.passed = false;
                    r.found = cr.found;
                    r.found_zh = cr.found_zh;
                    r.witness = 0;
                    return r;
                }
                r.witness = std::max(r.witness, cr.witness);
            }
            r.found = "all hold";
            r.found_zh = "全部成立";
            return r;
        }
        case predicate::kind::any: {
            for (const auto& c : p.children) {
                auto cr = evaluate(c, w);
                if (cr.passed && (!r.passed || cr.witness < r.witness)) {
                    r.passed = true;
                    r.witness = cr.witness;
                    r.found = cr.found;
                    r.found_zh = cr.found_zh;
                }
            }
            if (!r.passed) {
                r.found = "none holds";
                r.found_zh = "没有一个成立";
            }
            return r;
        }
        case predicate::kind::negation: {
            auto cr = evaluate(p.children.at(0), w);
            r.passed = !cr.passed;
            r.found = cr.found;
            r.found_zh = cr.found_zh;
            return r;
        }
        case predicate::kind::before: {
            auto a = evaluate(p.children.at(0), w);
            auto b = evaluate(p.children.at(1), w);
            if (!a.passed)
                return {false, 0, "the first did not happen (" + a.found + ")", "前一个没有发生（" + a.found_zh + "）"};
            if (!b.passed)
                return {false, 0, "the second did not happen (" + b.found + ")", "后一个没有发生（" + b.found_zh + "）"};
            r.passed = a.witness < b.witness;
            r.witness = b.witness;
            r.found = r.passed ? fmt::format("event {} came before event {}", a.witness, b.witness)
                               : fmt::format("the second came first (event {} before event {})",
                                             b.witness, a.witness);
            r.found_zh = r.passed ? fmt::format("事件 {} 在事件 {} 之前", a.witness, b.witness)
                                  : fmt::format("后一个先发生了（事件 {} 在事件 {} 之前）", b.witness, a.witness);
            return r;
        }
    }
    return r;
}

}  // namespace maillab::lab
