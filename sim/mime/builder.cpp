#include "sim/mime/builder.hpp"

#include <algorithm>
#include <cctype>
#include <stdexcept>

#include <fmt/format.h>

#include "sim/core/bytes.hpp"
#include "sim/mime/codecs.hpp"
#include "sim/mime/describe.hpp"

namespace maillab::mime {
namespace {

// A body part ready to be written: its header lines and its (already encoded) body.
struct built_part {
    std::vector<std::string> header;  // without line ends
    std::string body;                 // CRLF line ends, ends with CRLF
};

bool needs_encoding(std::string_view text) {
    if (has_8bit(text)) return true;
    std::size_t line = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\n') {
            line = 0;
            continue;
        }
        if (++line > 78) return true;
        if (text[i] == '\r' && (i + 1 >= text.size() || text[i + 1] != '\n')) return true;
    }
    return false;
}

std::string crlf(std::string_view text) {
    std::string out;
    out.reserve(text.size() + text.size() / 40 + 2);
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r')) out += '\r';
        out += text[i];
    }
    if (out.size() < 2 || out.substr(out.size() - 2) != "\r\n") out += "\r\n";
    return out;
}

built_part text_part(const std::string& subtype, const std::string& text) {
    built_part p;
    p.header.push_back(fmt::format("Content-Type: text/{}; charset=utf-8", subtype));
    std::string normalised = crlf(text);
    if (!needs_encoding(normalised)) {
        p.header.push_back("Content-Transfer-Encoding: 7bit");
        p.body = normalised;
        return p;
    }
    // Mostly non-ASCII text (Chinese) is smaller in base64; mostly ASCII stays readable in QP.
    std::size_t high = 0;
    for (char c : normalised) high += static_cast<unsigned char>(c) >= 0x80;
    if (high * 3 > normalised.size()) {
        p.header.push_back("Content-Transfer-Encoding: base64");
        p.body = encode_base64_lines(normalised);
    } else {
        p.header.push_back("Content-Transfer-Encoding: quoted-printable");
        p.body = crlf(encode_quoted_printable(normalised));
    }
    return p;
}

// filename="..." for ASCII names; RFC 2231 filename*0*=UTF-8''... continuations otherwise,
// each line short enough to stay within 78 octets.
std::string filename_params(const std::string& param, const std::string& name) {
    bool ascii = !has_8bit(name) && name.find('"') == std::string::npos &&
                 name.find('\\') == std::string::npos && name.size() < 60;
    if (ascii) return fmt::format(";\r\n\t{}=\"{}\"", param, name);
    std::string encoded;
    for (unsigned char c : name) {
        if (std::isalnum(c) || c == '.' || c == '-' || c == '_') encoded += static_cast<char>(c);
        else encoded += fmt::format("%{:02X}", c);
    }
    std::string out;
    std::size_t index = 0;
    for (std::size_t pos = 0; pos < encoded.size(); ++index) {
        std::size_t take = std::min<std::size_t>(54, encoded.size() - pos);
        // Do not cut a %XX escape.
        while (take < encoded.size() - pos && take > 0 && encoded[pos + take - 1] == '%') --take;
        while (take < encoded.size() - pos && take > 1 && encoded[pos + take - 2] == '%') take -= 2;
        out += fmt::format(";\r\n\t{}*{}*={}{}", param, index, index == 0 ? "UTF-8''" : "",
                           encoded.substr(pos, take));
        pos += take;
    }
    return out;
}

built_part attachment_part(const attachment& a, bool inline_image) {
    built_part p;
    std::string type = a.content_type.empty() ? "application/octet-stream" : a.content_type;
    // A text attachment says its charset, or readers take it as US-ASCII (RFC 2046 4.1.2).
    if (type.rfind("text/", 0) == 0 && type.find("charset") == std::string::npos)
        type += is_valid_utf8(a.bytes) ? "; charset=utf-8" : "; charset=unknown-8bit";
    std::string name_param = a.filename.empty() ? "" : filename_params("name", a.filename);
    p.header.push_back(fmt::format("Content-Type: {}{}", type, name_param));
    p.header.push_back("Content-Transfer-Encoding: base64");
    std::string disposition = inline_image ? "inline" : "attachment";
    p.header.push_back(fmt::format(
        "Content-Disposition: {}{}", disposition,
        a.filename.empty() ? "" : filename_params("filename", a.filename)));
    if (!a.content_id.empty()) p.header.push_back(fmt::format("Content-ID: <{}>", a.content_id));
    p.body = encode_base64_lines(a.bytes);
    return p;
}

// "Name: value" with the value as encoded words where needed, the first word short enough that
// the first line stays within 78 octets (RFC 2047 2 and RFC 5322 2.1.1).
std::string encoded_field(std::string_view name, const std::string& utf8) {
    std::string prefix = std::string(name) + ": ";
    // ASCII that contains "=?" would be decoded by readers as an encoded word: encode it.
    bool plain = !has_8bit(utf8) && utf8.find("=?") == std::string::npos;
    if (plain && prefix.size() + utf8.size() <= 78) return prefix + utf8;
    if (plain) {
        // Long ASCII: fold at spaces (RFC 5322 2.2.3) so no line passes 78 octets.
        std::string out = prefix;
        std::size_t line = prefix.size();
        std::size_t pos = 0;
        while (pos < utf8.size()) {
            std::size_t space = utf8.find(' ', pos + 1);
            std::size_t stop = space == std::string::npos ? utf8.size() : space;
            std::string word = utf8.substr(pos, stop - pos);
            if (line + word.size() > 78 && line > prefix.size() && word.front() == ' ') {
                out += "\r\n";
                line = 0;
            }
            out += word;
            line += word.size();
            pos = stop;
        }
        return out;
    }
    // Every word encoded (plain text between encoded words would gain or lose spaces):
    // "=?UTF-8?B?" + base64 + "?=" is 12 characters around 4 per 3 bytes; the first word fits
    // after the field name, the others on folded lines of their own (RFC 2047 2: at most 75).
    auto cut_at = [&](std::size_t pos, std::size_t max_bytes) {
        std::size_t cut = std::min(pos + max_bytes, utf8.size());
        while (cut > pos && cut < utf8.size() &&
               (static_cast<unsigned char>(utf8[cut]) & 0xC0) == 0x80)
            --cut;
        return cut;
    };
    std::size_t room = 78 - prefix.size();
    std::size_t first_bytes = room > 12 ? (room - 12) / 4 * 3 : 0;
    std::string out = prefix;
    std::size_t pos = 0;
    bool first = true;
    if (first_bytes == 0) {  // no room on the first line: start on the next
        out += "\r\n ";
        first_bytes = 45;
    }
    while (pos < utf8.size()) {
        std::size_t cut = cut_at(pos, first ? first_bytes : 45);
        if (!first) out += "\r\n ";
        out += "=?UTF-8?B?" + base64_encode(std::string_view(utf8).substr(pos, cut - pos)) + "?=";
        pos = cut;
        first = false;
    }
    return out;
}

std::string write_part(const built_part& p) {
    std::string out;
    for (const auto& h : p.header) out += h + "\r\n";
    out += "\r\n";
    out += p.body;
    return out;
}

// A boundary that appears in none of the parts (RFC 2046 5.1.1 requires it).
std::string choose_boundary(const std::vector<std::string>& parts, std::size_t level) {
    std::string seed;
    for (const auto& p : parts) seed += sha256_hex(p);
    for (unsigned n = 0;; ++n) {
        std::string b = fmt::format("=_maillab_{}_{}_{}", level, sha256_hex(seed).substr(0, 16), n);
        bool clash = false;
        for (const auto& p : parts) clash = clash || p.find(b) != std::string::npos;
        if (!clash) return b;
        seed += "x";
    }
}

built_part multipart(const std::string& subtype, const std::vector<built_part>& children,
                     std::size_t level, const std::string& extra_params = "") {
    std::vector<std::string> written;
    for (const auto& c : children) written.push_back(write_part(c));
    std::string boundary = choose_boundary(written, level);
    built_part p;
    p.header.push_back(fmt::format("Content-Type: multipart/{};{}\r\n\tboundary=\"{}\"", subtype,
                                   extra_params, boundary));
    // The line break before each boundary line belongs to the boundary (RFC 2046 5.1.1), so
    // every part's own final CRLF is followed by one more.
    for (const auto& w : written) p.body += fmt::format("--{}\r\n{}\r\n", boundary, w);
    p.body += fmt::format("--{}--\r\n", boundary);
    return p;
}

}  // namespace

std::string encode_address(const std::string& address) {
    auto lt = address.rfind('<');
    if (lt == std::string::npos || lt == 0) return address;
    std::string name(trim(std::string_view(address).substr(0, lt)));
    std::string addr = address.substr(lt);
    if (name.size() >= 2 && name.front() == '"' && name.back() == '"')
        name = name.substr(1, name.size() - 2);
    if (has_8bit(name)) return encode_header_text(name, false) + " " + addr;
    // RFC 5322 3.2.4: quote a name with specials.
    if (name.find_first_of("()<>[]:;@\\,.\"") != std::string::npos) {
        std::string quoted = "\"";
        for (char c : name) {
            if (c == '"' || c == '\\') quoted += '\\';
            quoted += c;
        }
        return quoted + "\" " + addr;
    }
    return name + " " + addr;
}

std::string build_message(const compose_request& r) {
    if (r.from.empty()) throw std::invalid_argument("compose: no From address");
    if (r.to.empty()) throw std::invalid_argument("compose: no To address");
    if (r.text.empty() && r.html.empty() && r.attachments.empty())
        throw std::invalid_argument("compose: no text, HTML or attachment");
    if (!r.inline_images.empty() && r.html.empty())
        throw std::invalid_argument("compose: inline images need an HTML body that cites them");

    std::vector<built_part> alternatives;
    if (!r.text.empty()) alternatives.push_back(text_part("plain", r.text));
    if (!r.html.empty()) {
        built_part html = text_part("html", r.html);
        if (!r.inline_images.empty()) {
            std::vector<built_part> related{html};
            for (const auto& img : r.inline_images) related.push_back(attachment_part(img, true));
            html = multipart("related", related, 2, " type=\"text/html\";");
        }
        alternatives.push_back(html);
    }
    built_part body;
    if (alternatives.size() == 1) body = alternatives[0];
    else if (alternatives.size() > 1) body = multipart("alternative", alternatives, 1);
    if (!r.attachments.empty()) {
        std::vector<built_part> mixed;
        if (!alternatives.empty()) mixed.push_back(body);
        for (const auto& a : r.attachments) mixed.push_back(attachment_part(a, false));
        body = multipart("mixed", mixed, 0);
    }

    std::string out;
    auto list = [](const std::vector<std::string>& addresses) {
        std::string joined;
        for (const auto& a : addresses) joined += (joined.empty() ? "" : ",\r\n ") + encode_address(a);
        return joined;
    };
    out += "From: " + encode_address(r.from) + "\r\n";
    out += "To: " + list(r.to) + "\r\n";
    if (!r.cc.empty()) out += "Cc: " + list(r.cc) + "\r\n";
    if (!r.subject.empty()) out += encoded_field("Subject", r.subject) + "\r\n";
    if (!r.date.empty()) out += "Date: " + r.date + "\r\n";
    if (!r.message_id.empty()) out += "Message-ID: " + r.message_id + "\r\n";
    out += "MIME-Version: 1.0\r\n";
    out += write_part(body);
    return out;
}

}  // namespace maillab::mime
