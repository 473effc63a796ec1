# Writes a C++ source defining `const std::vector<std::pair<std::string, std::string>>&
# FUNCTION()` (in NAMESPACE) that returns every file of DIR matching PATTERN as (name, content),
# sorted by name, so the binaries need no data files at run time.
# Inputs: DIR, PATTERN, OUTPUT, NAMESPACE, FUNCTION. A file must stay under 60,000 bytes (the
# length of string literal every C++ compiler is required to accept).
file(GLOB files "${DIR}/${PATTERN}")
list(SORT files)
set(out "// Generated at build time from ${DIR}; edit the files there instead.\n")
string(APPEND out "#include <string>\n#include <utility>\n#include <vector>\n\nnamespace ${NAMESPACE} {\n\n")
string(APPEND out "const std::vector<std::pair<std::string, std::string>>& ${FUNCTION}() {\n")
string(APPEND out "  static const std::vector<std::pair<std::string, std::string>> kAll = {\n")
foreach(f ${files})
  get_filename_component(name "${f}" NAME)
  file(READ "${f}" body)
  string(LENGTH "${body}" length)
  if(length GREATER 60000)
    message(FATAL_ERROR "${f} is ${length} bytes; split it (at most 60000 per file)")
  endif()
  string(APPEND out "      {\"${name}\", R\"edupay_file(${body})edupay_file\"},\n")
endforeach()
string(APPEND out "  };\n  return kAll;\n}\n\n}  // namespace ${NAMESPACE}\n")
file(WRITE "${OUTPUT}.tmp" "${out}")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
