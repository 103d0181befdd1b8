// Pictures from mail (an image part of a message) as OpenGL textures for ImGui::Image, decoded
// with stb_image (PNG, JPEG, GIF, BMP; Debian's libstb) and made once per key.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace maillab::gui {

struct texture {
    unsigned id = 0;  // GLuint
    int width = 0;
    int height = 0;
};

class texture_cache {
  public:
    // The texture for `bytes`, made on first use under `key`; null when stb_image cannot read
    // them (a format it does not know, a damaged file). Needs the GL context.
    const texture* get(const std::string& key, std::string_view bytes);
    // Deletes every texture (when another trace is opened). Needs the GL context, so it is not
    // done by the destructor, which may run after the context is gone; the driver frees what
    // is left when the process ends.
    void release();

  private:
    std::map<std::string, std::optional<texture>> textures_;
};

}  // namespace maillab::gui
