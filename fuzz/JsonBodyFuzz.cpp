// The JSON bodies of API requests (login, reasons, builds, objections...).
#include <string>

#include "FuzzInput.h"
#include "api/RequestBody.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace edupay;
  const std::string body(reinterpret_cast<const char*>(data), size);
  fuzz::refusalsAreFine([&] { (void)api::parseJsonObject(body); });
  return 0;
}
