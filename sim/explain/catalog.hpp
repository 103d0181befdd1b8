// The explanation catalog: for each command, reply code, state and teaching note, a short text in
// English and Chinese with the RFC section. The texts are data (sim/explain/catalog/*.json),
// compiled into the library so every binary carries them.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "sim/core/event.hpp"

namespace maillab {

enum class language { en, zh };
std::optional<language> language_from_string(std::string_view name);

struct explanation {
    std::string rfc;
    std::string en;
    std::string zh;
    const std::string& text(language lang) const { return lang == language::zh ? zh : en; }
};

class explain_catalog {
public:
    // The catalog built into the binary (all protocols).
    static const explain_catalog& builtin();

    // Throws std::invalid_argument naming the source and key when an entry is malformed.
    void add_json(std::string_view json_text, std::string_view source);

    const explanation* find(std::string_view key) const;
    // The text with {placeholders} filled from `fields`; nullopt when the key is unknown.
    std::optional<std::string> render(std::string_view key, language lang,
                                      const nlohmann::json& fields) const;
    std::size_t size() const { return entries_.size(); }
    const std::map<std::string, explanation, std::less<>>& entries() const { return entries_; }

private:
    std::map<std::string, explanation, std::less<>> entries_;
};

// "Hello {name}" with {"name":"bob"} -> "Hello bob"; unknown placeholders stay as written.
std::string fill_placeholders(std::string_view text, const nlohmann::json& fields);

// The event's own text in that language: a note written in both languages (a teacher's note in
// a scenario) carries its Chinese text in the field text_zh; every other text is as recorded.
std::string event_text(const event& e, language lang);

}  // namespace maillab
