#include "gui/markdown_view.hpp"

#include <string>
#include <vector>

#include <imgui.h>

#include "sim/view/markdown_blocks.hpp"

namespace maillab::gui {
namespace {

const ImVec4 heading_colour(1.0f, 0.82f, 0.35f, 1.0f);
const ImVec4 code_colour(0.95f, 0.7f, 0.45f, 1.0f);

// Pieces a line may break between: runs of Latin text up to and including a space, and single
// characters of CJK text (which has no spaces).
std::vector<std::string> flow_pieces(const std::string& text) {
    std::vector<std::string> out;
    std::string word;
    for (std::size_t i = 0; i < text.size();) {
        unsigned char c = static_cast<unsigned char>(text[i]);
        std::size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 1;
        std::string ch = text.substr(i, len);
        i += len;
        if (len >= 3) {  // CJK and wide punctuation: each one a piece
            if (!word.empty()) out.push_back(std::move(word)), word.clear();
            out.push_back(std::move(ch));
            continue;
        }
        word += ch;
        if (ch == " ") out.push_back(std::move(word)), word.clear();
    }
    if (!word.empty()) out.push_back(std::move(word));
    return out;
}

// Text that wraps at the window's edge, code spans in the mono font; starts at the cursor.
void draw_flow(const std::vector<view::markdown_span>& spans, const fonts& f, bool large, float indent) {
    float right = ImGui::GetWindowContentRegionMax().x + ImGui::GetWindowPos().x - ImGui::GetScrollX();
    float left = ImGui::GetCursorScreenPos().x + indent;
    bool first = true;
    float x = left;
    for (const auto& span : spans) {
        ImGui::PushFont(span.code ? (large ? f.mono_large : f.mono) : (large ? f.ui_large : f.ui));
        for (const auto& piece : flow_pieces(span.text)) {
            float w = ImGui::CalcTextSize(piece.c_str()).x;
            if (!first && x + w > right) {
                x = left;
                ImGui::SetCursorScreenPos(ImVec2(left, ImGui::GetCursorScreenPos().y));
            } else if (!first) {
                ImGui::SameLine(0.0f, 0.0f);
            } else {
                ImGui::SetCursorScreenPos(ImVec2(left, ImGui::GetCursorScreenPos().y));
            }
            if (span.code) ImGui::TextColored(code_colour, "%s", piece.c_str());
            else ImGui::TextUnformatted(piece.c_str());
            x += w;
            first = false;
        }
        ImGui::PopFont();
    }
    if (first) ImGui::NewLine();
}

}  // namespace

void draw_markdown(std::string_view text, const fonts& f, bool large) {
    using kind = view::markdown_block::kind;
    for (const auto& b : view::split_markdown(text)) {
        switch (b.what) {
            case kind::heading:
                ImGui::PushStyleColor(ImGuiCol_Text, heading_colour);
                draw_flow(b.spans, f, large, 0.0f);
                ImGui::PopStyleColor();
                break;
            case kind::bullet:
            case kind::numbered: {
                float y = ImGui::GetCursorPosY();
                ImGui::TextUnformatted(b.what == kind::bullet ? "•" : b.marker.c_str());
                ImGui::SetCursorPosY(y);
                draw_flow(b.spans, f, large, large ? 30.0f : 20.0f);
                break;
            }
            case kind::code: {
                ImGui::PushFont(large ? f.mono_large : f.mono);
                ImVec2 size = ImGui::CalcTextSize(b.text.c_str());
                ImVec2 at = ImGui::GetCursorScreenPos();
                float width = ImGui::GetContentRegionAvail().x;
                ImGui::GetWindowDrawList()->AddRectFilled(ImVec2(at.x, at.y),
                                                          ImVec2(at.x + width, at.y + size.y + 8.0f),
                                                          IM_COL32(20, 22, 30, 255), 3.0f);
                ImGui::SetCursorScreenPos(ImVec2(at.x + 6.0f, at.y + 4.0f));
                ImGui::PushStyleColor(ImGuiCol_Text, code_colour);
                ImGui::TextUnformatted(b.text.c_str());
                ImGui::PopStyleColor();
                ImGui::PopFont();
                ImGui::SetCursorScreenPos(ImVec2(at.x, at.y + size.y + 10.0f));
                ImGui::Dummy(ImVec2(0, 0));
                break;
            }
            case kind::paragraph:
                draw_flow(b.spans, f, large, 0.0f);
                break;
        }
        ImGui::Spacing();
    }
}

}  // namespace maillab::gui
