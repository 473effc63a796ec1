// An uploaded form: the input's first line is the Content-Type header's value, the rest the body.
#include <string>

#include "FuzzInput.h"
#include "api/RequestBody.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace edupay;
  const std::string input(reinterpret_cast<const char*>(data), size);
  const auto eol = input.find('\n');
  const std::string type = eol == std::string::npos ? input : input.substr(0, eol);
  const std::string body = eol == std::string::npos ? "" : input.substr(eol + 1);
  std::string file_name;  // the part's file name is read too
  fuzz::refusalsAreFine([&] { (void)api::uploadedContent(type, body, &file_name); });
  return 0;
}
