// The HTML page's stylesheet and script (sim/export/assets/viewer.css, viewer.js), compiled in
// at build time by embed_assets.cmake.
#pragma once

#include <string_view>

namespace maillab::exporting {
// The text of an asset by file name ("viewer.js"); throws std::logic_error for an unknown name.
std::string_view export_asset(std::string_view name);
}  // namespace maillab::exporting
