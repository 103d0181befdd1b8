// Loads a scenario file (docs/scenario-format.md) and checks it all before anything runs: a
// mistake is a file_format_error with file, line and column and what was expected there; a key
// the format does not know is an error, not ignored; a name that refers to nothing (a host, a
// user, a domain) is an error at the place that names it.
#pragma once

#include <string>

#include "sim/core/strict_json.hpp"
#include "sim/world/scenario.hpp"

namespace maillab::world {

constexpr int scenario_format_version = 1;

scenario load_scenario_file(const std::string& path);
// `file` is only used in messages.
scenario load_scenario_text(const std::string& file, const std::string& text);
// A scenario object inside another document (a lab file's "scenario"), at the JSON Pointer
// `pointer`; errors name that document's lines and the path from its root.
scenario load_scenario_in(const json_document& doc, const std::string& pointer, std::string id);

// The role a client port name needs on the server ("submission" -> submission, "smtp" -> mx,
// "smtps" -> submission with TLS, "pop3s" -> pop3 with TLS ...); nullopt if unknown.
struct port_info {
    host_role role;
    std::string proto;  // "smtp", "pop3", "imap"
    bool implicit_tls;
    unsigned short number;  // the well-known port, for the trace
};
std::optional<port_info> port_by_name(std::string_view name);

}  // namespace maillab::world
