#include "common/Error.h"

#include <array>

#include "common/Catalogue.h"
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

Error::Error(ErrorCode code, Message message, std::string detail)
    : std::runtime_error(i18n::render(message, Lang::kEn)),
      code_(code),
      message_(std::move(message)),
      detail_(std::move(detail)) {}

}  // namespace edupay
