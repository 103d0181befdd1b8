#include "sim/pop3/response_reader.hpp"

namespace maillab::pop3 {

std::optional<response> response_reader::next(bool multiline) {
    if (!scanning_) {
        auto lf = in_.find('\n');
        if (lf == std::string::npos) return std::nullopt;
        partial_ = response{};
        partial_.line = in_.substr(0, lf);
        if (!partial_.line.empty() && partial_.line.back() == '\r') partial_.line.pop_back();
        partial_.continuation = partial_.line.rfind("+ ", 0) == 0 || partial_.line == "+";
        partial_.positive = partial_.line.rfind("+OK", 0) == 0 || partial_.continuation;
        if (!partial_.positive || !multiline) {
            partial_.raw = in_.substr(0, lf + 1);
            in_.erase(0, lf + 1);
            return std::move(partial_);
        }
        scanning_ = true;
        partial_.multiline = true;
        first_line_end_ = scan_ = lf + 1;
    }
    // Multi-line: wait for the terminating "." line. Lines already looked at are not looked at
    // again when more bytes come, so a long RETR arriving in many pieces is read once.
    for (;;) {
        auto next = in_.find('\n', scan_);
        if (next == std::string::npos) return std::nullopt;
        std::string_view line(in_.data() + scan_, next + 1 - scan_);
        if (line == ".\r\n" || line == ".\n") {
            partial_.stuffed_body = in_.substr(first_line_end_, scan_ - first_line_end_);
            partial_.raw = in_.substr(0, next + 1);
            in_.erase(0, next + 1);
            scanning_ = false;
            return std::move(partial_);
        }
        if (line.front() == '.') line.remove_prefix(1);  // RFC 1939 3: byte-stuffing
        partial_.body.append(line);
        scan_ = next + 1;
    }
}

void response_reader::discard() {
    in_.clear();
    scanning_ = false;
}

}  // namespace maillab::pop3
