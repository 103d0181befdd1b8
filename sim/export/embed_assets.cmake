# Turns the HTML page's stylesheet and script (sim/export/assets/) into a C++ source, so that
# `maillab export --to html` writes one self-contained page with no file to find at run time.
# Invoked with -DOUT=<file.cpp> -DINPUTS=<a.css|b.js>.
string(REPLACE "|" ";" input_list "${INPUTS}")
set(body "")
foreach(input IN LISTS input_list)
  file(READ "${input}" text)
  get_filename_component(name "${input}" NAME)
  string(FIND "${text}" ")maillab_asset\"" clash)
  if(NOT clash EQUAL -1)
    message(FATAL_ERROR "${input} contains the raw string delimiter )maillab_asset\"")
  endif()
  string(APPEND body "        {\"${name}\", R\"maillab_asset(${text})maillab_asset\"},\n")
endforeach()
file(WRITE "${OUT}.tmp"
"// Generated from sim/export/assets/ by embed_assets.cmake; do not edit.\n"
"#include \"sim/export/embedded_assets.hpp\"\n"
"#include <stdexcept>\n"
"#include <string>\n"
"#include <utility>\n"
"#include <vector>\n"
"namespace maillab::exporting {\n"
"std::string_view export_asset(std::string_view name) {\n"
"    static const std::vector<std::pair<std::string_view, std::string_view>> assets{\n"
"${body}"
"    };\n"
"    for (const auto& [n, text] : assets)\n"
"        if (n == name) return text;\n"
"    throw std::logic_error(\"no embedded export asset \" + std::string(name));\n"
"}\n"
"}  // namespace maillab::exporting\n")
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
