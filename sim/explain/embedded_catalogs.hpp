#pragma once

#include <string_view>
#include <utility>
#include <vector>

namespace maillab {
// (file name, JSON text) of every catalog file, generated at build time.
const std::vector<std::pair<std::string_view, std::string_view>>& embedded_catalogs();
}  // namespace maillab
