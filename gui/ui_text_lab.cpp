#include "gui/ui_text_lab.hpp"

#include <array>

namespace maillab::gui {
namespace {
constexpr std::array<std::pair<std::string_view, const char*>, 26> table{{
    {"Lab", "实验"},
    {"Open lab...", "打开实验..."},
    {"Step", "步骤"},
    {"Goals", "目标"},
    {"Instructions", "说明"},
    {"Checkpoints", "检查点"},
    {"Questions", "问题"},
    {"Hints", "提示"},
    {"Terminal", "终端"},
    {"Check", "检查"},
    {"Done, next step", "完成，下一步"},
    {"Retry step", "重来本步骤"},
    {"Skip step", "跳过本步骤"},
    {"Answer", "回答"},
    {"Give up", "放弃此题"},
    {"Type your answer below, then Enter.", "在下方输入答案，然后按回车。"},
    {"Answer the question first.", "请先回答问题。"},
    {"Type protocol lines below; Enter sends each with CRLF.",
     "在下方输入协议命令行；回车后加 CRLF 发送。"},
    {"Lab finished.", "实验完成。"},
    {"Score", "得分"},
    {"explanation", "解释"},
    {"your answers", "你的答案"},
    {"right", "正确"},
    {"not yet", "尚未答对"},
    {"skipped", "已跳过"},
    {"Not a lab file", "不是实验文件"},
}};
}  // namespace

std::span<const std::pair<std::string_view, const char*>> lab_words() { return table; }

}  // namespace maillab::gui
