#include "sim/smtp/dsn.hpp"

#include <fmt/format.h>

#include "sim/core/clock.hpp"
#include "sim/mime/codecs.hpp"
#include "sim/mime/header_lookup.hpp"

namespace maillab::smtp {
namespace {

std::string human_text(const bounce_request& r) {
    std::string en = fmt::format(
        "This is the mail system at host {}.\n\n"
        "Your message could not be delivered to one or more recipients.\n"
        "The headers of your message are attached below.\n\n",
        r.reporting_mta);
    std::string zh = fmt::format("这是主机 {} 上的邮件系统。\n\n您的邮件无法投递给以下收件人。原邮件的信头附在后面。\n\n",
                                 r.reporting_mta);
    for (const auto& f : r.recipients) {
        std::string where = f.remote_mta.empty() ? "" : fmt::format(" (server {})", f.remote_mta);
        en += fmt::format("<{}>{}: {}\n", f.address, where, f.diagnostic);
        zh += fmt::format("<{}>{}：{}\n", f.address,
                          f.remote_mta.empty() ? "" : fmt::format("（服务器 {}）", f.remote_mta),
                          f.diagnostic);
    }
    return en + "\n" + zh;
}

std::string crlf(std::string_view text) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r')) out += '\r';
        out += text[i];
    }
    return out;
}

}  // namespace

std::string build_bounce(const bounce_request& r) {
    std::string boundary = fmt::format("=_maillab_dsn_{}", r.now_us);
    std::string headers(mime::header_text(r.original_message));
    while (headers.find(boundary) != std::string::npos) boundary += "_";

    std::string status = fmt::format("Reporting-MTA: dns; {}\r\nArrival-Date: {}\r\n",
                                     r.reporting_mta, rfc5322_date(r.arrival_us));
    for (const auto& f : r.recipients) {
        status += fmt::format("\r\nFinal-Recipient: rfc822; {}\r\nAction: failed\r\nStatus: {}\r\n",
                              f.address, f.status);
        if (!f.remote_mta.empty()) status += fmt::format("Remote-MTA: dns; {}\r\n", f.remote_mta);
        // A reply from a server is an smtp diagnostic; our own reason (no MX, expired) is not.
        bool from_server = f.diagnostic.size() >= 3 && std::isdigit(static_cast<unsigned char>(f.diagnostic[0]));
        status += fmt::format("Diagnostic-Code: {}; {}\r\n", from_server ? "smtp" : "x-maillab",
                              f.diagnostic);
        status += fmt::format("Last-Attempt-Date: {}\r\n", rfc5322_date(r.now_us));
    }

    std::string out;
    out += fmt::format("From: Mail Delivery System <MAILER-DAEMON@{}>\r\n", r.reporting_mta);
    out += fmt::format("To: <{}>\r\n", r.to);
    out += "Subject: Undelivered Mail Returned to Sender\r\n";
    out += fmt::format("Date: {}\r\n", rfc5322_date(r.now_us));
    out += fmt::format("Message-ID: {}\r\n", r.message_id);
    out += "Auto-Submitted: auto-replied\r\n";  // RFC 3834: no auto-reply to this one
    out += "MIME-Version: 1.0\r\n";
    out += fmt::format("Content-Type: multipart/report; report-type=delivery-status;\r\n"
                       "\tboundary=\"{}\"\r\n\r\n",
                       boundary);
    out += "This is a MIME-encapsulated message (RFC 3464 delivery status notification).\r\n\r\n";
    // RFC 2046 5.1.1: the CRLF before each delimiter belongs to the delimiter, so every part
    // ends with its own CRLF and then one more.
    auto delimiter = [&](bool last) {
        if (!out.ends_with("\r\n")) out += "\r\n";
        out += fmt::format("\r\n--{}{}\r\n", boundary, last ? "--" : "");
    };
    out += fmt::format("--{}\r\n", boundary);
    out += "Content-Type: text/plain; charset=utf-8\r\n"
           "Content-Transfer-Encoding: quoted-printable\r\n"
           "Content-Description: Notification\r\n\r\n";
    out += mime::encode_quoted_printable(crlf(human_text(r)));
    delimiter(false);
    out += "Content-Type: message/delivery-status\r\nContent-Description: Delivery report\r\n\r\n";
    out += status;
    delimiter(false);
    out += "Content-Type: text/rfc822-headers\r\nContent-Description: Undelivered message headers\r\n\r\n";
    out += crlf(headers);
    delimiter(true);
    return out;
}

}  // namespace maillab::smtp
