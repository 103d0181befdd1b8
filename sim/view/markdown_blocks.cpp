#include "sim/view/markdown_blocks.hpp"

#include <cctype>

namespace maillab::view {
namespace {

std::string_view trim_left(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    return s;
}

std::string_view trim_right(std::string_view s) {
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return s;
}

// "12. text" -> marker "12.", rest "text"; false when the line is not a numbered item.
bool numbered_item(std::string_view line, std::string& marker, std::string_view& rest) {
    std::size_t i = 0;
    while (i < line.size() && std::isdigit(static_cast<unsigned char>(line[i]))) ++i;
    if (i == 0 || i + 1 >= line.size() || (line[i] != '.' && line[i] != ')') || line[i + 1] != ' ')
        return false;
    marker = std::string(line.substr(0, i + 1));
    rest = trim_left(line.substr(i + 2));
    return true;
}

// Bold marks (**word**) are dropped: the panel has no bold face, and the word reads as well.
std::string without_bold_marks(std::string text) {
    for (std::size_t at; (at = text.find("**")) != std::string::npos;) text.erase(at, 2);
    return text;
}

}  // namespace

std::vector<markdown_span> split_code_spans(std::string_view text) {
    std::vector<markdown_span> out;
    std::string plain;
    std::size_t i = 0;
    while (i < text.size()) {
        if (text[i] == '`') {
            std::size_t close = text.find('`', i + 1);
            if (close != std::string_view::npos) {
                if (!plain.empty()) out.push_back({without_bold_marks(std::move(plain)), false});
                plain.clear();
                out.push_back({std::string(text.substr(i + 1, close - i - 1)), true});
                i = close + 1;
                continue;
            }
        }
        plain += text[i++];
    }
    if (!plain.empty()) out.push_back({without_bold_marks(std::move(plain)), false});
    return out;
}

std::vector<markdown_block> split_markdown(std::string_view text) {
    std::vector<markdown_block> out;
    bool in_paragraph = false;
    bool in_code = false;
    bool code_has_lines = false;  // an empty first line of a code block is still a line
    markdown_block code;
    auto finish = [&] {
        for (auto& b : out)
            if (b.what != markdown_block::kind::code && b.spans.empty()) b.spans = split_code_spans(b.text);
    };
    while (!text.empty()) {
        std::size_t eol = text.find('\n');
        std::string_view raw = text.substr(0, eol);
        text = eol == std::string_view::npos ? std::string_view() : text.substr(eol + 1);
        std::string_view line = trim_right(raw);
        std::string_view body = trim_left(line);
        if (in_code) {
            if (body.starts_with("```")) {
                out.push_back(std::move(code));
                in_code = false;
            } else {
                code.text += (code_has_lines ? "\n" : "") + std::string(line);
                code_has_lines = true;
            }
            continue;
        }
        if (body.starts_with("```")) {
            in_paragraph = false;
            in_code = true;
            code_has_lines = false;
            code = {};
            code.what = markdown_block::kind::code;
            continue;
        }
        if (body.empty()) {
            in_paragraph = false;
            continue;
        }
        std::string marker;
        std::string_view rest;
        if (body.starts_with("#")) {
            std::size_t level = body.find_first_not_of('#');
            if (level != std::string_view::npos && level <= 6 && body[level] == ' ') {
                markdown_block h;
                h.what = markdown_block::kind::heading;
                h.level = static_cast<int>(level);
                h.text = std::string(trim_left(body.substr(level)));
                out.push_back(std::move(h));
                in_paragraph = false;
                continue;
            }
        }
        if ((body.starts_with("- ") || body.starts_with("* ") || body.starts_with("+ "))) {
            markdown_block b;
            b.what = markdown_block::kind::bullet;
            b.text = std::string(trim_left(body.substr(2)));
            out.push_back(std::move(b));
            in_paragraph = true;  // a continuation line belongs to the item
            continue;
        }
        if (numbered_item(body, marker, rest)) {
            markdown_block b;
            b.what = markdown_block::kind::numbered;
            b.marker = std::move(marker);
            b.text = std::string(rest);
            out.push_back(std::move(b));
            in_paragraph = true;
            continue;
        }
        if (in_paragraph && !out.empty() && out.back().what != markdown_block::kind::heading) {
            out.back().text += " " + std::string(body);
            continue;
        }
        markdown_block p;
        p.text = std::string(body);
        out.push_back(std::move(p));
        in_paragraph = true;
    }
    if (in_code) out.push_back(std::move(code));
    finish();
    return out;
}

}  // namespace maillab::view
