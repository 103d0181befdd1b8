// Changing the annotations of a recording on disk (`maillab annotate`, the GUI's Save): read
// the file, change the list, write it all back atomically (write_trace_file(): a temporary file
// beside it, then a rename), so a crash leaves the old file or the new one, never half of one.
// Each change re-reads the file, so a note added by the command line while the GUI is open is
// not lost when the GUI saves its own.
//
// Annotate a recording once it is finished: a `maillab serve --record` still running keeps
// writing to the file it opened, which the rename replaces.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/record/annotations.hpp"

namespace maillab {

struct annotation_change {
    annotation changed;                   // the one added (with its new id) or removed
    std::vector<annotation> annotations;  // the file's annotations after the change
    // From reading the file, e.g. a last line cut off by a crash, which is not written back.
    std::vector<std::string> warnings;
};

// Gives `a` the next free id and adds it. A note or a bookmark must be on an event the file
// has; so must a view's cursor; a view's name must be new. Throws trace_format_error for a file
// that does not read, std::invalid_argument for an annotation that does not fit it, and
// std::runtime_error when the file cannot be written.
annotation_change add_annotation(const std::string& path, annotation a);

// Removes the annotation with this id; std::invalid_argument when there is none.
annotation_change remove_annotation(const std::string& path, std::uint64_t id);

}  // namespace maillab
