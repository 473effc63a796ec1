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

/// The sentences people read for failures a database driver reports, whatever the dialect: the
/// driver's own text goes to Error::detail().
namespace db_messages {
inline constexpr const char* kDuplicate =
    "this record was saved by someone else at the same time, or already exists; reload to see "
    "the current state before trying again";
inline constexpr const char* kBusy =
    "someone else was changing the same records; nothing was saved; try again";
inline constexpr const char* kUnavailable =
    "the database is not reachable at the moment; try again later or tell the system "
    "administrator";
inline constexpr const char* kInternal = "the database refused the request (a bug)";
}  // namespace db_messages

/// The one exception type edupay throws for failures. Messages say what to do and carry the
/// file/row/field; they never contain a full resident ID or account number.
class Error : public std::runtime_error {
 public:
  Error(ErrorCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
  /// `detail` is for the operator's log and the CLI's stderr only (driver text, file paths); the
  /// service never puts it in an answer.
  Error(ErrorCode code, const std::string& message, std::string detail)
      : std::runtime_error(message), code_(code), detail_(std::move(detail)) {}
  ErrorCode code() const { return code_; }
  const std::string& detail() const { return detail_; }

 private:
  ErrorCode code_;
  std::string detail_;
};

}  // namespace edupay
