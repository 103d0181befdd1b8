#include "sim/core/line_reader.hpp"

namespace maillab {

line_reader::result line_reader::next(std::string& buffer) {
    result r;
    auto lf = buffer.find('\n');
    if (lf == std::string::npos) {
        if (buffer.size() > max_line_) {
            discarding_ = true;
            discarded_ += buffer.size();
            buffer.clear();
        }
        return r;
    }
    r.raw = buffer.substr(0, lf + 1);
    buffer.erase(0, lf + 1);
    if (discarding_ || r.raw.size() > max_line_) {
        r.type = result::kind::too_long;
        r.length = discarded_ + r.raw.size();
        r.raw.clear();
        discarding_ = false;
        discarded_ = 0;
        return r;
    }
    r.type = result::kind::line;
    r.crlf = r.raw.size() >= 2 && r.raw[r.raw.size() - 2] == '\r';
    return r;
}

}  // namespace maillab
