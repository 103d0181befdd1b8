// The Lab panel's own words in English and Chinese (the lab's texts are bilingual in the lab
// file, and the runner's messages in sim/lab/lab_runner); tr() looks here too.
#pragma once

#include <span>
#include <string_view>
#include <utility>

namespace maillab::gui {

std::span<const std::pair<std::string_view, const char*>> lab_words();

}  // namespace maillab::gui
