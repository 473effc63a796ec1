# Writes a C++ source defining `const char* SYMBOL()` that returns the content of INPUT, so the
# binaries carry their schemas and need no data files at run time. Inputs: INPUT, OUTPUT, SYMBOL,
# NAMESPACE, HEADER.
file(READ "${INPUT}" body)
set(out "// Generated from ${INPUT} at build time; edit that file instead.\n#include \"${HEADER}\"\n\n")
string(APPEND out "namespace ${NAMESPACE} {\n\nconst char* ${SYMBOL}() {\n  return R\"edupay_raw(${body})edupay_raw\";\n}\n\n}\n")
file(WRITE "${OUTPUT}.tmp" "${out}")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
