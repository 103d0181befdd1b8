// Two views of a parsed message for people and tools: the part tree as text
// (`maillab mime FILE`) and the canonical JSON form (`maillab mime --json`, docs/mime.md), which
// the tests compare with Python's email package.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "sim/mime/message.hpp"

namespace maillab::mime {

// Keys in the documented order: type, params, headers, defects, then parts or the leaf fields.
nlohmann::ordered_json canonical_json(const message& m);
std::string part_tree_text(const message& m);

std::string sha256_hex(std::string_view bytes);

}  // namespace maillab::mime
