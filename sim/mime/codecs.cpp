// The MIME codecs. Theory of operation:
//
// Every decoder walks its input once, left to right, and never gives up: what it cannot decode
// it keeps (or replaces with U+FFFD) and records as a defect with the byte offset where it
// happened, so the visualizer can point at it. Runs of consecutive bad bytes make one defect,
// not one per byte, so a mislabelled binary blob does not flood the list.
//
//   base64            RFC 2045 6.8  our own alphabet table; whitespace skipped; "=" ends the data
//   quoted-printable  RFC 2045 6.7  rules 1-5, decoded line by line
//   charsets          glibc iconv (and our own UTF-8 check, see utf8_to_utf8) with a small
//                     alias table for the names real mail uses
//   encoded words     RFC 2047 2, 4, 5, 6.2 and RFC 2231 5 (the "*lang" suffix); a hand-written
//                     scanner, no regex
//   parameter values  RFC 2231 4 ("charset'language'percent-encoded")
//
// Defect kinds emitted here (catalog keys mime.defect.KIND): invalid_base64_character,
// base64_padding, invalid_quoted_printable, invalid_charset_sequence, invalid_encoded_word,
// unknown_charset, 8bit_in_header, malformed_parameter (a bad "%XX" in an RFC 2231 value).
#include "sim/mime/codecs.hpp"

#include <iconv.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdint>
#include <map>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "sim/core/bytes.hpp"

namespace maillab::mime {
namespace {

constexpr std::size_t npos = std::string_view::npos;
constexpr std::string_view replacement_character = "\xEF\xBF\xBD";  // U+FFFD in UTF-8

void add_defect(defect_list* defects, std::string kind, std::size_t offset, std::string detail) {
    if (defects) defects->push_back({std::move(kind), offset, std::move(detail)});
}

// Moves the defects a nested decoder wrote (offsets relative to its own input) into `defects`,
// shifting them to where that input starts in ours.
void append_shifted(defect_list* defects, defect_list&& nested, std::size_t base) {
    if (!defects) return;
    for (auto& d : nested) {
        d.offset += base;
        defects->push_back(std::move(d));
    }
}

// Coalesces consecutive bad bytes into one defect: "N bytes ... (first 0xHH)".
class bad_run {
public:
    bad_run(defect_list* defects, std::string kind, std::string what)
        : defects_(defects), kind_(std::move(kind)), what_(std::move(what)) {}

    void add(std::size_t offset, unsigned char byte) {
        if (count_ > 0 && offset == start_ + count_) {
            ++count_;
            return;
        }
        flush();
        start_ = offset;
        count_ = 1;
        first_ = byte;
    }

    void flush() {
        if (count_ == 0) return;
        add_defect(defects_, kind_, start_,
                   fmt::format("{} {} {} (first 0x{:02X})", count_, count_ == 1 ? "byte" : "bytes",
                               what_, first_));
        count_ = 0;
    }

private:
    defect_list* defects_;
    std::string kind_;
    std::string what_;
    std::size_t start_ = 0;
    std::size_t count_ = 0;
    unsigned char first_ = 0;
};

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;  // RFC 2045 6.7 (1): accept lower case on receipt
    return -1;
}

// The byte written as two hex digits after text[at] ("=XX", "%XX"), or -1.
int hex_pair(std::string_view text, std::size_t at) {
    if (at + 2 >= text.size()) return -1;
    int hi = hex_value(text[at + 1]);
    int lo = hex_value(text[at + 2]);
    return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
}

bool is_lwsp(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// Length of the well-formed UTF-8 sequence starting at s[i], or 0 if there is none (RFC 3629 4:
// no overlong forms, no surrogates, nothing past U+10FFFF).
std::size_t utf8_sequence_length(std::string_view s, std::size_t i) {
    auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
    unsigned char c = byte(i);
    if (c < 0x80) return 1;
    std::size_t extra;
    std::uint32_t cp;
    if ((c & 0xE0) == 0xC0) {
        extra = 1;
        cp = c & 0x1Fu;
    } else if ((c & 0xF0) == 0xE0) {
        extra = 2;
        cp = c & 0x0Fu;
    } else if ((c & 0xF8) == 0xF0) {
        extra = 3;
        cp = c & 0x07u;
    } else {
        return 0;
    }
    if (i + extra >= s.size()) return 0;
    for (std::size_t k = 1; k <= extra; ++k) {
        if ((byte(i + k) & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (byte(i + k) & 0x3Fu);
    }
    if ((extra == 1 && cp < 0x80) || (extra == 2 && cp < 0x800) || (extra == 3 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return extra + 1;
}

// ---------------------------------------------------------------------------------------------
// Charsets

// The iconv name for a MIME charset name, or nullopt if we refuse it. Names are compared case-
// insensitively (RFC 2045 5.1: "The values are case-insensitive"; RFC 2046 4.1.2 for charset).
std::optional<std::string> resolve_charset(std::string_view name) {
    std::string lower = to_lower(trim(name));
    // Only plain names reach iconv_open: glibc reads "//TRANSLIT", "//IGNORE" and ",..." suffixes
    // as conversion options, and an empty name as "the locale's charset". A peer must not be
    // able to switch those on from a header.
    if (lower.empty() || lower.size() > 40) return std::nullopt;
    for (char c : lower)
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
              c == '.' || c == ':' || c == '+'))
            return std::nullopt;

    struct alias {
        std::string_view mime;
        std::string_view iconv;  // empty: deliberately unknown
    };
    static constexpr alias aliases[] = {
        {"utf-8", "UTF-8"},
        {"utf8", "UTF-8"},
        {"us-ascii", "ASCII"},
        {"ascii", "ASCII"},
        {"latin1", "ISO-8859-1"},
        {"latin-1", "ISO-8859-1"},
        {"iso-8859-1", "ISO-8859-1"},
        {"iso8859-1", "ISO-8859-1"},
        {"iso_8859-1", "ISO-8859-1"},
        // GB2312 is decoded as GBK, its superset: mail labelled gb2312 routinely carries GBK-only
        // characters (Outlook and Foxmail send them), and the WHATWG Encoding Standard maps the
        // label the same way. Python's strict gb2312 codec would turn those characters into
        // errors; for a teaching tool showing the text is more useful. GB18030 (a superset of
        // GBK with four-byte sequences) keeps its own converter.
        {"gb2312", "GBK"},
        {"csgb2312", "GBK"},
        {"euc-cn", "GBK"},
        {"x-gbk", "GBK"},
        {"gbk", "GBK"},
        {"cp936", "GBK"},
        {"gb18030", "GB18030"},
        {"big5", "BIG5"},
        {"big-5", "BIG5"},
        {"cn-big5", "BIG5"},
        {"x-x-big5", "BIG5"},
        // Outlook's label for Korean; glibc does not know it. CP949 (UHC) is the superset of
        // EUC-KR that such mail actually uses.
        {"ks_c_5601-1987", "CP949"},
        {"x-unknown", ""},
        {"unknown-8bit", ""},
        {"unknown", ""},
    };
    for (const auto& a : aliases)
        if (a.mime == lower) {
            if (a.iconv.empty()) return std::nullopt;
            return std::string(a.iconv);
        }
    return to_upper(lower);
}

// iconv descriptors cached per thread, keyed by "to\nfrom". Opening one reads glibc's gconv
// module cache, which is slow enough to matter when a mailbox is parsed; the cache is bounded
// because charset names come from peers.
class iconv_cache {
public:
    iconv_cache() = default;
    iconv_cache(const iconv_cache&) = delete;
    iconv_cache& operator=(const iconv_cache&) = delete;
    ~iconv_cache() { clear(); }

    // A descriptor in its initial shift state, or nullopt if iconv knows no such conversion.
    std::optional<iconv_t> get(const std::string& to, const std::string& from) {
        std::string key = to + '\n' + from;
        auto it = map_.find(key);
        if (it == map_.end()) {
            iconv_t cd = ::iconv_open(to.c_str(), from.c_str());
            if (cd == reinterpret_cast<iconv_t>(-1)) return std::nullopt;
            if (map_.size() >= max_entries) clear();
            it = map_.emplace(std::move(key), cd).first;
        }
        ::iconv(it->second, nullptr, nullptr, nullptr, nullptr);  // reset the shift state
        return it->second;
    }

private:
    static constexpr std::size_t max_entries = 32;

    void clear() {
        for (auto& [key, cd] : map_) ::iconv_close(cd);
        map_.clear();
    }

    std::map<std::string, iconv_t> map_;
};

iconv_cache& converters() {
    thread_local iconv_cache cache;
    return cache;
}

// UTF-8 "to UTF-8" does not go through iconv: glibc's UTF-8 decoder accepts sequences past
// U+10FFFF, which RFC 3629 forbids. Same replacement rule as the iconv path: one U+FFFD per
// bad byte.
std::string utf8_to_utf8(std::string_view bytes, defect_list* defects) {
    std::string out;
    out.reserve(bytes.size());
    bad_run bad(defects, "invalid_charset_sequence", "not valid in UTF-8 replaced by U+FFFD");
    for (std::size_t i = 0; i < bytes.size();) {
        std::size_t len = utf8_sequence_length(bytes, i);
        if (len == 0) {
            bad.add(i, static_cast<unsigned char>(bytes[i]));
            out += replacement_character;
            ++i;
        } else {
            out.append(bytes.substr(i, len));
            i += len;
        }
    }
    bad.flush();
    return out;
}

// The conversion loop. `on_bad` is called with the input offset of a byte iconv rejects
// (EILSEQ: invalid; EINVAL: cut off at the end) and returns false to abandon the conversion.
template <class on_bad_fn>
std::optional<std::string> run_iconv(iconv_t cd, std::string_view in_bytes, on_bad_fn&& on_bad) {
    std::string out(in_bytes.size() * 2 + 16, '\0');
    std::size_t used = 0;
    // glibc's iconv takes char** for the input although it never writes through it.
    char* in = const_cast<char*>(in_bytes.data());
    std::size_t in_left = in_bytes.size();
    for (;;) {
        // With all input consumed, one more call with no input writes any closing shift
        // sequence (ISO-2022-JP's ESC ( B when encoding).
        bool flushing = in_left == 0;
        char* op = out.data() + used;
        std::size_t out_left = out.size() - used;
        std::size_t r = flushing ? ::iconv(cd, nullptr, nullptr, &op, &out_left)
                                 : ::iconv(cd, &in, &in_left, &op, &out_left);
        int err = errno;
        used = static_cast<std::size_t>(op - out.data());
        if (r != static_cast<std::size_t>(-1)) {
            if (flushing) break;
            continue;
        }
        if (err == E2BIG) {
            out.resize(out.size() * 2);
            continue;
        }
        if (flushing || (err != EILSEQ && err != EINVAL)) return std::nullopt;
        std::size_t at = static_cast<std::size_t>(in - in_bytes.data());
        out.resize(used);
        if (!on_bad(at, out)) return std::nullopt;
        used = out.size();
        out.resize(used + in_left * 2 + 16);
        ++in;  // skip one byte and resynchronise on the next
        --in_left;
    }
    out.resize(used);
    return out;
}

bool charset_known(std::string_view charset) {
    auto name = resolve_charset(charset);
    if (!name) return false;
    return *name == "UTF-8" || converters().get("UTF-8", *name).has_value();
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// base64, RFC 2045 6.8

std::string decode_base64(std::string_view text, defect_list* defects) {
    static constexpr auto table = [] {
        std::array<signed char, 256> t{};
        t.fill(-1);
        constexpr std::string_view alphabet =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        for (std::size_t i = 0; i < alphabet.size(); ++i)
            t[static_cast<unsigned char>(alphabet[i])] = static_cast<signed char>(i);
        return t;
    }();
    auto is_space = [](char c) { return c == '\r' || c == '\n' || c == ' ' || c == '\t'; };

    // Every 4 characters give at most 3 bytes: the output is sized once and written through a
    // pointer (appending byte by byte was half of decoding a mail with attachments).
    std::string out(text.size() / 4 * 3 + 3, '\0');
    char* w = out.data();
    auto finished = [&] {
        out.resize(static_cast<std::size_t>(w - out.data()));
        return std::move(out);
    };
    std::uint32_t bits = 0;  // the sextets of the current 4-character group
    int count = 0;           // how many of them
    // RFC 2045 6.8: "Any characters outside of the base64 alphabet are to be ignored"; we ignore
    // them too but say so, except line breaks and blanks, which are normal.
    bad_run invalid(defects, "invalid_base64_character", "outside the base64 alphabet skipped");
    std::size_t i = 0;
    const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
    for (; i < text.size(); ++i) {
        // The common case, at a group boundary: four alphabet characters in a row, decoded
        // together. Anything else (a line break, padding, a stray byte) takes the careful path.
        if (count == 0) {
            while (i + 4 <= text.size()) {
                int a = table[bytes[i]], b = table[bytes[i + 1]], c = table[bytes[i + 2]],
                    d = table[bytes[i + 3]];
                if ((a | b | c | d) < 0) break;
                std::uint32_t group = static_cast<std::uint32_t>(a) << 18 |
                                      static_cast<std::uint32_t>(b) << 12 |
                                      static_cast<std::uint32_t>(c) << 6 | static_cast<std::uint32_t>(d);
                *w++ = static_cast<char>((group >> 16) & 0xFF);
                *w++ = static_cast<char>((group >> 8) & 0xFF);
                *w++ = static_cast<char>(group & 0xFF);
                i += 4;
            }
            if (i == text.size()) break;
        }
        unsigned char c = bytes[i];
        int v = table[c];
        if (v >= 0) {
            bits = (bits << 6) | static_cast<std::uint32_t>(v);
            if (++count == 4) {
                *w++ = static_cast<char>((bits >> 16) & 0xFF);
                *w++ = static_cast<char>((bits >> 8) & 0xFF);
                *w++ = static_cast<char>(bits & 0xFF);
                bits = 0;
                count = 0;
            }
        } else if (c == '=') {
            break;
        } else if (!is_space(text[i])) {
            invalid.add(i, c);
        }
    }
    invalid.flush();

    // A final group of 2 or 3 characters carries 1 or 2 bytes; 1 character (6 bits) carries none.
    auto emit_partial = [&] {
        if (count == 2) {
            *w++ = static_cast<char>((bits >> 4) & 0xFF);
        } else if (count == 3) {
            *w++ = static_cast<char>((bits >> 10) & 0xFF);
            *w++ = static_cast<char>((bits >> 2) & 0xFF);
        }
    };

    if (i == text.size()) {
        if (count == 1)
            add_defect(
                defects, "base64_padding", i,
                "the data ends with a single base64 character (6 bits, not a byte): dropped");
        else if (count > 1)
            add_defect(defects, "base64_padding", i,
                       fmt::format("the last group has {} characters and no \"=\" padding", count));
        emit_partial();
        return finished();
    }

    // RFC 2045 6.8: "=" is used only for padding at the end, so it ends the data. Take the
    // padding run (whitespace may sit inside it), then ignore whatever follows.
    std::size_t pad_at = i;
    std::size_t pads = 0;
    for (; i < text.size() && (text[i] == '=' || is_space(text[i])); ++i) pads += text[i] == '=';
    if (count == 0) {
        add_defect(defects, "base64_padding", pad_at,
                   "\"=\" after a complete 4-character group: no padding belongs there");
    } else if (count == 1) {
        add_defect(defects, "base64_padding", pad_at,
                   "a single base64 character (6 bits, not a byte) before the padding: dropped");
    } else if (pads != static_cast<std::size_t>(4 - count)) {
        add_defect(
            defects, "base64_padding", pad_at,
            fmt::format("{} \"=\" where the last group of {} needs {}", pads, count, 4 - count));
    }
    emit_partial();
    if (i < text.size())
        add_defect(defects, "base64_padding", i,
                   fmt::format("{} characters after the padding ignored", text.size() - i));
    return finished();
}

std::string encode_base64_lines(std::string_view bytes) {
    // RFC 2045 6.8: "encoded lines must be represented in lines of no more than 76 characters".
    constexpr std::size_t line_length = 76;
    std::string encoded = base64_encode(bytes);
    std::string out;
    out.reserve(encoded.size() + encoded.size() / line_length * 2 + 2);
    for (std::size_t pos = 0; pos < encoded.size(); pos += line_length) {
        out.append(encoded, pos, line_length);
        out += "\r\n";
    }
    return out;
}

// ---------------------------------------------------------------------------------------------
// quoted-printable, RFC 2045 6.7

std::string decode_quoted_printable(std::string_view text, defect_list* defects) {
    std::string out;
    out.reserve(text.size());
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t lf = text.find('\n', pos);
        bool terminated = lf != npos;
        std::size_t eol = terminated ? lf : text.size();  // where the line break starts
        if (terminated && eol > pos && text[eol - 1] == '\r') --eol;
        std::size_t end = eol;
        if (terminated) {
            // Rule (3): trailing whitespace on a line "will necessarily have been added by
            // intermediate transport agents" and must be deleted when decoding. An unterminated
            // last line keeps it (as Python's quopri does): nothing can have padded it.
            while (end > pos && (text[end - 1] == ' ' || text[end - 1] == '\t')) --end;
        }
        // Rule (5): "=" at the end of a line is a soft line break, removed with the break.
        // Accepting "=" LF as well as "=" CRLF covers bodies whose CRLFs were converted to LF.
        bool soft = end > pos && text[end - 1] == '=';
        if (soft) --end;

        for (std::size_t k = pos; k < end; ++k) {
            if (text[k] != '=') {
                // The text up to the next "=" goes in as one run, not a byte at a time.
                std::size_t run_end = text.substr(k, end - k).find('=');
                run_end = run_end == npos ? end : k + run_end;
                out.append(text.substr(k, run_end - k));
                k = run_end - 1;
                continue;
            }
            int byte = k + 2 < end ? hex_pair(text, k) : -1;
            if (byte >= 0) {
                out += static_cast<char>(byte);
                k += 2;
            } else {
                // Rule (1) only allows "=" before two hex digits; keep it as it is.
                out += '=';
                add_defect(defects, "invalid_quoted_printable", k,
                           "\"=\" not followed by two hex digits kept literally");
            }
        }
        if (terminated && !soft) out.append(text.substr(eol, lf + 1 - eol));  // CRLF or LF as sent
        pos = terminated ? lf + 1 : text.size();
    }
    return out;
}

std::string encode_quoted_printable(std::string_view text) {
    // Rule (5): encoded lines are at most 76 characters, and a soft break's "=" counts. So a
    // token may reach column 76 only if it ends the hard line; otherwise it must leave room.
    constexpr std::size_t line_length = 76;
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(text.size() + text.size() / 4);
    std::size_t pos = 0;
    for (;;) {
        std::size_t crlf = text.find("\r\n", pos);  // rule (4): CRLF is a hard line break
        std::string_view line = text.substr(pos, crlf == npos ? npos : crlf - pos);
        std::size_t column = 0;
        for (std::size_t k = 0; k < line.size(); ++k) {
            unsigned char c = static_cast<unsigned char>(line[k]);
            bool last = k + 1 == line.size();
            // Rule (2): printable ASCII except "=" is literal. Rule (3): a space or tab is
            // literal unless it ends the line (transport may strip it there). Everything else,
            // including a lone CR or LF, is "=XX" with upper-case hex (rule 1).
            bool literal = (c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !last);
            std::size_t width = literal ? 1 : 3;
            if (column + width > (last ? line_length : line_length - 1)) {
                out += "=\r\n";
                column = 0;
            }
            if (literal) {
                out += static_cast<char>(c);
            } else {
                out += '=';
                out += hex[c >> 4];
                out += hex[c & 0x0F];
            }
            column += width;
        }
        if (crlf == npos) break;
        out += "\r\n";
        pos = crlf + 2;
    }
    return out;
}

// ---------------------------------------------------------------------------------------------
// charsets

std::optional<std::string> to_utf8(std::string_view bytes, std::string_view charset,
                                   defect_list* defects) {
    auto name = resolve_charset(charset);
    if (!name) return std::nullopt;
    if (*name == "UTF-8") return utf8_to_utf8(bytes, defects);
    auto cd = converters().get("UTF-8", *name);
    if (!cd) return std::nullopt;
    bad_run bad(defects, "invalid_charset_sequence",
                fmt::format("not valid in {} replaced by U+FFFD", *name));
    auto out = run_iconv(*cd, bytes, [&](std::size_t at, std::string& o) {
        bad.add(at, static_cast<unsigned char>(bytes[at]));
        o += replacement_character;
        return true;
    });
    bad.flush();
    return out;
}

std::optional<std::string> from_utf8(std::string_view utf8, std::string_view charset) {
    auto name = resolve_charset(charset);
    if (!name || !is_valid_utf8(utf8)) return std::nullopt;
    if (*name == "UTF-8") return std::string(utf8);
    auto cd = converters().get(*name, "UTF-8");
    if (!cd) return std::nullopt;
    // A character the target cannot represent is EILSEQ: no silent substitution on the way out.
    return run_iconv(*cd, utf8, [](std::size_t, std::string&) { return false; });
}

// ---------------------------------------------------------------------------------------------
// RFC 2047 encoded words

namespace {

// A piece of a header value: an encoded word we can decode, or text between them (which
// includes malformed and unknown-charset words, left as they are).
struct piece {
    bool is_word = false;
    std::size_t begin = 0;  // offset in the value
    std::size_t end = 0;
    std::string charset;  // words: as written, "*lang" removed
    std::string bytes;    // words: the decoded octets, still in `charset`
};

// RFC 2047 2: encoded-word = "=?" charset "?" encoding "?" encoded-text "?=", with no space or
// control character anywhere inside (tokens and encoded-text exclude them).
bool ends_word(char c) {
    unsigned char u = static_cast<unsigned char>(c);
    return u <= 0x20 || u >= 0x7F;
}

// RFC 2047 4.2: the "Q" encoding is QP with "_" for space (rule 2) and no soft breaks.
std::string decode_q(std::string_view text, std::size_t base, defect_list* defects) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t k = 0; k < text.size(); ++k) {
        char c = text[k];
        if (c == '_') {
            out += ' ';
        } else if (c != '=') {
            out += c;
        } else if (int byte = hex_pair(text, k); byte >= 0) {
            out += static_cast<char>(byte);
            k += 2;
        } else {
            out += '=';
            add_defect(defects, "invalid_encoded_word", base + k,
                       "\"=\" not followed by two hex digits in a Q-encoded word kept literally");
        }
    }
    return out;
}

// Tries to read an encoded word at value[at] (which starts "=?"). On success fills `word` and
// returns true. On failure returns false and sets `malformed` when the text was clearly meant as
// an encoded word (so "1+1=?" in a subject is not reported, but "=?UTF-8?X?...?=" is).
bool parse_encoded_word(std::string_view v, std::size_t at, piece& word, bool& malformed,
                        defect_list* defects) {
    malformed = false;
    auto run_has_end = [&] {
        for (std::size_t k = at + 2; k + 1 < v.size() && !ends_word(v[k]); ++k)
            if (v[k] == '?' && v[k + 1] == '=') return true;
        return false;
    };
    std::size_t p = at + 2;
    std::size_t q = p;
    while (q < v.size() && v[q] != '?' && !ends_word(v[q])) ++q;
    if (q == p || q + 2 >= v.size() || v[q] != '?' || v[q + 2] != '?') {
        malformed = run_has_end();
        return false;
    }
    char encoding = v[q + 1];
    if (encoding != 'B' && encoding != 'b' && encoding != 'Q' && encoding != 'q') {
        malformed = run_has_end();
        return false;
    }
    std::size_t text_begin = q + 3;
    std::size_t e = text_begin;
    while (e < v.size() && v[e] != '?' && !ends_word(v[e])) ++e;
    if (e + 1 >= v.size() || v[e] != '?' || v[e + 1] != '=') {
        malformed = true;  // "=?charset?B?" with no "?=" before a space: a broken word
        return false;
    }
    std::string_view charset = v.substr(p, q - p);
    // RFC 2231 5: "=?charset*language?...": the language is only a hint for display.
    if (auto star = charset.find('*'); star != npos) charset = charset.substr(0, star);

    word.is_word = true;
    word.begin = at;
    word.end = e + 2;
    word.charset = std::string(charset);
    std::string_view text = v.substr(text_begin, e - text_begin);
    if (encoding == 'B' || encoding == 'b') {
        defect_list nested;
        word.bytes = decode_base64(text, defects ? &nested : nullptr);
        append_shifted(defects, std::move(nested), text_begin);
    } else {
        word.bytes = decode_q(text, text_begin, defects);
    }
    return true;
}

// Text outside encoded words, converted to UTF-8.
void append_plain(std::string_view text, std::size_t base, std::string& out, defect_list* defects,
                  std::string_view fallback_charset) {
    if (!has_8bit(text)) {
        out.append(text);
        return;
    }
    std::size_t first = 0;
    while (static_cast<unsigned char>(text[first]) < 0x80) ++first;
    // RFC 5322 2.2 allows only US-ASCII in header fields; RFC 6532 lifts that for UTF-8 but only
    // on SMTPUTF8 paths, so raw 8-bit text is a defect either way.
    if (is_valid_utf8(text)) {
        add_defect(defects, "8bit_in_header", base + first,
                   "raw UTF-8 in a header (allowed only with SMTPUTF8, RFC 6532)");
        out.append(text);
        return;
    }
    add_defect(defects, "8bit_in_header", base + first,
               fmt::format("raw 8-bit bytes in a header, not UTF-8: read as {}", fallback_charset));
    defect_list nested;
    auto converted = to_utf8(text, fallback_charset, defects ? &nested : nullptr);
    if (!converted) converted = to_utf8(text, "UTF-8", defects ? &nested : nullptr);
    append_shifted(defects, std::move(nested), base);
    out += *converted;
}

}  // namespace

std::string decode_header_text(std::string_view value, defect_list* defects,
                               std::string_view fallback_charset) {
    std::size_t first_defect = defects ? defects->size() : 0;

    // Pass 1: cut the value into decodable encoded words and the text between them. Encoded
    // words are found anywhere, also glued to text ("abc=?UTF-8?B?...?="): RFC 2047 5 forbids
    // that, but real mail does it and readers decode it.
    std::vector<piece> pieces;
    std::vector<std::size_t> unseparated;  // word edges touching non-whitespace
    std::size_t text_begin = 0;
    for (std::size_t i = 0; i + 1 < value.size();) {
        if (value[i] != '=' || value[i + 1] != '?') {
            ++i;
            continue;
        }
        piece word;
        bool malformed = false;
        if (!parse_encoded_word(value, i, word, malformed, defects)) {
            if (malformed)
                add_defect(defects, "invalid_encoded_word", i,
                           "\"=?\" starts something that is not a well-formed encoded word "
                           "(=?charset?B|Q?text?=, no spaces): left as it is");
            ++i;
            continue;
        }
        if (!charset_known(word.charset)) {
            add_defect(
                defects, "unknown_charset", i,
                fmt::format("encoded word in unknown charset \"{}\" left as it is", word.charset));
            i = word.end;
            continue;
        }
        // RFC 2047 5 (1): an encoded word in *text must be separated from adjacent text and
        // words by linear whitespace. Two glued words share one edge, reported once.
        if (i > 0 && !is_lwsp(value[i - 1]) && (unseparated.empty() || unseparated.back() != i))
            unseparated.push_back(i);
        if (word.end < value.size() && !is_lwsp(value[word.end])) unseparated.push_back(word.end);
        if (text_begin < i) pieces.push_back({false, text_begin, i, {}, {}});
        i = word.end;
        text_begin = i;
        pieces.push_back(std::move(word));
    }
    if (text_begin < value.size()) pieces.push_back({false, text_begin, value.size(), {}, {}});
    for (std::size_t at : unseparated)
        add_defect(defects, "invalid_encoded_word", at,
                   "encoded word not separated from its neighbour by whitespace (RFC 2047 5): "
                   "decoded anyway");

    // Pass 2: join and convert. RFC 2047 6.2: linear whitespace between two adjacent encoded
    // words is not displayed. Words in the same charset are joined as octets before conversion,
    // so a character split across two words (which RFC 2047 5 forbids, but mailers do) survives.
    auto is_gap = [&](std::size_t k) {
        if (k == 0 || k + 1 >= pieces.size() || pieces[k].is_word) return false;
        if (!pieces[k - 1].is_word || !pieces[k + 1].is_word) return false;
        std::string_view text = value.substr(pieces[k].begin, pieces[k].end - pieces[k].begin);
        return std::all_of(text.begin(), text.end(), is_lwsp);
    };
    std::string out;
    out.reserve(value.size());
    for (std::size_t k = 0; k < pieces.size();) {
        if (!pieces[k].is_word) {
            if (!is_gap(k))
                append_plain(value.substr(pieces[k].begin, pieces[k].end - pieces[k].begin),
                             pieces[k].begin, out, defects, fallback_charset);
            ++k;
            continue;
        }
        std::string bytes = std::move(pieces[k].bytes);
        const std::string& charset = pieces[k].charset;
        std::size_t word_begin = pieces[k].begin;
        std::size_t next = k + 1;
        for (;;) {
            std::size_t m = next < pieces.size() && is_gap(next) ? next + 1 : next;
            if (m >= pieces.size() || !pieces[m].is_word || !iequals(pieces[m].charset, charset))
                break;
            bytes += pieces[m].bytes;
            next = m + 1;
        }
        defect_list nested;
        auto text = to_utf8(bytes, charset, defects ? &nested : nullptr);
        // Offsets inside the decoded octets do not map back into the value: point at the word.
        for (auto& d : nested) {
            d.detail += fmt::format(" (offset {} in the decoded octets)", d.offset);
            d.offset = word_begin;
            if (defects) defects->push_back(std::move(d));
        }
        out += text ? *text : bytes;  // charset_known() checked above, so text is set
        k = next;
    }

    if (defects)
        std::stable_sort(defects->begin() + static_cast<std::ptrdiff_t>(first_defect),
                         defects->end(),
                         [](const defect& a, const defect& b) { return a.offset < b.offset; });
    return out;
}

std::string encode_header_text(std::string_view utf8, bool fold) {
    // ASCII text that contains "=?" is encoded too, or a reader would try to decode it.
    if (!has_8bit(utf8) && utf8.find("=?") == npos) return std::string(utf8);

    // RFC 2047 2: an encoded word is at most 75 characters. "=?UTF-8?B?" + "?=" take 12, which
    // leaves 63, so 60 base64 characters: 45 octets per word.
    constexpr std::size_t max_octets = 45;
    std::string out;
    for (std::size_t pos = 0; pos < utf8.size();) {
        std::size_t end = pos;
        while (end < utf8.size()) {
            // RFC 2047 5 (3): each word must hold whole characters. A byte that starts no valid
            // sequence is carried alone.
            std::size_t len = std::max<std::size_t>(1, utf8_sequence_length(utf8, end));
            if (end + len - pos > max_octets) break;
            end += len;
        }
        if (!out.empty()) out += fold ? "\r\n " : " ";
        out += "=?UTF-8?B?";
        out += base64_encode(utf8.substr(pos, end - pos));
        out += "?=";
        pos = end;
    }
    return out;
}

// ---------------------------------------------------------------------------------------------
// RFC 2231 parameter values

std::string decode_rfc2231_value(std::string_view value, defect_list* defects) {
    // RFC 2231 4: charset "'" language "'" value, with "%XX" octets in the value part. Without
    // the two quotes the text is a continuation segment or a plain value: only percent-decode.
    std::size_t q1 = value.find('\'');
    std::size_t q2 = q1 == npos ? npos : value.find('\'', q1 + 1);
    std::size_t base = q2 == npos ? 0 : q2 + 1;
    std::string_view encoded = value.substr(base);

    std::string bytes;
    bytes.reserve(encoded.size());
    for (std::size_t k = 0; k < encoded.size(); ++k) {
        if (encoded[k] != '%') {
            bytes += encoded[k];
        } else if (int byte = hex_pair(encoded, k); byte >= 0) {
            bytes += static_cast<char>(byte);
            k += 2;
        } else {
            bytes += '%';
            add_defect(defects, "malformed_parameter", base + k,
                       "\"%\" not followed by two hex digits kept literally");
        }
    }
    if (q2 == npos) return bytes;

    std::string_view charset = trim(value.substr(0, q1));
    // An empty charset is allowed (RFC 2231 4: either part may be left blank); ASCII or UTF-8
    // octets then need no conversion and no complaint.
    if (charset.empty() && is_valid_utf8(bytes)) return bytes;
    defect_list nested;
    auto text = to_utf8(bytes, charset, defects ? &nested : nullptr);
    if (!text) {
        add_defect(defects, "unknown_charset", 0,
                   fmt::format("parameter value in unknown charset \"{}\": octets kept as they are",
                               charset));
        return bytes;
    }
    // Offsets inside the decoded octets do not map back into the value: point at its start.
    for (auto& d : nested) {
        d.detail += fmt::format(" (offset {} in the decoded octets)", d.offset);
        d.offset = base;
        if (defects) defects->push_back(std::move(d));
    }
    return *text;
}

}  // namespace maillab::mime
