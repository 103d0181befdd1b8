#include "sim/record/trace_tail.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include "sim/record/annotations.hpp"
#include "sim/record/trace_io.hpp"

namespace maillab {

const char* to_string(trace_tail::status s) {
    switch (s) {
        case trace_tail::status::waiting_for_file: return "waiting_for_file";
        case trace_tail::status::waiting_for_header: return "waiting_for_header";
        case trace_tail::status::following: return "following";
        case trace_tail::status::not_a_trace: return "not_a_trace";
        case trace_tail::status::unreadable: return "unreadable";
    }
    return "?";
}

trace_tail::trace_tail(std::string path) : path_(std::move(path)) {}

void trace_tail::restart_file() {
    offset_ = 0;
    partial_.clear();
    line_number_ = 0;
    have_header_ = false;
    problem_.clear();
}

trace_tail::update trace_tail::poll() {
    update out;
    int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT) {
            // Not there (yet, or any more: a writer that replaces the file by rename).
            if (status_ != status::waiting_for_file && have_identity_) have_identity_ = false;
            status_ = status::waiting_for_file;
            problem_.clear();
        } else {
            status_ = status::unreadable;
            problem_ = fmt::format("{}: cannot open: {}", path_, std::strerror(errno));
        }
        return out;
    }
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        status_ = status::unreadable;
        problem_ = fmt::format("{}: not a regular file", path_);
        ::close(fd);
        return out;
    }
    auto device = static_cast<std::uint64_t>(st.st_dev);
    auto inode = static_cast<std::uint64_t>(st.st_ino);
    auto size = static_cast<std::uint64_t>(st.st_size);
    bool first_sight = !have_identity_;
    bool replaced = have_identity_ && (device != device_ || inode != inode_);
    // trace_recorder truncates the file it records to: a restarted serve begins again at 0.
    bool truncated = size < offset_ + partial_.size();
    if (replaced || truncated || first_sight) {
        bool had_content = line_number_ > 0 || !partial_.empty();
        restart_file();
        out.restarted = had_content;
        if (status_ == status::not_a_trace || status_ == status::unreadable)
            status_ = status::waiting_for_header;
    }
    have_identity_ = true;
    device_ = device;
    inode_ = inode;
    if (status_ == status::waiting_for_file || status_ == status::unreadable)
        status_ = status::waiting_for_header;
    // A file that was not a recording is looked at again from its start (it may have been
    // rewritten in place), but only its beginning: it may be a large file of something else.
    std::uint64_t limit = UINT64_MAX;
    if (status_ == status::not_a_trace) {
        restart_file();
        status_ = status::waiting_for_header;
        limit = 64 * 1024;
    }

    std::uint64_t from = offset_ + partial_.size();
    std::string chunk;
    if (size > from) {
        chunk.resize(std::min<std::uint64_t>(size - from, limit));
        std::size_t got = 0;
        while (got < chunk.size()) {
            ssize_t n = ::pread(fd, chunk.data() + got, chunk.size() - got,
                                static_cast<off_t>(from + got));
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) break;
            got += static_cast<std::size_t>(n);
        }
        chunk.resize(got);
    }
    ::close(fd);

    partial_ += chunk;
    std::size_t start = 0;
    for (;;) {
        std::size_t nl = partial_.find('\n', start);
        if (nl == std::string::npos) break;
        std::string line = partial_.substr(start, nl - start);
        offset_ += nl + 1 - start;
        start = nl + 1;
        take_line(line, out);
        if (status_ == status::not_a_trace) {
            partial_.clear();
            return out;
        }
    }
    partial_.erase(0, start);
    return out;
}

void trace_tail::take_line(const std::string& line, update& out) {
    ++line_number_;
    if (line.empty() || line == "\r") return;
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(line);
    } catch (const nlohmann::json::parse_error& err) {
        if (!have_header_) {
            status_ = status::not_a_trace;
            problem_ = fmt::format("{}:{}: not a maillab recording: the first line is not JSON",
                                   path_, line_number_);
            return;
        }
        out.problems.push_back(fmt::format("{}:{}: damaged line skipped: not valid JSON at "
                                           "byte {}",
                                           path_, line_number_, err.byte));
        return;
    } catch (const nlohmann::json::out_of_range&) {
        // A number too large for a double: the line cannot be read, like a damaged one.
        if (!have_header_) {
            status_ = status::not_a_trace;
            problem_ = fmt::format("{}:{}: not a maillab recording: the first line is not a "
                                   "header",
                                   path_, line_number_);
            return;
        }
        out.problems.push_back(fmt::format("{}:{}: damaged line skipped: a number too large "
                                           "to read",
                                           path_, line_number_));
        return;
    }
    if (!have_header_) {
        try {
            check_trace_header(j, path_, line_number_);
        } catch (const std::exception& err) {
            status_ = status::not_a_trace;
            problem_ = fmt::format("not a maillab recording: {}", err.what());
            return;
        }
        have_header_ = true;
        status_ = status::following;
        out.header = std::move(j);
        return;
    }
    // Notes added while the session runs are not shown live; open the file afterwards.
    if (is_annotation_line(j)) return;
    try {
        out.events.push_back(event_from_json(j));
    } catch (const std::exception& err) {
        out.problems.push_back(
            fmt::format("{}:{}: damaged line skipped: {}", path_, line_number_, err.what()));
    }
}

}  // namespace maillab
