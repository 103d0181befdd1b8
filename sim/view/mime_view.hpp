// A stored message as the mailboxes panel shows it: its MIME tree as a list (with IMAP part
// numbers), its raw source cut into lines that know what they are (header, body, boundary line,
// preamble or epilogue) and whether they belong to the selected part, and what each leaf part
// holds once decoded. Built on sim/mime's parser, which records byte ranges into the raw bytes.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "sim/mime/message.hpp"

namespace maillab::view {

struct mime_node {
    const mime::part* part = nullptr;
    const mime::part* parent = nullptr;
    std::string number;  // IMAP part number (RFC 3501 6.4.5): "" for the whole message, "1", "2.1"
    int depth = 0;
};

// Every part in document order, the whole message first.
std::vector<mime_node> flatten_parts(const mime::message& m);

enum class source_role {
    header,    // a header field or the empty line that ends a header
    body,      // a part's body
    boundary,  // "--boundary" or "--boundary--" (RFC 2046 5.1.1)
    outside,   // a multipart's preamble or epilogue, which readers ignore
};

struct source_line {
    std::size_t begin = 0;  // offsets into the raw message, the line break excluded
    std::size_t end = 0;
    source_role role = source_role::body;
    bool in_selected = false;        // inside the selected part (header and body)
    bool selected_boundary = false;  // a boundary line that opens or closes the selected part,
                                     // or, for a selected multipart, one of its own
    bool encoded = false;            // the selected part's body in base64 or quoted-printable
};

// The raw message line by line; `selected` is a part of `m` or null.
std::vector<source_line> source_lines(const mime::message& m, const mime::part* selected);

enum class part_kind { container, text, image, attachment };

struct part_view {
    part_kind kind = part_kind::text;
    std::string mime_type;
    std::string filename;
    std::string charset;
    std::string encoding;
    std::size_t encoded_size = 0;  // octets of the body on the wire
    std::size_t decoded_size = 0;  // octets after base64 / quoted-printable
};

part_view describe_part(const mime::message& m, const mime::part& p);

// The words a reader of `raw` will see (subject, names, text parts), for the GUI's font, which
// carries only the Chinese glyphs a session needs.
std::string visible_text(std::string_view raw, std::size_t max_size = 1 << 20);

}  // namespace maillab::view
