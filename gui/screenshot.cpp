#include "gui/screenshot.hpp"

#include <GL/gl.h>

#include <vector>

// Debian's libstb already holds the implementation: only the declarations here.
#include <stb_image_write.h>

namespace maillab::gui {

std::string write_screenshot(const std::string& path, int width, int height) {
    std::vector<unsigned char> pixels(static_cast<std::size_t>(width) * height * 3);
    glPixelStorei(GL_PACK_ALIGNMENT, 1);
    glReadBuffer(GL_BACK);
    glReadPixels(0, 0, width, height, GL_RGB, GL_UNSIGNED_BYTE, pixels.data());
    if (glGetError() != GL_NO_ERROR) return "glReadPixels failed";
    // OpenGL's rows go bottom-up; PNG's top-down.
    stbi_flip_vertically_on_write(1);
    if (!stbi_write_png(path.c_str(), width, height, 3, pixels.data(), width * 3))
        return "cannot write " + path;
    return {};
}

}  // namespace maillab::gui
