#include "sim/record/annotations.hpp"

#include <algorithm>
#include <array>

#include <fmt/format.h>

namespace maillab {
namespace {

constexpr std::array<std::pair<annotation_type, std::string_view>, 3> type_names{{
    {annotation_type::note, "note"},
    {annotation_type::bookmark, "bookmark"},
    {annotation_type::view, "view"},
}};

[[noreturn]] void bad(const std::string& what) { throw std::invalid_argument(what); }

std::uint64_t positive_integer(const nlohmann::json& v, const char* key) {
    bool ok = v.is_number_unsigned() || (v.is_number_integer() && v.get<std::int64_t>() > 0);
    if (!ok || v.get<std::uint64_t>() == 0)
        bad(fmt::format("annotation field \"{}\" must be a positive integer", key));
    return v.get<std::uint64_t>();
}

std::string string_field(const nlohmann::json& v, const char* key) {
    if (!v.is_string()) bad(fmt::format("annotation field \"{}\" must be a string", key));
    return v.get<std::string>();
}

// The filter is written with the names the replay's options use (proto, host, conn, kind).
nlohmann::ordered_json filter_to_json(const view::event_filter& f) {
    nlohmann::ordered_json j = nlohmann::ordered_json::object();
    if (!f.protos.empty()) j["proto"] = f.protos;
    if (!f.hosts.empty()) j["host"] = f.hosts;
    if (!f.conns.empty()) j["conn"] = f.conns;
    if (!f.kinds.empty()) {
        nlohmann::ordered_json kinds = nlohmann::ordered_json::array();
        for (auto k : f.kinds) kinds.push_back(std::string(to_string(k)));
        j["kind"] = kinds;
    }
    if (!f.text.empty()) j["text"] = f.text;
    if (f.from_seq) j["from_seq"] = *f.from_seq;
    if (f.to_seq) j["to_seq"] = *f.to_seq;
    return j;
}

view::event_filter filter_from_json(const nlohmann::json& j) {
    if (!j.is_object()) bad("annotation field \"filter\" must be an object");
    auto strings = [](const nlohmann::json& v, const char* key) {
        if (!v.is_array()) bad(fmt::format("filter field \"{}\" must be a list of strings", key));
        std::set<std::string> out;
        for (const auto& item : v) {
            if (!item.is_string())
                bad(fmt::format("filter field \"{}\" must be a list of strings", key));
            out.insert(item.get<std::string>());
        }
        return out;
    };
    view::event_filter f;
    for (const auto& [key, value] : j.items()) {
        if (key == "proto") f.protos = strings(value, "proto");
        else if (key == "host") f.hosts = strings(value, "host");
        else if (key == "conn") {
            if (!value.is_array()) bad("filter field \"conn\" must be a list of integers");
            for (const auto& c : value) f.conns.insert(positive_integer(c, "filter.conn"));
        } else if (key == "kind") {
            for (const auto& name : strings(value, "kind")) {
                auto k = event_kind_from_string(name);
                if (!k) bad(fmt::format("filter field \"kind\": unknown event kind \"{}\"", name));
                f.kinds.insert(*k);
            }
        } else if (key == "text") f.text = string_field(value, "filter.text");
        else if (key == "from_seq") f.from_seq = positive_integer(value, "filter.from_seq");
        else if (key == "to_seq") f.to_seq = positive_integer(value, "filter.to_seq");
        else bad(fmt::format("unknown filter field \"{}\"", key));
    }
    if (f.from_seq && f.to_seq && *f.from_seq > *f.to_seq)
        bad(fmt::format("filter: from_seq {} is after to_seq {}", *f.from_seq, *f.to_seq));
    return f;
}

std::string describe_filter(const view::event_filter& f) {
    std::vector<std::string> parts;
    auto join = [](const auto& items) {
        std::string out;
        for (const auto& item : items) out += (out.empty() ? "" : ",") + fmt::format("{}", item);
        return out;
    };
    if (!f.protos.empty()) parts.push_back("proto " + join(f.protos));
    if (!f.hosts.empty()) parts.push_back("host " + join(f.hosts));
    if (!f.conns.empty()) parts.push_back("conn " + join(f.conns));
    if (!f.kinds.empty()) {
        std::vector<std::string_view> names;
        for (auto k : f.kinds) names.push_back(to_string(k));
        parts.push_back("kind " + join(names));
    }
    if (!f.text.empty()) parts.push_back(fmt::format("text \"{}\"", f.text));
    if (f.from_seq || f.to_seq)
        parts.push_back(fmt::format("seq {}-{}", f.from_seq ? std::to_string(*f.from_seq) : "",
                                    f.to_seq ? std::to_string(*f.to_seq) : ""));
    std::string out;
    for (const auto& p : parts) out += (out.empty() ? "" : "; ") + p;
    return out.empty() ? "every event" : out;
}

}  // namespace

std::string_view to_string(annotation_type type) {
    for (const auto& [t, name] : type_names)
        if (t == type) return name;
    return "note";
}

std::optional<annotation_type> annotation_type_from_string(std::string_view name) {
    for (const auto& [t, n] : type_names)
        if (n == name) return t;
    return std::nullopt;
}

const std::string& annotation::note_text(language lang) const {
    return lang == language::zh && !text_zh.empty() ? text_zh : text;
}

std::string annotation::summary(language lang) const {
    switch (type) {
        case annotation_type::note:
            return fmt::format("{:<4} note      #{:<5} {}", id, seq.value_or(0), note_text(lang));
        case annotation_type::bookmark:
            return fmt::format("{:<4} bookmark  #{:<5} {}", id, seq.value_or(0), name);
        case annotation_type::view:
            return fmt::format("{:<4} view      {} ({}{})", id, name, describe_filter(filter),
                               seq ? fmt::format("; cursor #{}", *seq) : "");
    }
    return {};
}

nlohmann::ordered_json annotation_to_json(const annotation& a) {
    nlohmann::ordered_json j;
    j["id"] = a.id;
    j["type"] = std::string(to_string(a.type));
    if (a.seq) j["seq"] = *a.seq;
    switch (a.type) {
        case annotation_type::note:
            j["text"] = a.text;
            if (!a.text_zh.empty()) j["text_zh"] = a.text_zh;
            break;
        case annotation_type::bookmark:
            j["name"] = a.name;
            break;
        case annotation_type::view:
            j["name"] = a.name;
            j["filter"] = filter_to_json(a.filter);
            break;
    }
    return j;
}

annotation annotation_from_json(const nlohmann::json& j) {
    if (!j.is_object()) bad("an annotation must be a JSON object");
    auto type_it = j.find("type");
    if (type_it == j.end()) bad("annotation has no \"type\" (note, bookmark or view)");
    std::string type_name = string_field(*type_it, "type");
    auto type = annotation_type_from_string(type_name);
    if (!type)
        bad(fmt::format("unknown annotation type \"{}\" (note, bookmark or view)", type_name));

    annotation a;
    a.type = *type;
    bool have_id = false, have_text = false, have_name = false;
    for (const auto& [key, value] : j.items()) {
        if (key == "type") continue;
        if (key == "id") {
            a.id = positive_integer(value, "id");
            have_id = true;
        } else if (key == "seq") {
            a.seq = positive_integer(value, "seq");
        } else if (key == "text" && a.type == annotation_type::note) {
            a.text = string_field(value, "text");
            have_text = true;
        } else if (key == "text_zh" && a.type == annotation_type::note) {
            a.text_zh = string_field(value, "text_zh");
        } else if (key == "name" && a.type != annotation_type::note) {
            a.name = string_field(value, "name");
            have_name = true;
        } else if (key == "filter" && a.type == annotation_type::view) {
            a.filter = filter_from_json(value);
        } else {
            bad(fmt::format("unknown field \"{}\" in a {} annotation", key, type_name));
        }
    }
    if (!have_id) bad("annotation has no \"id\"");
    if (a.type != annotation_type::view && !a.seq)
        bad(fmt::format("a {} annotation needs \"seq\" (the event it is on)", type_name));
    if (a.type == annotation_type::note && (!have_text || a.text.empty()))
        bad("a note annotation needs a non-empty \"text\"");
    if (a.type != annotation_type::note && (!have_name || a.name.empty()))
        bad(fmt::format("a {} annotation needs a non-empty \"name\"", type_name));
    return a;
}

std::string annotation_line(const annotation& a) {
    nlohmann::ordered_json line;
    line["annotation"] = annotation_to_json(a);
    // A teacher may paste text that is not UTF-8; replacing beats refusing to save the lesson.
    return line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

bool is_annotation_line(const nlohmann::json& j) {
    return j.is_object() && j.size() == 1 && j.contains("annotation");
}

std::uint64_t next_annotation_id(const std::vector<annotation>& all) {
    std::uint64_t max = 0;
    for (const auto& a : all) max = std::max(max, a.id);
    return max + 1;
}

annotation_index::annotation_index(const std::vector<annotation>& all) {
    for (const auto& a : all)
        if (a.type != annotation_type::view && a.seq) by_seq_[*a.seq].push_back(&a);
}

const std::vector<const annotation*>& annotation_index::on(std::uint64_t seq) const {
    static const std::vector<const annotation*> none;
    auto it = by_seq_.find(seq);
    return it == by_seq_.end() ? none : it->second;
}

const annotation* find_view(const std::vector<annotation>& all, std::string_view name) {
    for (const auto& a : all)
        if (a.type == annotation_type::view && a.name == name) return &a;
    return nullptr;
}

}  // namespace maillab
