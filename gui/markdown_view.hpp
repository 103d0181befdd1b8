// Draws lab instructions (sim/view/markdown_blocks) into the current ImGui window: headings in
// colour, list items with their marker, code blocks in the monospace font on a dark band, and
// `code` spans in the monospace font inside wrapped text.
#pragma once

#include <string_view>

#include "gui/app.hpp"

namespace maillab::gui {

void draw_markdown(std::string_view text, const fonts& f, bool large);

}  // namespace maillab::gui
