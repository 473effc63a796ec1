#pragma once

#include <stdexcept>
#include <string>

#include "common/Message.h"

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
/// driver's own text goes to Error::detail(). (messages/common.json)
namespace db_messages {
inline Message duplicate() { return msg("db.duplicate"); }
inline Message busy() { return msg("db.busy"); }
inline Message unavailable() { return msg("db.unavailable"); }
inline Message internal() { return msg("db.internal"); }
}  // namespace db_messages

/// The one exception type edupay throws for failures. Messages say what to do and carry the
/// file/row/field; they never contain a full resident ID or account number.
/// A failure a person reads carries a catalogue Message (rendered in their language at the edge:
/// the API by `Accept-Language`, the CLI by `--lang`); `what()` is its English text, for logs.
class Error : public std::runtime_error {
 public:
  /// A message not (yet) in the catalogue: the same text in every language.
  Error(ErrorCode code, const std::string& message)
      : std::runtime_error(message), code_(code), message_(Message::literal(message)) {}
  /// `detail` is for the operator's log and the CLI's stderr only (driver text, file paths); the
  /// service never puts it in an answer.
  Error(ErrorCode code, const std::string& message, std::string detail)
      : std::runtime_error(message),
        code_(code),
        message_(Message::literal(message)),
        detail_(std::move(detail)) {}
  /// A catalogue message; `what()` is its English rendering.
  Error(ErrorCode code, Message message, std::string detail = {});
  ErrorCode code() const { return code_; }
  const Message& message() const { return message_; }
  const std::string& detail() const { return detail_; }

 private:
  ErrorCode code_;
  Message message_;
  std::string detail_;
};

}  // namespace edupay
