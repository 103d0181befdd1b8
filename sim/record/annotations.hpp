// A teacher's annotations of a recording: a note on an event (English, optionally Chinese), a
// named bookmark on an event, and a saved view (a filter of the event log and a cursor). They
// live in the recording itself, as lines {"annotation": {...}} after the header (trace format
// version 2, docs/trace-format.md), so handing out one file hands out the lesson.
//
// This header is the model every reader uses: the terminal replay, the GUI and the exporters.
// Changing the annotations of a file on disk is sim/record/annotation_file.hpp.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/explain/catalog.hpp"
#include "sim/view/event_filter.hpp"

namespace maillab {

enum class annotation_type {
    note,      // a remark on one event
    bookmark,  // a named place in the trace
    view,      // a saved filter of the event log, with a cursor
};

std::string_view to_string(annotation_type type);
std::optional<annotation_type> annotation_type_from_string(std::string_view name);

struct annotation {
    std::uint64_t id = 0;  // unique in its file, > 0; what `maillab annotate --remove` takes
    annotation_type type = annotation_type::note;
    // note, bookmark: the seq of the event it is attached to (required).
    // view: the cursor's seq (optional).
    std::optional<std::uint64_t> seq;
    std::string text;           // note: the text, shown in English and as the fallback
    std::string text_zh;        // note: the Chinese text (optional)
    std::string name;           // bookmark, view: a short name
    view::event_filter filter;  // view: what the event log shows

    // A note's text in a language: text_zh for Chinese when there is one, else text.
    const std::string& note_text(language lang) const;
    // One line for a listing: "3  note  #14  The server ..." (what `annotate --list` prints).
    std::string summary(language lang = language::en) const;

    bool operator==(const annotation&) const = default;
};

// The object inside {"annotation": ...}. annotation_from_json() checks it completely and throws
// std::invalid_argument naming the offending key; it never gives back an annotation that
// to_json could not write again.
nlohmann::ordered_json annotation_to_json(const annotation& a);
annotation annotation_from_json(const nlohmann::json& j);
// A whole line {"annotation": {...}}, without the newline.
std::string annotation_line(const annotation& a);
// Whether a parsed line is an annotation line: an object whose only key is "annotation" (an
// event always has seq, t_us, kind and text, so the two never look alike).
bool is_annotation_line(const nlohmann::json& j);

// The id for a new annotation: one more than the largest in use (ids are never reused while the
// older ones remain, so "--remove 3" means the same note to everyone reading the file).
std::uint64_t next_annotation_id(const std::vector<annotation>& all);

// Notes and bookmarks by the seq of their event, for views that ask per row. Holds pointers into
// the vector it was built from: rebuild it whenever that vector changes.
class annotation_index {
public:
    annotation_index() = default;
    explicit annotation_index(const std::vector<annotation>& all);
    // The notes and bookmarks on the event with this seq, in file order (empty when none).
    const std::vector<const annotation*>& on(std::uint64_t seq) const;
    bool has(std::uint64_t seq) const { return by_seq_.count(seq) > 0; }

private:
    std::unordered_map<std::uint64_t, std::vector<const annotation*>> by_seq_;
};

// The saved view with this name, if the list has one.
const annotation* find_view(const std::vector<annotation>& all, std::string_view name);

}  // namespace maillab
