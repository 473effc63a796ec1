# Writes a C++ source holding the bank file layouts of templates/banks, so the binaries carry the
# shipped layouts; a layout directory given at run time adds to or replaces them.
# Inputs: LAYOUT_DIR, OUTPUT.
file(GLOB files "${LAYOUT_DIR}/*.json")
list(SORT files)
set(out "// Generated from templates/banks at build time; edit the .json files instead.\n")
string(APPEND out "#include \"bankfiles/Layout.h\"\n\nnamespace edupay::bankfiles {\n\n")
string(APPEND out "const std::vector<std::pair<std::string, std::string>>& builtinLayouts() {\n")
string(APPEND out "  static const std::vector<std::pair<std::string, std::string>> kAll = {\n")
foreach(f ${files})
  get_filename_component(name "${f}" NAME)
  file(READ "${f}" body)
  string(APPEND out "      {\"${name}\", R\"edupay_json(${body})edupay_json\"},\n")
endforeach()
string(APPEND out "  };\n  return kAll;\n}\n\n}  // namespace edupay::bankfiles\n")
file(WRITE "${OUTPUT}.tmp" "${out}")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
