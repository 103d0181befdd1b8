// The golden traces of tests/golden/ as view models, and finding events in them by seq or text:
// the models of sim/view are tested on the same traces the scenarios are locked to.
#pragma once

#include <doctest/doctest.h>

#include <string>
#include <string_view>

#include "sim/record/trace_io.hpp"
#include "sim/view/trace_model.hpp"

#ifndef MAILLAB_SOURCE_DIR
#error "MAILLAB_SOURCE_DIR must name the source tree (tests/CMakeLists.txt defines it)"
#endif

namespace maillab::test {

inline view::trace_model golden_trace(const std::string& name) {
    trace_file f =
        read_trace_file(std::string(MAILLAB_SOURCE_DIR) + "/tests/golden/" + name + ".jsonl");
    return view::trace_model(std::move(f.header), std::move(f.events));
}

inline std::size_t at_seq(const view::trace_model& m, std::uint64_t seq) {
    auto i = m.index_of_seq(seq);
    REQUIRE_MESSAGE(i.has_value(), "no event with seq " << seq);
    return *i;
}

inline std::size_t first_with_text(const view::trace_model& m, std::string_view prefix) {
    for (std::size_t i = 0; i < m.size(); ++i)
        if (m.at(i).text.rfind(prefix, 0) == 0) return i;
    FAIL("no event whose text starts with " << prefix);
    return 0;
}

}  // namespace maillab::test
