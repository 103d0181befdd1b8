#include "gui/ui_text_world.hpp"

#include <array>

namespace maillab::gui {
namespace {
constexpr std::array<std::pair<std::string_view, const char*>, 51> table{{
    {"Topology", "拓扑"},
    {"Mailboxes", "邮箱"},
    {"Side by side", "并排对比"},
    {"HTTP (browser, webmail)", "HTTP（浏览器、网页邮件）"},
    {"SMTP submission", "SMTP 提交"},
    {"SMTP relay (port 25)", "SMTP 中继（25 端口）"},
    {"IMAP retrieval", "IMAP 取信"},
    {"POP3 retrieval", "POP3 取信"},
    {"DNS MX lookup", "DNS MX 查询"},
    {"connections", "次连接"},
    {"first at seq", "首次出现于 seq"},
    {"never got through", "次未能连通"},
    {"queue", "队列"},
    {"retries", "重试"},
    {"bounced", "退信"},
    {"No mail has been stored yet at this point of the trace.",
     "在记录的这一时刻，还没有任何邮件被存储。"},
    {"The selected message is not in its mailbox at this point of the trace.",
     "在记录的这一时刻，所选邮件不在它的邮箱里。"},
    {"(no subject)", "（无主题）"},
    {"Part", "部分"},
    {"An image this viewer cannot decode", "本查看器无法解码的图片"},
    {"decoded", "（解码后）"},
    {"on the wire", "（线路上）"},
    {"(no flags)", "（无标志）"},
    {"Follow this mail", "跟踪这封邮件"},
    {"The trace does not hold this message's bytes (an IMAP COPY of a message stored before the "
     "trace began).",
     "记录中没有这封邮件的字节（它是对记录开始之前就已存储的邮件的 IMAP COPY）。"},
    {"MIME tree", "MIME 树"},
    {"selected part", "所选部分"},
    {"its boundary lines", "它的分界行"},
    {"its encoded body", "它的编码正文"},
    {"commands", "命令"},
    {"messages fetched", "取回邮件"},
    {"octets received", "收到字节"},
    {"on the server", "服务器上"},
    {"removed", "删除"},
    {"flags changed", "修改标志"},
    {"This trace has fewer than two connections.", "这份记录中的连接少于两个。"},
    {"time from each connection's start", "从各自连接开始计时"},
    {"trace time", "记录时间"},
    {"Following", "正在跟踪"},
    {"hop", "跳"},
    {"◀ Previous hop", "◀ 上一跳"},
    {"Next hop ▶", "下一跳 ▶"},
    {"Stop following", "停止跟踪"},
    {"Relay queue: empty so far.", "中继队列：目前为空。"},
    {"Relay queue of", "中继队列："},
    {"entry", "条目"},
    {"domain", "目标域"},
    {"state", "状态"},
    {"tries", "尝试"},
    {" (done)", "（已完成）"},
    {"Sender", "发件人"},
}};
}  // namespace

std::span<const std::pair<std::string_view, const char*>> world_view_words() { return table; }

}  // namespace maillab::gui
