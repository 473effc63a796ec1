#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace edupay::app {

/// Exit codes of every edupay command (documented in the README).
enum ExitCode : int {
  kExitOk = 0,
  kExitRejected = 1,  ///< the input had bad rows; nothing (or only the good rows) was written
  kExitUsage = 2,     ///< wrong command line
  kExitNotFound = 3,
  kExitConflict = 4,
  kExitForbidden = 5,
  kExitUnavailable = 6,  ///< database or file system not reachable
  kExitInternal = 70,
};

/// Runs one `edupay` command line (argv without the program name). Human output to `out`,
/// errors and progress to `err`; with --json a machine-readable summary on `out`.
/// The only place besides the HTTP handler base that catches exceptions.
int runCli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace edupay::app
