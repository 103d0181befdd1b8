// The interface's own words in English and Chinese. Protocol explanations come from the
// catalog in sim/explain; these are labels, buttons and headings.
#pragma once

#include <string_view>

#include "sim/explain/catalog.hpp"

namespace maillab::gui {

// tr("Play", lang) -> "Play" or "播放". Unknown strings come back as given.
const char* tr(std::string_view english, language lang);
// Every Chinese string the interface can show (for building the font's glyph ranges).
std::string all_ui_text_zh();

}  // namespace maillab::gui
