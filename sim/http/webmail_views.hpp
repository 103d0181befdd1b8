// From what IMAP answered to what a page shows: folder lists, rows of the mailbox list, a
// message read with the MIME parser (its text, its sanitized HTML, its attachments numbered as
// IMAP numbers parts), and one part for download. Pure functions, tested on their own.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "sim/http/webmail_pages.hpp"
#include "sim/imap/command_client.hpp"

namespace maillab::http::webmail {

// The mailbox names in the untagged LIST responses, INBOX first, the rest as listed.
std::vector<std::string> folders_from(const imap::command_outcome& list);
// "* n EXISTS" in a SELECT or EXAMINE answer.
std::optional<std::size_t> exists_from(const imap::command_outcome& select);
// The numbers in "* SEARCH 1 4 7".
std::vector<std::uint32_t> search_hits(const imap::command_outcome& search);
// A mailbox row from one FETCH answer with UID, FLAGS, RFC822.SIZE and
// BODY[HEADER.FIELDS (FROM SUBJECT DATE)]; nothing without a UID.
std::optional<message_row> row_from(const imap::fetch_item_map& fetch);
// All FETCH answers of a command (in the order the server sent them).
std::vector<imap::fetch_item_map> fetches_in(const imap::command_outcome& outcome);
// The value of FETCH item `prefix...` ("BODY[2.MIME]"), as a string; nothing if absent/NIL.
std::optional<std::string> fetched_string(const imap::fetch_item_map& fetch,
                                          std::string_view item);

// "Mon, 6 Jan 2025 09:00:00 +0800" -> "2025-01-06 09:00" (in the zone it was written in);
// the text as given when it is not a date.
std::string display_date(std::string_view rfc5322_date);

// A whole message (BODY[]) read for the message page. Inline images the HTML refers to as cid:
// become data: URLs of their bytes (PNG, GIF, JPEG and WebP only).
message_view read_message(std::string raw, const std::string& folder, std::uint32_t uid,
                          bool seen);

// One part fetched alone (BODY[P.MIME] and BODY[P]), decoded, ready to download.
struct downloaded_part {
    std::string content_type;  // "image/png"; only token characters
    std::string filename;      // safe: no path, no control characters, never empty
    std::string bytes;         // transfer encoding undone
};
downloaded_part read_part(const std::string& mime_header, const std::string& body,
                          const std::string& part_number);

// The image types a browser only ever displays (PNG, GIF, JPEG, WebP): never HTML, SVG (it may
// hold script) or anything else. Only these are shown inline, in a mail or as a part.
bool is_plain_image(const std::string& type);

// A file name a browser can take: the last path component, control characters, quotes and
// separators removed; `fallback` when nothing is left.
std::string safe_filename(std::string_view name, std::string_view fallback);
// Content-Disposition (RFC 6266): an ASCII fallback and the UTF-8 name (RFC 8187).
std::string content_disposition(bool attachment, const std::string& filename);

}  // namespace maillab::http::webmail
