#include "sim/record/trace_io.hpp"

#include <array>
#include <fstream>
#include <sstream>

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

event event_from_json(const nlohmann::json& j) {
    if (!j.is_object()) throw std::invalid_argument("an event must be a JSON object");
    auto need = [&](const char* key) -> const nlohmann::json& {
        auto it = j.find(key);
        if (it == j.end()) throw std::invalid_argument(fmt::format("missing field \"{}\"", key));
        return *it;
    };
    auto as_string = [](const nlohmann::json& v, const char* key) {
        if (!v.is_string())
            throw std::invalid_argument(fmt::format("field \"{}\" must be a string", key));
        return v.get<std::string>();
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
    std::string kind = as_string(need("kind"), "kind");
    auto k = event_kind_from_string(kind);
    if (!k) throw std::invalid_argument(fmt::format("unknown event kind \"{}\"", kind));
    e.kind = *k;
    e.text = as_string(need("text"), "text");
    for (const auto& [key, value] : j.items()) {
        if (key == "cause") e.cause = as_uint(value, "cause");
        else if (key == "conn") e.conn = as_uint(value, "conn");
        else if (key == "proto") e.proto = as_string(value, "proto");
        else if (key == "from") e.from = as_string(value, "from");
        else if (key == "to") e.to = as_string(value, "to");
        else if (key == "raw") e.raw = as_string(value, "raw");
        else if (key == "raw_b64") {
            auto decoded = base64_decode(as_string(value, "raw_b64"));
            if (!decoded) throw std::invalid_argument("field \"raw_b64\" is not valid base64");
            e.raw = std::move(*decoded);
        } else if (key == "explain") e.explain = as_string(value, "explain");
        else if (!is_core_key(key)) e.fields[key] = value;
    }
    return e;
}

std::string header_line(const nlohmann::json& header) {
    nlohmann::ordered_json j;
    j["format"] = trace_format_name;
    j["version"] = trace_format_version;
    for (const auto& [key, value] : header.items())
        if (key != "format" && key != "version") j[key] = value;
    return j.dump();
}

std::string event_line(const event& e) {
    // Replace invalid UTF-8 in free-text fields rather than throw: a trace must always be writable.
    return event_to_json(e).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

trace_writer::trace_writer(std::ostream& out, const nlohmann::json& header) : out_(out) {
    out_ << header_line(header) << '\n';
    out_.flush();
}

void trace_writer::on_event(const event& e) {
    out_ << event_line(e) << '\n';
    out_.flush();
}

trace_format_error::trace_format_error(const std::string& source, std::size_t line,
                                       const std::string& what)
    : std::runtime_error(fmt::format("{}:{}: {}", source, line, what)), line_(line) {}

trace_file read_trace(std::istream& in, const std::string& source) {
    trace_file result;
    std::string line;
    std::size_t number = 0;
    bool have_header = false;
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
            throw trace_format_error(source, number,
                                     std::string("not valid JSON: ") + err.what());
        }
        if (!have_header) {
            if (!j.is_object() || j.value("format", "") != trace_format_name)
                throw trace_format_error(
                    source, number,
                    fmt::format("expected a header line with \"format\":\"{}\"",
                                trace_format_name));
            auto version = j.find("version");
            if (version == j.end() || !version->is_number_integer())
                throw trace_format_error(source, number, "header has no integer \"version\"");
            if (version->get<int>() > trace_format_version)
                throw trace_format_error(
                    source, number,
                    fmt::format("format version {} is newer than this maillab reads ({}); "
                                "update maillab",
                                version->get<int>(), trace_format_version));
            result.header = std::move(j);
            have_header = true;
            continue;
        }
        try {
            result.events.push_back(event_from_json(j));
        } catch (const std::exception& err) {
            throw trace_format_error(source, number, err.what());
        }
    }
    if (!have_header) throw trace_format_error(source, number, "empty file: no header line");
    return result;
}

trace_file read_trace_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw trace_format_error(path, 0, "cannot open file");
    return read_trace(in, path);
}

void write_trace_file(const std::string& path, const nlohmann::json& header,
                      const std::vector<event>& events) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) throw std::runtime_error(path + ": cannot open for writing");
    out << header_line(header) << '\n';
    for (const auto& e : events) out << event_line(e) << '\n';
    if (!out) throw std::runtime_error(path + ": write failed");
}

}  // namespace maillab
