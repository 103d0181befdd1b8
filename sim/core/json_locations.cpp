#include "sim/core/json_locations.hpp"

namespace maillab {
namespace {

class walker {
public:
    walker(std::string_view text, std::map<std::string, text_position>& values,
           std::map<std::string, text_position>& keys)
        : text_(text), values_(values), keys_(keys) {}

    void run() {
        skip_space();
        value("");
    }

private:
    text_position here() const { return {line_, pos_ - line_start_ + 1}; }
    bool done() const { return pos_ >= text_.size(); }

    void advance() {
        if (text_[pos_] == '\n') {
            ++line_;
            line_start_ = pos_ + 1;
        }
        ++pos_;
    }

    void skip_space() {
        while (!done() && (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\n' ||
                           text_[pos_] == '\r'))
            advance();
    }

    // Reads a string starting at '"' and returns its unescaped text (escapes other than \" and
    // \\ are kept as written: object keys in our formats are plain ASCII).
    std::string string_token() {
        std::string out;
        advance();  // opening quote
        while (!done() && text_[pos_] != '"') {
            if (text_[pos_] == '\\' && pos_ + 1 < text_.size()) {
                advance();
                char c = text_[pos_];
                if (c != '"' && c != '\\' && c != '/') out += '\\';
            }
            out += text_[pos_];
            advance();
        }
        if (!done()) advance();  // closing quote
        return out;
    }

    void value(const std::string& pointer) {
        if (done()) return;
        values_.emplace(pointer, here());
        char c = text_[pos_];
        if (c == '{') {
            advance();
            skip_space();
            while (!done() && text_[pos_] != '}') {
                if (text_[pos_] != '"') return;  // not valid JSON: stop indexing
                text_position key_at = here();
                std::string member = pointer + "/" + json_pointer_escape(string_token());
                keys_.emplace(member, key_at);
                skip_space();
                if (done() || text_[pos_] != ':') return;
                advance();
                skip_space();
                value(member);
                skip_space();
                if (!done() && text_[pos_] == ',') {
                    advance();
                    skip_space();
                }
            }
            if (!done()) advance();
        } else if (c == '[') {
            advance();
            skip_space();
            std::size_t index = 0;
            while (!done() && text_[pos_] != ']') {
                value(pointer + "/" + std::to_string(index++));
                skip_space();
                if (!done() && text_[pos_] == ',') {
                    advance();
                    skip_space();
                } else if (!done() && text_[pos_] != ']') {
                    return;
                }
            }
            if (!done()) advance();
        } else if (c == '"') {
            string_token();
        } else {
            // number, true, false, null
            while (!done() && text_[pos_] != ',' && text_[pos_] != '}' && text_[pos_] != ']' &&
                   text_[pos_] != ' ' && text_[pos_] != '\n' && text_[pos_] != '\r' &&
                   text_[pos_] != '\t')
                advance();
        }
    }

    std::string_view text_;
    std::map<std::string, text_position>& values_;
    std::map<std::string, text_position>& keys_;
    std::size_t pos_ = 0;
    std::size_t line_ = 1;
    std::size_t line_start_ = 0;
};

}  // namespace

std::string json_pointer_escape(std::string_view token) {
    std::string out;
    for (char c : token) {
        if (c == '~') out += "~0";
        else if (c == '/') out += "~1";
        else out += c;
    }
    return out;
}

json_locations::json_locations(std::string_view text) {
    walker(text, values_, keys_).run();
}

text_position json_locations::value(const std::string& pointer) const {
    std::string p = pointer;
    while (true) {
        if (auto it = values_.find(p); it != values_.end()) return it->second;
        if (p.empty()) return {};
        p.erase(p.rfind('/'));
    }
}

text_position json_locations::key(const std::string& pointer) const {
    if (auto it = keys_.find(pointer); it != keys_.end()) return it->second;
    return value(pointer);
}

text_position json_locations::position_of(std::string_view text, std::size_t byte_offset) {
    text_position p;
    std::size_t line_start = 0;
    for (std::size_t i = 0; i < byte_offset && i < text.size(); ++i) {
        if (text[i] == '\n') {
            ++p.line;
            line_start = i + 1;
        }
    }
    p.column = (byte_offset > line_start ? byte_offset - line_start : 0) + 1;
    return p;
}

}  // namespace maillab
