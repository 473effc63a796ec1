// A bank's pipe-delimited result file (GBK).
#include "FuzzInput.h"
#include "bankfiles/ResultFile.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace edupay;
  const std::string& path = fuzz::inputFile(data, size);
  fuzz::refusalsAreFine([&] {
    (void)bankfiles::readResultFile(path, bankfiles::ResultKind::kPipeResult,
                                    [](const bankfiles::ResultLine&) {});
  });
  return 0;
}
