#include "sim/smtp/reply.hpp"

#include <cctype>

namespace maillab::smtp {

std::string format_reply(int code, const std::vector<std::string>& lines) {
    std::string out;
    std::string number = std::to_string(code);
    if (lines.empty()) return number + "\r\n";
    for (std::size_t i = 0; i < lines.size(); ++i) {
        out += number;
        out += (i + 1 == lines.size()) ? ' ' : '-';
        out += lines[i];
        out += "\r\n";
    }
    return out;
}

std::optional<reply> reply_parser::next() {
    for (;;) {
        auto lf = buffer_.find('\n');
        if (lf == std::string::npos) return std::nullopt;
        std::string raw_line = buffer_.substr(0, lf + 1);
        buffer_.erase(0, lf + 1);
        std::string line = raw_line.substr(0, raw_line.size() - 1);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        partial_.raw += raw_line;

        bool well_formed = line.size() >= 3 && std::isdigit(static_cast<unsigned char>(line[0])) &&
                           std::isdigit(static_cast<unsigned char>(line[1])) &&
                           std::isdigit(static_cast<unsigned char>(line[2])) &&
                           (line.size() == 3 || line[3] == ' ' || line[3] == '-');
        if (!well_formed) {
            reply bad{0, {line}, std::move(partial_.raw)};
            partial_ = reply{};
            return bad;
        }
        int code = std::stoi(line.substr(0, 3));
        if (partial_.code != 0 && partial_.code != code) {
            // RFC 5321 4.2.1: every line of a multi-line reply carries the same code.
            reply bad{0, {line}, std::move(partial_.raw)};
            partial_ = reply{};
            return bad;
        }
        partial_.code = code;
        partial_.lines.push_back(line.size() > 4 ? line.substr(4) : std::string());
        if (line.size() == 3 || line[3] == ' ') {
            reply done = std::move(partial_);
            partial_ = reply{};
            return done;
        }
    }
}

}  // namespace maillab::smtp
