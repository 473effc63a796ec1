#include "common/Error.h"

#include <array>

#include "common/CodeTable.h"

namespace edupay {

namespace {
constexpr std::array<CodeName<ErrorCode>, 7> kErrorCodes{{
    {ErrorCode::kInvalidInput, "invalid_input"},
    {ErrorCode::kNotFound, "not_found"},
    {ErrorCode::kConflict, "conflict"},
    {ErrorCode::kForbidden, "forbidden"},
    {ErrorCode::kUnauthenticated, "unauthenticated"},
    {ErrorCode::kUnavailable, "unavailable"},
    {ErrorCode::kInternal, "internal"},
}};
}  // namespace

const char* errorCodeName(ErrorCode code) {
  const std::string_view name = codeIn(kErrorCodes, code);
  return name == "?" ? "internal" : name.data();  // the codes are NUL-terminated literals
}

}  // namespace edupay
