// Raw bytes for the inspector: a classic hex dump (offset, 16 bytes in hex, printable ASCII).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace maillab::view {

// "0000  48 45 4c 4f 20 63 0d 0a                          HELO c.."
std::vector<std::string> hex_dump(std::string_view bytes, std::size_t max_lines = 4096);

}  // namespace maillab::view
