// Identifiers for the participants of a text diagram (Mermaid, PlantUML): diagram_id() of each
// host, made unique with _2, _3 when two host names give the same one ("a.b" and "a-b").
#pragma once

#include <string>
#include <vector>

#include "sim/export/diagram_model.hpp"

namespace maillab::exporting {

std::vector<std::string> participant_ids(const diagram& d);

}  // namespace maillab::exporting
