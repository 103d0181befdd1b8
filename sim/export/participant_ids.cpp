#include "sim/export/participant_ids.hpp"

#include <algorithm>

#include "sim/export/escape.hpp"

namespace maillab::exporting {

std::vector<std::string> participant_ids(const diagram& d) {
    std::vector<std::string> ids;
    for (const auto& p : d.participants) {
        std::string base = diagram_id(p.host);
        std::string id = base;
        for (int n = 2; std::find(ids.begin(), ids.end(), id) != ids.end(); ++n)
            id = base + "_" + std::to_string(n);
        ids.push_back(id);
    }
    return ids;
}

}  // namespace maillab::exporting
