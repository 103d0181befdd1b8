// The words of the whole-world views (topology, mailboxes, MIME, side by side, follow one mail,
// relay queue) in English and Chinese, kept apart from ui_text.cpp's table so each view's
// wording lives with the views; tr() looks in both.
#pragma once

#include <span>
#include <string_view>
#include <utility>

namespace maillab::gui {

std::span<const std::pair<std::string_view, const char*>> world_view_words();

}  // namespace maillab::gui
