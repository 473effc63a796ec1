#pragma once

#include <stdexcept>
#include <string>

namespace edupay {

/// Protocol-free failure codes. The HTTP layer maps them to statuses in one place; the CLI maps
/// them to exit codes in one place.
enum class ErrorCode {
  kInvalidInput,  ///< the caller gave something malformed; the message says what and where
  kNotFound,
  kConflict,  ///< duplicate key, stale version, state does not allow the action
  kForbidden,
  kUnauthenticated,  ///< no, or no longer a, valid login (HTTP 401)
  kUnavailable,      ///< database or file system not reachable; retrying later may work
  kInternal,         ///< a bug
};

/// Short stable name of a code ("invalid_input", "not_found", ...), used in JSON output.
const char* errorCodeName(ErrorCode code);

/// The one exception type edupay throws for failures. Messages say what to do and carry the
/// file/row/field; they never contain a full resident ID or account number.
class Error : public std::runtime_error {
 public:
  Error(ErrorCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
  ErrorCode code() const { return code_; }

 private:
  ErrorCode code_;
};

}  // namespace edupay
