// An official roster (resident_id, name, household_id, category, valid_from, valid_to, region).
#include "FuzzInput.h"
#include "registry/RosterImporter.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace edupay;
  const std::string& path = fuzz::inputFile(data, size);
  fuzz::NullRegistryStore store;
  fuzz::refusalsAreFine(
      [&] { (void)registry::importRoster(store, fuzz::cipher(), path, "poverty", true); });
  return 0;
}
