// The webmail's UI texts: one table from the English text to the Chinese one. Every word a page
// shows goes through ui(), and so do the notices webmail_app composes ("Mail sent."), so a
// translation is written once and a missing one shows the English instead of an empty space.
// Texts with a number or a name in them hold a placeholder ("{n}", "{page}"): the page fills
// it after the lookup, because Chinese puts the number elsewhere in the sentence.

#include <string_view>
#include <unordered_map>

#include "sim/http/webmail_pages.hpp"

namespace maillab::http::webmail {
namespace {

struct entry {
    std::string_view en;
    std::string_view zh;
};

// Grouped by where they appear. The Chinese is written as a Chinese mail client would say it,
// not word for word ("Log out" is 退出登录, "Trash" is 已删除 as in most Chinese clients).
constexpr entry texts[] = {
    // The frame of every page.
    {"Webmail", "网页邮箱"},
    {"Compose", "写邮件"},
    {"Log out", "退出登录"},
    {"Signed in as", "当前用户"},
    {"Folders", "文件夹"},
    {"Language", "语言"},

    // Folder names (the URL keeps the IMAP name; only the label is translated).
    {"Inbox", "收件箱"},
    {"Sent", "已发送"},
    {"Trash", "已删除"},
    {"Drafts", "草稿箱"},
    {"Junk", "垃圾邮件"},
    {"Archive", "归档"},

    // Notices and errors the app shows (webmail_app.cpp, webmail_reading.cpp).
    {"Mail sent.", "邮件已发送。"},
    {"Marked as read.", "已标为已读。"},
    {"Marked as unread.", "已标为未读。"},
    {"Moved to Trash.", "邮件已移到“已删除”。"},
    {"Deleted.", "邮件已删除。"},
    {"Logged out.", "您已退出登录。"},
    {"Your session has expired. Please log in again.", "登录已过期，请重新登录。"},
    {"Wrong user name or password.", "用户名或密码错误。"},
    {"Log in with your whole address, like bob@example.org.", "请用完整的邮件地址登录，例如 bob@example.org。"},
    {"The form has expired. Please try again.", "表单已过期，请重试。"},
    {"The form could not be read: ", "无法读取表单："},
    {"The mail server did not answer as expected: ", "邮件服务器的回答不符合预期："},
    {"There is no such page.", "没有这个页面。"},
    {"There is no such folder.", "没有这个文件夹。"},
    {"There is no such message.", "没有这封邮件。"},
    {"There is no such attachment.", "没有这个附件。"},
    {"This address does not take that method.", "这个地址不接受这种请求方法。"},
    {"Unknown action.", "未知的操作。"},
    {"Please give at least one recipient.", "请至少填写一个收件人。"},
    {"Not a valid address: ", "地址无效："},
    {"A line break is not allowed in this field.", "此栏不能包含换行。"},
    {"The mail server did not accept the mail: ", "邮件服务器没有接受这封邮件："},
    {"wrote", "写道"},  // the reply's quote line: "Alice <a@a.example> wrote:"

    // The mailbox page.
    {"No messages", "没有邮件"},
    {"{n} unread", "{n} 封未读"},
    {"1 message", "共 1 封邮件"},
    {"{n} messages", "共 {n} 封邮件"},
    {"Page {page} of {pages}", "第 {page} 页，共 {pages} 页"},
    {"Previous page", "上一页"},
    {"Next page", "下一页"},
    {"From", "发件人"},
    {"To", "收件人"},
    {"Cc", "抄送"},
    {"Subject", "主题"},
    {"Date", "日期"},
    {"Size", "大小"},
    {"Actions", "操作"},
    {"Unread", "未读"},
    {"Answered", "已回复"},
    {"Flagged", "已加星标"},
    {"(no subject)", "（无主题）"},
    {"(unknown sender)", "（发件人未知）"},
    {"Mark read", "标为已读"},
    {"Mark unread", "标为未读"},
    {"Delete", "删除"},

    // The message page.
    {"Reply", "回复"},
    {"Back to {folder}", "返回{folder}"},
    {"Message-ID", "Message-ID"},
    {"For your safety, 1 thing was removed from this mail's HTML:",
     "为了您的安全，已从这封邮件的 HTML 中移除 1 项内容："},
    {"For your safety, {n} things were removed from this mail's HTML:",
     "为了您的安全，已从这封邮件的 HTML 中移除 {n} 项内容："},
    {"This mail's MIME structure has problems:", "这封邮件的 MIME 结构有问题："},
    {"The mail's HTML, shown in a sandbox without scripts",
     "邮件的 HTML 内容（在禁止脚本的沙箱中显示）"},
    {"Plain text version", "纯文本版本"},
    {"This mail has no text.", "这封邮件没有正文。"},
    {"Attachments", "附件"},
    {"(unnamed part {part})", "（未命名的第 {part} 部分）"},
    {"Download", "下载"},

    // The compose page.
    {"New message", "新邮件"},
    {"Reply to a message", "回复邮件"},
    {"Message", "正文"},
    {"Attach files", "添加附件"},
    {"Separate several addresses with commas.", "多个地址请用英文逗号分隔。"},
    {"Send", "发送"},
    {"Cancel", "取消"},

    // The login page.
    {"Log in", "登录"},
    {"Log in to your mailbox", "登录邮箱"},
    {"User name", "用户名"},
    {"Password", "密码"},
    {"This webmail is a mail client too: it talks IMAP and SMTP to the mail server behind it.",
     "这个网页邮箱本身也是一个邮件客户端：它通过 IMAP 和 SMTP 与背后的邮件服务器通信。"},

    // The error page; the reason phrases of RFC 9110 15 that the webmail sends.
    {"Error", "出错了"},
    {"Back to the inbox", "返回收件箱"},
    {"Bad Request", "请求有误"},
    {"Unauthorized", "未登录"},
    {"Forbidden", "禁止访问"},
    {"Not Found", "找不到页面"},
    {"Method Not Allowed", "不支持该请求方法"},
    {"Request Timeout", "请求超时"},
    {"Content Too Large", "内容过大"},
    {"Unsupported Media Type", "不支持的内容类型"},
    {"Too Many Requests", "请求过于频繁"},
    {"Internal Server Error", "服务器内部错误"},
    {"Not Implemented", "功能未实现"},
    {"Bad Gateway", "网关错误"},
    {"Service Unavailable", "服务暂时不可用"},
    {"Gateway Timeout", "网关超时"},
};

const std::unordered_map<std::string_view, std::string_view>& chinese() {
    static const std::unordered_map<std::string_view, std::string_view> table = [] {
        std::unordered_map<std::string_view, std::string_view> map;
        for (const entry& e : texts) map.emplace(e.en, e.zh);
        return map;
    }();
    return table;
}

}  // namespace

std::string ui(language lang, const std::string& english) {
    if (lang != language::zh) return english;
    auto it = chinese().find(english);
    return it == chinese().end() ? english : std::string(it->second);
}

}  // namespace maillab::http::webmail
