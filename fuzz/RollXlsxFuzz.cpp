// A school roll saved by Excel (.xlsx: a zip of XML parts): the workbook reader, then the roll's
// validation of the first sheet.
#include "FuzzInput.h"
#include "common/Xlsx.h"
#include "registry/RollImporter.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace edupay;
  const std::string& path = fuzz::inputFile(data, size);
  fuzz::refusalsAreFine([&] { (void)xlsxToCsv(path); });
  fuzz::NullRegistryStore store;
  registry::RollImportOptions o;
  o.dry_run = true;
  o.as_of = *Date::parse("2026-09-01");
  fuzz::refusalsAreFine([&] { (void)registry::importRoll(store, fuzz::cipher(), path, o); });
  return 0;
}
