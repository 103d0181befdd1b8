#include "gui/textures.hpp"

#include <GL/gl.h>

#include <climits>

// Debian's libstb already holds the implementation: only the declarations here.
#include <stb_image.h>

namespace maillab::gui {

const texture* texture_cache::get(const std::string& key, std::string_view bytes) {
    auto found = textures_.find(key);
    if (found != textures_.end()) return found->second ? &*found->second : nullptr;
    std::optional<texture> made;
    int w = 0, h = 0, channels = 0;
    if (bytes.size() < INT_MAX) {
        unsigned char* pixels =
            stbi_load_from_memory(reinterpret_cast<const unsigned char*>(bytes.data()),
                                  static_cast<int>(bytes.size()), &w, &h, &channels, 4);
        if (pixels) {
            GLuint id = 0;
            glGenTextures(1, &id);
            glBindTexture(GL_TEXTURE_2D, id);
            // Nearest: a small picture scaled up shows its real pixels, not a blur.
            glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
            glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
            glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
            glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
            glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
            glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA, w, h, 0, GL_RGBA, GL_UNSIGNED_BYTE, pixels);
            stbi_image_free(pixels);
            made = texture{id, w, h};
        }
    }
    auto [it, inserted] = textures_.emplace(key, made);
    return it->second ? &*it->second : nullptr;
}

void texture_cache::release() {
    for (auto& [key, t] : textures_)
        if (t) glDeleteTextures(1, &t->id);
    textures_.clear();
}

}  // namespace maillab::gui
