# Writes a C++ source defining `const std::string& FUNCTION()` (in namespace NAMESPACE) that
# returns the content of INPUT, so the binaries need no data files at run time.
# Inputs: INPUT, OUTPUT, NAMESPACE, FUNCTION.
file(READ "${INPUT}" body)
set(out "// Generated at build time from ${INPUT}; edit that file instead.\n#include <string>\n\n")
string(APPEND out "namespace ${NAMESPACE} {\n\nconst std::string& ${FUNCTION}() {\n")
string(APPEND out "  static const std::string kText = R\"edupay_text(${body})edupay_text\";\n")
string(APPEND out "  return kText;\n}\n\n}  // namespace ${NAMESPACE}\n")
file(WRITE "${OUTPUT}.tmp" "${out}")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
