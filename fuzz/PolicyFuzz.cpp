// A policy file (JSON): schema validation, then the semantic checks.
#include <string>

#include "FuzzInput.h"
#include "rules/Policy.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace edupay;
  const std::string json(reinterpret_cast<const char*>(data), size);
  fuzz::refusalsAreFine([&] { (void)rules::parsePolicy(json, "fuzz"); });
  return 0;
}
