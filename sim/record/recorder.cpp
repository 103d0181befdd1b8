#include "sim/record/recorder.hpp"

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace maillab {

trace_recorder::trace_recorder(const std::string& path)
    : path_(path), file_(path, std::ios::binary | std::ios::trunc), writer_(file_) {
    if (!file_)
        throw std::runtime_error(path + ": cannot open for writing (" + std::strerror(errno) +
                                 ")");
}

void trace_recorder::on_header(const nlohmann::json& header) { writer_.on_header(header); }

void trace_recorder::on_event(const event& e) {
    writer_.on_event(e);
    ++events_;
}

}  // namespace maillab
