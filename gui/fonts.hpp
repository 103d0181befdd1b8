// Fonts: Noto Sans CJK for the interface (Latin and Chinese) and DejaVu Sans Mono (with the CJK
// glyphs merged in) for raw bytes, each at a normal and a projector size. The glyph ranges are
// built from the text that can actually appear, so the atlas stays small.
#pragma once

#include <string>

#include "gui/app.hpp"

namespace maillab::gui {

// `extra_text` is every string the session may show (trace texts, catalog, UI words).
fonts load_fonts(const std::string& extra_text);

}  // namespace maillab::gui
