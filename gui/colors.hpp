// Protocol colours shared by every panel, chosen to stay distinct on a projector.
#pragma once

#include <string_view>

#include <imgui.h>

#include "sim/core/event.hpp"

namespace maillab::gui {

ImU32 protocol_color(std::string_view proto, bool high_contrast = false);
ImVec4 protocol_color_vec(std::string_view proto, bool high_contrast = false);
const char* kind_symbol(event_kind kind);

}  // namespace maillab::gui
