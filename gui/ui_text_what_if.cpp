#include "gui/ui_text_what_if.hpp"

#include <array>

namespace maillab::gui {
namespace {
constexpr std::array<std::pair<std::string_view, const char*>, 23> table{{
    {"What if", "如果……会怎样"},
    {"What if…", "如果……会怎样"},
    {"Run branch", "运行分支"},
    {"Skip", "跳过"},
    {"skipped", "已跳过"},
    {"Original run", "原来的运行"},
    {"The first", "前"},
    {"events are identical in both runs; they part at the edit (gold).",
     "个事件在两次运行中完全相同；两者从修改处（金色）分开。"},
    {"Only the edited connection", "只看被修改的连接"},
    {"Go to the command", "转到这条命令"},
    {"Close the branch", "关闭分支"},
    {"Replies that differ on this connection", "这条连接上不同的应答"},
    {"never finished", "没有完成"},
    {"did not succeed", "未成功"},
    {"Script step", "脚本步骤"},
    {"done", "完成"},
    {"message(s)", "封邮件"},
    {"met", "满足"},
    {"NOT met", "未满足"},
    {"expectation(s) unchanged", "项预期结果没有变化"},
    {"What if runs the scenario again: open the scenario file (.json), not a recording.",
     "“如果”需要重新运行场景：请打开场景文件（.json），而不是录制文件。"},
    {"Change this command, or skip it, and run the scenario again: everything before it happens "
     "exactly as before.",
     "修改这条命令或跳过它，然后重新运行场景：它之前的一切都与原来完全相同。"},
    {"Select a client command (a C: line) in the event log or the sequence diagram, then change "
     "or skip it under What if… in the inspector. The scenario runs again and its branch appears "
     "here beside the original.",
     "在事件日志或时序图中选中一条客户端命令（C: 行），然后在检查器的“如果……会怎样”中修改或跳过它。"
     "场景会重新运行，分支将显示在这里，与原来的运行并排。"},
}};
}  // namespace

std::span<const std::pair<std::string_view, const char*>> what_if_words() { return table; }

}  // namespace maillab::gui
