// Reads the window's framebuffer and writes a PNG (stb_image_write): how the tests and the docs
// get pictures of the GUI without a person at a screen.
#pragma once

#include <string>

namespace maillab::gui {

// Returns an empty string on success, otherwise what went wrong.
std::string write_screenshot(const std::string& path, int width, int height);

}  // namespace maillab::gui
