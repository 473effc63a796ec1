// A scholarship nomination list (resident_id[,name]).
#include "FuzzInput.h"
#include "registry/RosterImporter.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace edupay;
  const std::string& path = fuzz::inputFile(data, size);
  fuzz::NullRegistryStore store;
  fuzz::refusalsAreFine([&] {
    (void)registry::importNominations(store, fuzz::cipher(), path, "higher_national_scholarship",
                                      2026);
  });
  return 0;
}
