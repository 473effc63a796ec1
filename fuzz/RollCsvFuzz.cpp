// A school roll as uploaded (CSV in UTF-8 or GBK, any header language): header search, decoding,
// every field's validation.
#include "FuzzInput.h"
#include "registry/RollImporter.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace edupay;
  const std::string& path = fuzz::inputFile(data, size);
  fuzz::NullRegistryStore store;
  registry::RollImportOptions o;
  o.dry_run = true;
  o.as_of = *Date::parse("2026-09-01");
  fuzz::refusalsAreFine([&] { (void)registry::importRoll(store, fuzz::cipher(), path, o); });
  return 0;
}
