#include "sim/record/annotation_file.hpp"

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>

#include "sim/record/trace_io.hpp"

namespace maillab {
namespace {

bool has_event(const trace_file& f, std::uint64_t seq) {
    // Events are in seq order in every file maillab writes; a hand-made file may not be.
    auto it = std::lower_bound(f.events.begin(), f.events.end(), seq,
                               [](const event& e, std::uint64_t s) { return e.seq < s; });
    if (it != f.events.end() && it->seq == seq) return true;
    return std::any_of(f.events.begin(), f.events.end(),
                       [&](const event& e) { return e.seq == seq; });
}

std::string seq_range(const trace_file& f) {
    if (f.events.empty()) return "the file has no events";
    return fmt::format("the file has #{} to #{}", f.events.front().seq, f.events.back().seq);
}

}  // namespace

annotation_change add_annotation(const std::string& path, annotation a) {
    trace_file f = read_trace_file(path);
    if (a.seq && !has_event(f, *a.seq))
        throw std::invalid_argument(
            fmt::format("{}: no event #{} ({})", path, *a.seq, seq_range(f)));
    if (a.type != annotation_type::view && !a.seq)
        throw std::invalid_argument(
            fmt::format("a {} must be on an event (--seq N)", to_string(a.type)));
    if (a.type == annotation_type::note && a.text.empty())
        throw std::invalid_argument("a note needs some text");
    if (a.type != annotation_type::note && a.name.empty())
        throw std::invalid_argument(fmt::format("a {} needs a name", to_string(a.type)));
    if (a.type == annotation_type::view)
        if (const annotation* old = find_view(f.annotations, a.name))
            throw std::invalid_argument(fmt::format(
                "{}: there is already a view named \"{}\" (id {}); remove it first", path,
                a.name, old->id));
    a.id = next_annotation_id(f.annotations);
    f.annotations.push_back(a);
    write_trace_file(path, f.header, f.events, f.annotations);
    return {std::move(a), std::move(f.annotations), std::move(f.warnings)};
}

annotation_change remove_annotation(const std::string& path, std::uint64_t id) {
    trace_file f = read_trace_file(path);
    auto it = std::find_if(f.annotations.begin(), f.annotations.end(),
                           [&](const annotation& a) { return a.id == id; });
    if (it == f.annotations.end())
        throw std::invalid_argument(fmt::format("{}: no annotation with id {}", path, id));
    annotation removed = *it;
    f.annotations.erase(it);
    write_trace_file(path, f.header, f.events, f.annotations);
    return {std::move(removed), std::move(f.annotations), std::move(f.warnings)};
}

}  // namespace maillab
