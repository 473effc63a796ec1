#pragma once
// The policy reader's pieces shared by Policy.cpp and PolicyProgramme.cpp; not part of the
// module's interface.

#include <Poco/JSON/Object.h>

#include <string>
#include <vector>

#include "common/Error.h"
#include "rules/Policy.h"

namespace edupay::rules::detail {

/// Collects every problem with its path; throws them together.
class Problems {
 public:
  explicit Problems(std::string source) : source_(std::move(source)) {}
  void add(const std::string& path, const std::string& what) {
    items_.push_back(path + ": " + what);
  }
  void throwIfAny() const {
    if (items_.empty()) return;
    std::string msg = source_ + ": the policy is refused (" + std::to_string(items_.size()) +
                      " problem" + (items_.size() == 1 ? "" : "s") + "):";
    for (const auto& i : items_) msg += "\n  " + i;
    throw Error(ErrorCode::kInvalidInput, msg);
  }

 private:
  std::string source_;
  std::vector<std::string> items_;
};

/// One programme of a resolved policy document at JSON path `path` (`programmes[3]`); every
/// problem goes to `pr`, so one reading reports them all.
Programme parseProgramme(const Poco::JSON::Object::Ptr& o, const std::string& path, Problems& pr);

}  // namespace edupay::rules::detail
