#include "gui/fonts.hpp"

#include <filesystem>

#include <imgui.h>

namespace maillab::gui {
namespace {
const char* first_existing(std::initializer_list<const char*> paths) {
    for (const char* p : paths)
        if (std::filesystem::exists(p)) return p;
    return nullptr;
}
}  // namespace

fonts load_fonts(const std::string& extra_text) {
    ImGuiIO& io = ImGui::GetIO();
    // Keep the ranges alive for the atlas build.
    static ImVector<ImWchar> ranges;
    ranges.clear();
    ImFontGlyphRangesBuilder builder;
    builder.AddRanges(io.Fonts->GetGlyphRangesDefault());
    builder.AddRanges(io.Fonts->GetGlyphRangesChineseSimplifiedCommon());
    builder.AddText(extra_text.c_str());
    builder.AddText("→←↳◆✎▣★☆…│·");
    builder.BuildRanges(&ranges);

    const char* cjk = first_existing({"/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
                                      "/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf"});
    const char* mono = first_existing({"/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"});
    const char* sans = first_existing({"/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"});

    auto add = [&](float size, bool monospace) -> ImFont* {
        ImFontConfig cfg;
        cfg.OversampleH = 1;
        cfg.OversampleV = 1;
        ImFont* font = nullptr;
        const char* base = monospace ? mono : nullptr;
        if (base) font = io.Fonts->AddFontFromFileTTF(base, size, &cfg, io.Fonts->GetGlyphRangesDefault());
        if (cjk) {
            ImFontConfig merge;
            merge.OversampleH = 1;
            merge.OversampleV = 1;
            merge.MergeMode = font != nullptr;
            merge.FontNo = 2;  // the Simplified Chinese face in the collection
            ImFont* f = io.Fonts->AddFontFromFileTTF(cjk, size, &merge, ranges.Data);
            if (!font) font = f;
        }
        // Arrows and symbols the CJK face lacks come from DejaVu Sans.
        if (sans && font) {
            ImFontConfig merge;
            merge.MergeMode = true;
            static const ImWchar symbols[] = {0x2190, 0x21FF, 0x2500, 0x25FF, 0x2600, 0x27BF, 0};
            io.Fonts->AddFontFromFileTTF(sans, size, &merge, symbols);
        }
        if (!font) font = io.Fonts->AddFontDefault();
        return font;
    };
    fonts f;
    f.ui = add(18.0f, false);
    f.mono = add(16.0f, true);
    f.ui_large = add(28.0f, false);
    f.mono_large = add(24.0f, true);
    io.Fonts->Build();
    return f;
}

}  // namespace maillab::gui
