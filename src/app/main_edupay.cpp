#include <iostream>
#include <string>
#include <vector>

#include "app/Cli.h"
#include "common/Error.h"
#include "common/Log.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  try {
    // Operational events (files imported and written, runs, state changes) go to the log when
    // EDUPAY_LOG_LEVEL asks for them (notice); by default only warnings.
    edupay::log::configureFromEnvironment("warning");
  } catch (const edupay::Error& e) {
    std::cerr << "edupay: " << e.what() << "\n";
    return 2;
  }
  return edupay::app::runCli(args, std::cout, std::cerr);
}
