#include "sim/explain/catalog.hpp"

#include <stdexcept>

#include <fmt/format.h>

#include "sim/explain/embedded_catalogs.hpp"

namespace maillab {

std::optional<language> language_from_string(std::string_view name) {
    if (name == "en") return language::en;
    if (name == "zh") return language::zh;
    return std::nullopt;
}

const explain_catalog& explain_catalog::builtin() {
    static const explain_catalog catalog = [] {
        explain_catalog c;
        for (const auto& [source, text] : embedded_catalogs()) c.add_json(text, source);
        return c;
    }();
    return catalog;
}

void explain_catalog::add_json(std::string_view json_text, std::string_view source) {
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(json_text);
    } catch (const nlohmann::json::parse_error& err) {
        throw std::invalid_argument(fmt::format("{}: {}", source, err.what()));
    }
    if (!j.is_object()) throw std::invalid_argument(fmt::format("{}: not a JSON object", source));
    for (const auto& item : j.items()) {
        // Named copies, not a structured binding: clang before 16 cannot capture bindings.
        const std::string& key = item.key();
        const nlohmann::json& value = item.value();
        auto text_of = [&](const char* field) {
            if (!value.is_object() || !value.contains(field) || !value[field].is_string())
                throw std::invalid_argument(
                    fmt::format("{}: entry \"{}\" needs a string \"{}\"", source, key, field));
            return value[field].get<std::string>();
        };
        entries_[key] = explanation{text_of("rfc"), text_of("en"), text_of("zh")};
    }
}

const explanation* explain_catalog::find(std::string_view key) const {
    auto it = entries_.find(key);
    return it == entries_.end() ? nullptr : &it->second;
}

std::optional<std::string> explain_catalog::render(std::string_view key, language lang,
                                                   const nlohmann::json& fields) const {
    const explanation* e = find(key);
    if (!e) return std::nullopt;
    return fill_placeholders(e->text(lang), fields);
}

std::string fill_placeholders(std::string_view text, const nlohmann::json& fields) {
    std::string out;
    std::size_t i = 0;
    while (i < text.size()) {
        std::size_t open = text.find('{', i);
        if (open == std::string_view::npos) break;
        std::size_t close = text.find('}', open);
        if (close == std::string_view::npos) break;
        out.append(text.substr(i, open - i));
        std::string name(text.substr(open + 1, close - open - 1));
        auto it = fields.is_object() ? fields.find(name) : fields.end();
        if (it != fields.end())
            out += it->is_string() ? it->get<std::string>() : it->dump();
        else
            out.append(text.substr(open, close - open + 1));
        i = close + 1;
    }
    out.append(text.substr(i));
    return out;
}

std::string event_text(const event& e, language lang) {
    if (lang == language::zh) {
        auto zh = e.fields.find("text_zh");
        if (zh != e.fields.end() && zh->is_string()) return zh->get<std::string>();
    }
    return e.text;
}

}  // namespace maillab
