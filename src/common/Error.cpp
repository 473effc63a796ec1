#include "common/Error.h"

#include <array>

#include "common/CodeTable.h"

namespace edupay {

namespace {
constexpr std::array<CodeName<ErrorCode>, 7> kErrorCodes{{
    {ErrorCode::kInvalidInput, "invalid_input", "输入有误"},
    {ErrorCode::kNotFound, "not_found", "未找到"},
    {ErrorCode::kConflict, "conflict", "状态冲突"},
    {ErrorCode::kForbidden, "forbidden", "无此权限"},
    {ErrorCode::kUnauthenticated, "unauthenticated", "未登录"},
    {ErrorCode::kUnavailable, "unavailable", "暂不可用"},
    {ErrorCode::kInternal, "internal", "系统内部错误"},
}};
}  // namespace

const char* errorCodeName(ErrorCode code) {
  const std::string_view name = codeIn(kErrorCodes, code);
  return name == "?" ? "internal" : name.data();  // the codes are NUL-terminated literals
}

}  // namespace edupay
