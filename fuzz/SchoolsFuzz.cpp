// The schools and regions files (school_code,name,region_code,stages,ownership,bank_code and
// code,name,parent_code,level).
#include "FuzzInput.h"
#include "registry/RollImporter.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace edupay;
  const std::string& path = fuzz::inputFile(data, size);
  fuzz::NullRegistryStore store;
  fuzz::refusalsAreFine([&] { (void)registry::importSchools(store, path); });
  fuzz::refusalsAreFine([&] { (void)registry::importRegions(store, path); });
  return 0;
}
