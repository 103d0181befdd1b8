// A defect: something in a message that breaks the RFCs, recorded with where it is so the
// visualizer can teach it. Parsing never stops at a defect; it records it and goes on.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace maillab::mime {

struct defect {
    std::string kind;     // stable key, e.g. "missing_final_boundary" (catalog: mime.defect.KIND)
    std::size_t offset;   // byte offset in the raw message (or in the decoded input of a codec)
    std::string detail;   // what exactly, in words
};

using defect_list = std::vector<defect>;

}  // namespace maillab::mime
