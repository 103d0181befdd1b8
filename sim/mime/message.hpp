// A MIME message parsed into a tree of parts (RFC 5322 header, RFC 2045-2049 bodies). The
// message owns its bytes; every part records byte ranges into them (its header, each field,
// its body, the boundary lines, preamble and epilogue), so the GUI can highlight a part in the
// raw source and nothing is copied while parsing. Bodies are decoded on demand.
//
// Broken mail is parsed as far as it goes; each problem becomes a defect with its offset.
// Parsing never throws, never loops, and nests at most `max_depth` levels.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sim/mime/defect.hpp"

namespace maillab::mime {

struct byte_range {
    std::size_t begin = 0;
    std::size_t end = 0;
    std::size_t size() const { return end - begin; }
    bool empty() const { return end == begin; }
    std::string_view of(std::string_view raw) const { return raw.substr(begin, end - begin); }
};

struct header_field {
    std::string name;   // as written
    byte_range raw;     // the whole field: name, colon, value, folded lines, final line end
    byte_range value;   // after the colon up to (not including) the final line end
};

struct header_block {
    std::vector<header_field> fields;  // in order, duplicates kept
    byte_range range;                  // all fields and the empty line that ends them

    // The first field with this name (case-insensitive).
    const header_field* find(std::string_view name) const;
};

struct content_type {
    std::string type = "text";     // lower-case
    std::string subtype = "plain";
    std::vector<std::pair<std::string, std::string>> params;  // lower-case names, decoded values
    std::vector<std::pair<std::string, std::string>> raw_params;  // as written (for IMAP)
    bool defaulted = true;         // no (usable) Content-Type field

    std::string mime_type() const { return type + "/" + subtype; }
    const std::string* param(std::string_view name) const;
};

struct part {
    byte_range whole;   // header and body
    header_block header;
    byte_range body;    // as on the wire (still transfer-encoded)
    content_type type;
    std::string encoding = "7bit";  // lower-case Content-Transfer-Encoding
    std::string disposition;        // "inline", "attachment" or ""
    std::string filename;           // decoded (RFC 2231 / RFC 2047), "" if none
    // Multipart: the parts; message/rfc822: the one enclosed message.
    std::vector<part> children;
    byte_range preamble;
    byte_range epilogue;
    std::vector<byte_range> boundary_lines;
    defect_list defects;

    bool is_multipart() const { return type.type == "multipart"; }
    // RFC 3464 2.1: the body is blocks of header fields (per message, then per recipient).
    bool is_delivery_status() const { return type.mime_type() == "message/delivery-status"; }
    // message/rfc822 encloses a whole message; message/external-body (RFC 2046 5.2.3) a header
    // for the content kept elsewhere (and an optional phantom body): both parse as a child.
    bool is_message() const {
        return type.mime_type() == "message/rfc822" || type.mime_type() == "message/external-body";
    }
};

class message {
public:
    static constexpr int max_depth = 32;

    explicit message(std::string raw);
    message(const message&) = delete;
    message& operator=(const message&) = delete;
    message(message&&) = default;

    const std::string& raw() const { return raw_; }
    const part& root() const { return root_; }

    // The header field's value unfolded, encoded words decoded, as UTF-8.
    // Defects of the decoding (bad encoded words, unknown charsets) go to `defects`.
    std::string header_text(const part& p, std::string_view name,
                            defect_list* defects = nullptr) const;
    // The header field's value unfolded, raw.
    std::optional<std::string> header_raw(const part& p, std::string_view name) const;
    // The body after transfer decoding (base64, quoted-printable); defects of the decoding go
    // to `defects`.
    std::string decoded_body(const part& p, defect_list* defects = nullptr) const;
    // A text part's decoded body converted from its charset to UTF-8 (default us-ascii).
    std::string text(const part& p, defect_list* defects = nullptr) const;

    // Every defect in the tree, in document order.
    defect_list all_defects() const;

private:
    std::string raw_;
    part root_;
};

// Fields kept per header block: beyond it the header is still read to its end (so the body
// starts in the right place) but the extra fields are dropped with one defect,
// "too_many_header_fields", so a message of a million tiny fields costs no more than its bytes.
// The same number is server_limits::max_header_fields' default (SMTP refuses such mail).
inline constexpr std::size_t default_max_header_fields = 1000;

// Header parsing and field helpers, usable on their own.
header_block parse_header(std::string_view raw, std::size_t begin, std::size_t end,
                          std::size_t* body_begin, defect_list& defects,
                          std::size_t max_fields = default_max_header_fields);
std::string unfold(std::string_view value);
content_type parse_content_type(std::string_view value, defect_list& defects, std::size_t offset);
// "attachment; filename*=UTF-8''%E4%BD%A0.txt" -> ("attachment", params)
std::pair<std::string, std::vector<std::pair<std::string, std::string>>> parse_disposition(
    std::string_view value, defect_list& defects, std::size_t offset,
    std::vector<std::pair<std::string, std::string>>* raw_params = nullptr);

}  // namespace maillab::mime
