// The words of the What if box and tab in English and Chinese; tr() looks here too.
#pragma once

#include <span>
#include <string_view>
#include <utility>

namespace maillab::gui {

std::span<const std::pair<std::string_view, const char*>> what_if_words();

}  // namespace maillab::gui
