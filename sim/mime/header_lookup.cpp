#include "sim/mime/header_lookup.hpp"

#include "sim/core/bytes.hpp"
#include "sim/mime/message.hpp"

namespace maillab::mime {

std::optional<std::string> header_value(std::string_view message, std::string_view name) {
    defect_list defects;
    std::size_t body_begin = 0;
    header_block block = parse_header(message, 0, message.size(), &body_begin, defects);
    const header_field* field = block.find(name);
    if (!field) return std::nullopt;
    return std::string(trim(unfold(field->value.of(message))));
}

std::string message_id_of(std::string_view message) {
    auto id = header_value(message, "Message-ID");
    if (!id) return {};
    // Keep the angle-bracketed id only (a comment after it is not part of it).
    auto open = id->find('<');
    auto close = id->find('>', open == std::string::npos ? 0 : open);
    if (open != std::string::npos && close != std::string::npos)
        return id->substr(open, close - open + 1);
    return *id;
}

std::string_view header_text(std::string_view message) {
    for (std::size_t pos = 0; pos < message.size();) {
        std::size_t eol = message.find('\n', pos);
        if (eol == std::string_view::npos) return message;
        std::string_view line = message.substr(pos, eol - pos);
        if (line.empty() || line == "\r") return message.substr(0, pos);
        pos = eol + 1;
    }
    return message;
}

}  // namespace maillab::mime
