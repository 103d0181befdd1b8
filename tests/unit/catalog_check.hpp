// Checks that every event's explanation key is in the catalog, in English and Chinese, and that
// rendering it with the event's fields leaves no {placeholder} unfilled.
#pragma once

#include <doctest/doctest.h>

#include <regex>
#include <vector>

#include "sim/core/event.hpp"
#include "sim/explain/catalog.hpp"

namespace maillab::test {

inline void check_explanations(const std::vector<event>& events) {
    const auto& catalog = explain_catalog::builtin();
    static const std::regex unfilled(R"(\{[a-z_]+\})");
    for (const auto& e : events) {
        if (e.explain.empty()) continue;
        INFO("event ", e.seq, " explain=", e.explain);
        const explanation* x = catalog.find(e.explain);
        REQUIRE(x != nullptr);
        for (auto lang : {language::en, language::zh}) {
            auto text = catalog.render(e.explain, lang, e.fields);
            REQUIRE(text);
            CHECK_FALSE(text->empty());
            INFO("rendered: ", *text);
            CHECK_FALSE(std::regex_search(*text, unfilled));
        }
    }
}

}  // namespace maillab::test
