// Small helpers the bench scripts need that the CLI deliberately does not offer.
//   edupay_bench_tool encrypt KEY_FILE FIELD VALUE   -> the ciphertext edupay would store
#include <iostream>
#include <string>

#include "common/Error.h"
#include "security/FieldCipher.h"

int main(int argc, char** argv) {
  try {
    if (argc == 5 && std::string(argv[1]) == "encrypt") {
      const auto cipher = edupay::security::FieldCipher::loadKeyFile(argv[2]);
      std::cout << cipher.encrypt(argv[3], argv[4]) << "\n";
      return 0;
    }
  } catch (const edupay::Error& e) {
    std::cerr << "edupay_bench_tool: " << e.what() << "\n";
    return 1;
  }
  std::cerr << "usage: edupay_bench_tool encrypt KEY_FILE FIELD VALUE\n";
  return 2;
}
