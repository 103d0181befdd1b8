#include "sim/record/trace_io.hpp"

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <unordered_set>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include "sim/core/bytes.hpp"

namespace maillab {
namespace {

constexpr std::array<std::string_view, 12> core_keys = {
    "seq", "t_us", "cause", "conn", "proto", "from", "to", "kind", "text", "raw", "raw_b64",
    "explain"};

bool is_core_key(std::string_view key) {
    for (auto k : core_keys)
        if (k == key) return true;
    return false;
}

}  // namespace

nlohmann::ordered_json event_to_json(const event& e) {
    nlohmann::ordered_json j;
    j["seq"] = e.seq;
    j["t_us"] = e.t_us;
    if (e.cause) j["cause"] = *e.cause;
    if (e.conn != 0) j["conn"] = e.conn;
    if (!e.proto.empty()) j["proto"] = e.proto;
    if (!e.from.empty()) j["from"] = e.from;
    if (!e.to.empty()) j["to"] = e.to;
    j["kind"] = to_string(e.kind);
    j["text"] = e.text;
    if (e.raw) {
        if (is_valid_utf8(*e.raw)) j["raw"] = *e.raw;
        else j["raw_b64"] = base64_encode(*e.raw);
    }
    if (!e.explain.empty()) j["explain"] = e.explain;
    for (const auto& [key, value] : e.fields.items()) {
        // Kind-specific fields sit beside the core ones; a clash would make reading ambiguous.
        if (is_core_key(key)) throw std::logic_error("event field shadows a core key: " + key);
        j[key] = value;
    }
    return j;
}

namespace {

// An event from a JSON object nobody needs afterwards: its strings are moved and what is left of
// the object after the core keys becomes `fields` as it is, so no field is copied. Loading a
// recording is mostly this (docs/performance.md, Traces).
event event_from_parsed_line(nlohmann::json&& j) {
    if (!j.is_object()) throw std::invalid_argument("an event must be a JSON object");
    auto need = [&](const char* key) -> nlohmann::json& {
        auto it = j.find(key);
        if (it == j.end()) throw std::invalid_argument(fmt::format("missing field \"{}\"", key));
        return *it;
    };
    auto take_string = [](nlohmann::json& v, const char* key) {
        if (!v.is_string())
            throw std::invalid_argument(fmt::format("field \"{}\" must be a string", key));
        return std::move(v.get_ref<std::string&>());
    };
    auto as_uint = [](const nlohmann::json& v, const char* key) {
        if (!v.is_number_unsigned() && !(v.is_number_integer() && v.get<std::int64_t>() >= 0))
            throw std::invalid_argument(
                fmt::format("field \"{}\" must be a non-negative integer", key));
        return v.get<std::uint64_t>();
    };

    event e;
    e.seq = as_uint(need("seq"), "seq");
    const auto& t = need("t_us");
    if (!t.is_number_integer()) throw std::invalid_argument("field \"t_us\" must be an integer");
    e.t_us = t.get<std::int64_t>();
    std::string kind = take_string(need("kind"), "kind");
    auto k = event_kind_from_string(kind);
    if (!k) throw std::invalid_argument(fmt::format("unknown event kind \"{}\"", kind));
    e.kind = *k;
    e.text = take_string(need("text"), "text");
    // The optional core keys in the object's order (a JSON object's keys are sorted), so that
    // with two bad fields the first one is named.
    for (auto it = j.begin(); it != j.end();) {
        const std::string& key = it.key();
        if (key == "cause") e.cause = as_uint(*it, "cause");
        else if (key == "conn") e.conn = as_uint(*it, "conn");
        else if (key == "proto") e.proto = take_string(*it, "proto");
        else if (key == "from") e.from = take_string(*it, "from");
        else if (key == "to") e.to = take_string(*it, "to");
        else if (key == "raw") e.raw = take_string(*it, "raw");
        else if (key == "raw_b64") {
            auto decoded = base64_decode(take_string(*it, "raw_b64"));
            if (!decoded) throw std::invalid_argument("field \"raw_b64\" is not valid base64");
            e.raw = std::move(*decoded);
        } else if (key == "explain") e.explain = take_string(*it, "explain");
        if (is_core_key(key)) it = j.erase(it);
        else ++it;
    }
    e.fields = std::move(j);
    return e;
}

}  // namespace

event event_from_json(const nlohmann::json& j) {
    // One reader for both: a copy of the object, taken apart like a parsed line.
    return event_from_parsed_line(nlohmann::json(j));
}


int trace_version_for(bool has_annotations) { return has_annotations ? 2 : 1; }

std::string header_line(const nlohmann::json& header, int version) {
    nlohmann::ordered_json j;
    j["format"] = trace_format_name;
    j["version"] = version;
    for (const auto& [key, value] : header.items())
        if (key != "format" && key != "version") j[key] = value;
    return j.dump();
}

std::string event_line(const event& e) {
    // Replace invalid UTF-8 in free-text fields rather than throw: a trace must always be writable.
    return event_to_json(e).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

trace_writer::trace_writer(std::ostream& out) : out_(out) {}

trace_writer::trace_writer(std::ostream& out, const nlohmann::json& header) : out_(out) {
    on_header(header);
}

void trace_writer::on_header(const nlohmann::json& header) {
    if (header_written_) return;
    // A live recording has no annotations yet: version 1 (see trace_version_for()).
    out_ << header_line(header, trace_version_for(false)) << '\n';
    out_.flush();
    header_written_ = true;
}

void trace_writer::on_event(const event& e) {
    out_ << event_line(e) << '\n';
    out_.flush();
}

trace_format_error::trace_format_error(const std::string& source, std::size_t line,
                                       const std::string& what)
    : std::runtime_error(fmt::format("{}:{}: {}", source, line, what)), line_(line) {}

namespace {

// nlohmann's message says "parse error at line 1, column 5: ..."; within one JSON line only the
// column means something, and the file's line is already in front.
std::string json_error_text(const nlohmann::json::parse_error& err) {
    std::string what = err.what();
    auto column = what.find("column ");
    auto colon = column == std::string::npos ? column : what.find(": ", column);
    std::string reason = colon == std::string::npos ? what : what.substr(colon + 2);
    return fmt::format("not valid JSON at column {}: {}", err.byte, reason);
}

int read_header(trace_file& result, nlohmann::json j, const std::string& source,
                std::size_t number) {
    int v = check_trace_header(j, source, number);
    result.header = std::move(j);
    return v;
}

// An annotation on an event that is not there (cut off with the end of a recording, or a typo in
// a hand-edited file) is kept, so writing the file back does not lose the teacher's text.
void warn_about_dangling_annotations(trace_file& result, const std::vector<std::size_t>& lines,
                                     const std::string& source) {
    std::unordered_set<std::uint64_t> seqs;
    for (const auto& e : result.events) seqs.insert(e.seq);
    for (std::size_t i = 0; i < result.annotations.size(); ++i) {
        const annotation& a = result.annotations[i];
        if (!a.seq || seqs.count(*a.seq)) continue;
        result.warnings.push_back(fmt::format(
            "{}:{}: {} {} is on event #{}, which is not in the file (it is kept)", source,
            lines[i], to_string(a.type), a.id, *a.seq));
    }
}

}  // namespace

int check_trace_header(const nlohmann::json& j, const std::string& source, std::size_t number) {
    auto format = j.is_object() ? j.find("format") : j.end();
    if (!j.is_object() || format == j.end() || !format->is_string() ||
        format->get<std::string>() != trace_format_name)
        throw trace_format_error(
            source, number,
            fmt::format("expected a header line with \"format\":\"{}\"", trace_format_name));
    auto version = j.find("version");
    if (version == j.end() || !version->is_number_integer())
        throw trace_format_error(source, number, "header has no integer \"version\"");
    auto v = version->get<std::int64_t>();
    if (v > trace_format_version)
        throw trace_format_error(source, number,
                                 fmt::format("format version {} is newer than this maillab reads "
                                             "({}); update maillab",
                                             v, trace_format_version));
    if (v < 1)
        throw trace_format_error(
            source, number,
            fmt::format("format version {} does not exist (versions start at 1)", v));
    return static_cast<int>(v);
}

trace_file read_trace(std::istream& in, const std::string& source) {
    trace_file result;
    std::string line;
    std::size_t number = 0;
    bool have_header = false;
    std::unordered_set<std::uint64_t> annotation_ids;
    std::vector<std::size_t> annotation_line_numbers;
    while (std::getline(in, line)) {
        ++number;
        bool last_line_unterminated = in.eof();  // getline hit EOF before a newline
        if (line.empty()) continue;
        nlohmann::json j;
        try {
            j = nlohmann::json::parse(line);
        } catch (const nlohmann::json::parse_error& err) {
            if (last_line_unterminated && have_header) {
                // A recording cut off by a crash: keep everything before the broken line.
                result.warnings.push_back(fmt::format(
                    "{}:{}: last line is incomplete (recording cut off?); it was skipped", source,
                    number));
                break;
            }
            if (last_line_unterminated)
                throw trace_format_error(source, number,
                                         "the header line is incomplete (the recording was cut "
                                         "off before it began?)");
            throw trace_format_error(source, number, json_error_text(err));
        } catch (const nlohmann::json::out_of_range&) {
            // A number too large for a double ("1e999") is valid JSON text but no value.
            throw trace_format_error(source, number, "a number too large to read");
        }
        if (!have_header) {
            result.version = read_header(result, std::move(j), source, number);
            have_header = true;
            continue;
        }
        if (is_annotation_line(j)) {
            if (result.version < 2)
                throw trace_format_error(
                    source, number,
                    fmt::format("an annotation line needs format version 2; the header says {}",
                                result.version));
            annotation a;
            try {
                a = annotation_from_json(j["annotation"]);
            } catch (const std::exception& err) {
                throw trace_format_error(source, number, err.what());
            }
            if (!annotation_ids.insert(a.id).second)
                throw trace_format_error(source, number,
                                         fmt::format("annotation id {} is used twice", a.id));
            result.annotations.push_back(std::move(a));
            annotation_line_numbers.push_back(number);
            continue;
        }
        try {
            result.events.push_back(event_from_parsed_line(std::move(j)));
        } catch (const std::exception& err) {
            throw trace_format_error(source, number, err.what());
        }
    }
    if (!have_header) throw trace_format_error(source, number, "empty file: no header line");
    warn_about_dangling_annotations(result, annotation_line_numbers, source);
    return result;
}

trace_file read_trace_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw trace_format_error(path, 0, std::string("cannot open file: ") + std::strerror(errno));
    return read_trace(in, path);
}

namespace {

// A FILE* on a temporary file beside the target, removed unless commit() renamed it into place.
class atomic_file {
public:
    explicit atomic_file(const std::string& path) : path_(path) {
        namespace fs = std::filesystem;
        fs::path dir = fs::path(path).parent_path();
        tmp_ = (dir / ("." + fs::path(path).filename().string() + ".tmp-XXXXXX")).string();
        int fd = ::mkstemp(tmp_.data());
        if (fd < 0) fail("cannot create a temporary file beside it");
        // mkstemp makes the file 0600; a rewritten recording keeps its mode, a new one gets the
        // usual 0666 less the umask.
        struct stat old {};
        mode_t mode;
        if (::stat(path.c_str(), &old) == 0) {
            mode = old.st_mode & 07777;
        } else {
            mode_t mask = ::umask(0);
            ::umask(mask);
            mode = 0666 & ~mask;
        }
        ::fchmod(fd, mode);
        file_ = ::fdopen(fd, "wb");
        if (!file_) {
            ::close(fd);
            ::unlink(tmp_.c_str());
            fail("cannot open the temporary file");
        }
    }
    atomic_file(const atomic_file&) = delete;
    atomic_file& operator=(const atomic_file&) = delete;
    ~atomic_file() {
        if (file_) std::fclose(file_);
        if (!committed_) ::unlink(tmp_.c_str());
    }

    void line(const std::string& text) {
        if (std::fwrite(text.data(), 1, text.size(), file_) != text.size() ||
            std::fputc('\n', file_) == EOF)
            fail("write failed");
    }

    void commit() {
        if (std::fflush(file_) != 0 || ::fsync(::fileno(file_)) != 0) fail("write failed");
        int closed = std::fclose(file_);
        file_ = nullptr;
        if (closed != 0) fail("write failed");
        if (::rename(tmp_.c_str(), path_.c_str()) != 0) fail("cannot replace the file");
        committed_ = true;
        // The rename is durable once the directory is.
        std::string dir = std::filesystem::path(path_).parent_path().string();
        int dfd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY);
        if (dfd >= 0) {
            ::fsync(dfd);
            ::close(dfd);
        }
    }

private:
    [[noreturn]] void fail(const std::string& what) {
        throw std::runtime_error(fmt::format("{}: {} ({})", path_, what, std::strerror(errno)));
    }

    std::string path_;
    std::string tmp_;
    std::FILE* file_ = nullptr;
    bool committed_ = false;
};

}  // namespace

void write_trace_file(const std::string& path, const nlohmann::json& header,
                      const std::vector<event>& events,
                      const std::vector<annotation>& annotations) {
    atomic_file out(path);
    out.line(header_line(header, trace_version_for(!annotations.empty())));
    for (const auto& a : annotations) out.line(annotation_line(a));
    for (const auto& e : events) out.line(event_line(e));
    out.commit();
}

}  // namespace maillab
