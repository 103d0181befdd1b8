#include "gui/ui_text.hpp"

#include <array>
#include <string>
#include <utility>

#include "gui/ui_text_lab.hpp"
#include "gui/ui_text_what_if.hpp"
#include "gui/ui_text_world.hpp"

namespace maillab::gui {
namespace {
constexpr std::array<std::pair<std::string_view, const char*>, 78> table{{
    {"Timeline", "时间线"},
    {"Sequence diagram", "时序图"},
    {"Event log", "事件日志"},
    {"Inspector", "检查器"},
    {"State machines", "状态机"},
    {"Play", "播放"},
    {"Pause", "暂停"},
    {"Speed", "速度"},
    {"Start", "开头"},
    {"End", "结尾"},
    {"Step", "单步"},
    {"event", "事件"},
    {"command/reply", "命令/应答"},
    {"connection", "连接"},
    {"Back", "后退"},
    {"Forward", "前进"},
    {"Bookmark", "书签"},
    {"Bookmarks", "书签列表"},
    {"Future events", "后续事件"},
    {"show", "显示"},
    {"dim", "变暗"},
    {"hide", "隐藏"},
    {"Presentation mode", "演示模式"},
    {"Language", "语言"},
    {"Open trace...", "打开记录..."},
    {"Open", "打开"},
    {"Cancel", "取消"},
    {"Search", "搜索"},
    {"Protocol", "协议"},
    {"Kind", "类型"},
    {"Host", "主机"},
    {"Connection", "连接"},
    {"all", "全部"},
    {"Time", "时间"},
    {"From", "从"},
    {"To", "到"},
    {"Text", "内容"},
    {"Raw bytes", "原始字节"},
    {"Hex", "十六进制"},
    {"Fields", "字段"},
    {"Explanation", "解释"},
    {"What comes next", "接下来"},
    {"No event selected", "未选择事件"},
    {"The server now accepts:", "服务器此时接受的命令："},
    {"Current state", "当前状态"},
    {"Last transition", "最近一次转换"},
    {"No state machine has moved yet.", "还没有状态机发生转换。"},
    {"connection", "连接"},
    {"events", "个事件"},
    {"Zoom", "缩放"},
    {"Follow cursor", "跟随光标"},
    {"inside TLS: a network observer sees only encrypted records",
     "位于 TLS 内：网络上的旁观者只能看到加密记录"},
    {"Cause", "起因"},
    {"Machine", "状态机"},
    {"Trace file", "记录文件"},
    {"File not loaded", "文件未能载入"},
    {"Clear", "清除"},
    {"Cursor", "光标"},
    {"Selected", "选中"},
    {"octets", "字节"},
    {"Waiting for the peer's data, not commands.", "正在等待对方发送数据，而不是命令。"},
    {"Filters", "筛选"},
    {"matching", "条匹配"},
    {"Teacher's notes", "教师注释"},
    {"Add a note", "添加注释"},
    {"Save", "保存"},
    {"Saved in", "已保存到"},
    {"Remove", "删除"},
    {"Views", "视图"},
    {"Notes are kept in a recording: record this with maillab run ... --record FILE, then open "
     "FILE.",
     "注释保存在录制文件中：先用 maillab run ... --record FILE 录制，再打开 FILE。"},
    {"LIVE", "实时"},
    {"ATTACHED", "跟随录制文件"},
    {"MERGED", "合并视图"},
    {"Sources:", "来源："},
    {"Following the newest event", "正在跟随最新事件"},
    {"Follow (End)", "跟随最新 (End)"},
    {"Connect to:", "请连接："},
    {"No event yet: waiting for a client", "还没有事件：等待客户端连接"},
}};
}  // namespace

const char* tr(std::string_view english, language lang) {
    if (lang == language::zh) {
        for (const auto& [en, zh] : table)
            if (en == english) return zh;
        for (const auto& [en, zh] : world_view_words())
            if (en == english) return zh;
        for (const auto& [en, zh] : what_if_words())
            if (en == english) return zh;
        for (const auto& [en, zh] : lab_words())
            if (en == english) return zh;
    }
    for (const auto& [en, zh] : table)
        if (en == english) return en.data();
    for (const auto& [en, zh] : world_view_words())
        if (en == english) return en.data();
    for (const auto& [en, zh] : what_if_words())
        if (en == english) return en.data();
    for (const auto& [en, zh] : lab_words())
        if (en == english) return en.data();
    return english.data();
}

std::string all_ui_text_zh() {
    std::string all;
    for (const auto& [en, zh] : table) all += zh;
    for (const auto& [en, zh] : world_view_words()) all += zh;
    for (const auto& [en, zh] : what_if_words()) all += zh;
    for (const auto& [en, zh] : lab_words()) all += zh;
    return all;
}

}  // namespace maillab::gui
