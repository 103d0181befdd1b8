// Composes MIME messages (RFC 5322, RFC 2045-2049, RFC 2047, RFC 2231): plain text, HTML,
// multipart/alternative, attachments, inline images in multipart/related, non-ASCII subjects,
// names and file names. Line ends are CRLF, no line is longer than 998 octets and encoded
// lines stay within 76; boundaries are chosen so that no part contains them. What the builder
// writes, the parser reads back to the same text, names and bytes.
#pragma once

#include <string>
#include <vector>

namespace maillab::mime {

struct attachment {
    std::string filename;      // UTF-8
    std::string content_type;  // "image/png"; default application/octet-stream
    std::string bytes;
    std::string content_id;    // set for inline images referenced as cid: from the HTML
};

struct compose_request {
    std::string from;     // "Alice <alice@example.org>" or just the address; UTF-8 names ok
    std::vector<std::string> to;
    std::vector<std::string> cc;
    std::string subject;  // UTF-8
    std::string text;     // text/plain body, UTF-8 ("" for none)
    std::string html;     // text/html body, UTF-8 ("" for none)
    std::vector<attachment> attachments;
    std::vector<attachment> inline_images;  // need html; referenced as cid:content_id
    std::string date;        // RFC 5322 date; "" for none
    std::string message_id;  // "<id@host>"; "" for none
};

// Throws std::invalid_argument naming what is missing (no From, no To, no body).
std::string build_message(const compose_request& request);

// "Name <addr>" with a non-ASCII name -> "=?UTF-8?B?...?= <addr>".
std::string encode_address(const std::string& address);

}  // namespace maillab::mime
