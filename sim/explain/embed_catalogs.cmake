# Turns the catalog JSON files into a C++ source so the binaries carry their explanations.
# Invoked with -DOUT=<file.cpp> -DINPUTS=<a.json|b.json>.
string(REPLACE "|" ";" input_list "${INPUTS}")
set(body "")
foreach(input IN LISTS input_list)
  file(READ "${input}" text)
  get_filename_component(name "${input}" NAME)
  string(APPEND body "        {\"${name}\", R\"maillab_catalog(${text})maillab_catalog\"},\n")
endforeach()
file(WRITE "${OUT}.tmp"
"// Generated from sim/explain/catalog/*.json by embed_catalogs.cmake; do not edit.\n"
"#include \"sim/explain/embedded_catalogs.hpp\"\n"
"namespace maillab {\n"
"const std::vector<std::pair<std::string_view, std::string_view>>& embedded_catalogs() {\n"
"    static const std::vector<std::pair<std::string_view, std::string_view>> catalogs{\n"
"${body}"
"    };\n"
"    return catalogs;\n"
"}\n"
"}  // namespace maillab\n")
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
