// The diagram as PlantUML text (@startuml ... @enduml), for teachers whose slides, wikis or IDEs
// render PlantUML: the same participants, arrows and notes as the other formats, arrows in the
// protocol's colour (solid for requests, dashed for answers, thin for TCP connects, a cross for
// a failed connect), notes tinted by what they are. Labels go through plantuml_escape(), so
// creole markup and <tags> in a trace stay text.
#pragma once

#include <ostream>

#include "sim/export/diagram_model.hpp"

namespace maillab::exporting {

void write_plantuml(const diagram& d, const export_source& src, std::ostream& out);

}  // namespace maillab::exporting
