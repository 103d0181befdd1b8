#include "sim/smtp/address.hpp"

#include <cctype>

#include "sim/core/bytes.hpp"

namespace maillab::smtp {

std::variant<path_argument, path_error> parse_path_argument(std::string_view args,
                                                            std::string_view keyword) {
    path_argument result;
    args = trim(args);
    if (args.size() < keyword.size() + 1 || !iequals(args.substr(0, keyword.size()), keyword) ||
        args[keyword.size()] != ':')
        return path_error{"expected \"" + std::string(keyword) + ":<address>\""};
    args.remove_prefix(keyword.size() + 1);
    if (!args.empty() && (args.front() == ' ' || args.front() == '\t')) {
        result.space_after_colon = true;
        args = trim(args);
    }
    if (args.empty()) return path_error{"no address after \"" + std::string(keyword) + ":\""};

    std::string_view rest;
    if (args.front() == '<') {
        auto close = args.find('>');
        if (close == std::string_view::npos) return path_error{"\"<\" without a closing \">\""};
        std::string_view inner = args.substr(1, close - 1);
        // RFC 5321 4.1.2: a source route "@a,@b:user@c" is obsolete; keep the mailbox only.
        if (!inner.empty() && inner.front() == '@') {
            auto colon = inner.find(':');
            if (colon == std::string_view::npos) return path_error{"malformed source route"};
            inner.remove_prefix(colon + 1);
        }
        result.address = std::string(inner);
        rest = args.substr(close + 1);
    } else {
        result.missing_angle_brackets = true;
        auto space = args.find(' ');
        result.address = std::string(args.substr(0, space));
        rest = space == std::string_view::npos ? std::string_view() : args.substr(space);
    }
    for (unsigned char c : result.address)
        if (c <= ' ' || c == 0x7F || c == '<' || c == '>')
            return path_error{"the address contains a space or a control character"};

    rest = trim(rest);
    while (!rest.empty()) {
        auto space = rest.find(' ');
        std::string_view param = rest.substr(0, space);
        rest = space == std::string_view::npos ? std::string_view() : trim(rest.substr(space));
        auto eq = param.find('=');
        std::string key = to_upper(param.substr(0, eq));
        std::string value = eq == std::string_view::npos ? "" : std::string(param.substr(eq + 1));
        // RFC 5321 4.1.2: esmtp-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")
        bool keyword_ok = !key.empty() && std::isalnum(static_cast<unsigned char>(key[0]));
        for (unsigned char c : key) keyword_ok = keyword_ok && (std::isalnum(c) || c == '-');
        if (!keyword_ok)
            return path_error{"malformed ESMTP parameter \"" + std::string(param) + "\""};
        result.params.emplace_back(std::move(key), std::move(value));
    }
    return result;
}

bool plausible_mailbox(std::string_view address) {
    auto at = address.rfind('@');
    if (at == std::string_view::npos || at == 0 || at + 1 == address.size()) return false;
    std::string_view domain = address.substr(at + 1);
    if (domain.front() == '[') return domain.back() == ']';  // address literal [192.0.2.1]
    for (unsigned char c : domain)
        if (!(std::isalnum(c) || c == '-' || c == '.' || c >= 0x80)) return false;
    return domain.front() != '.' && domain.back() != '.';
}

std::string domain_of(std::string_view address) {
    auto at = address.rfind('@');
    return at == std::string_view::npos ? std::string() : to_lower(address.substr(at + 1));
}

std::string local_part_of(std::string_view address) {
    auto at = address.rfind('@');
    return std::string(at == std::string_view::npos ? address : address.substr(0, at));
}

}  // namespace maillab::smtp
