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
  /// A problem at JSON path `path`, said in catalogue words (messages/rules.json).
  void add(const std::string& path, const Message& what) {
    const MessageArg a = arg("what", what);
    list_.zh += "\n  " + path + "：" + a.zh;
    list_.en += "\n  " + path + ": " + a.en;
    ++count_;
  }
  /// The text of a caught failure (a Term or amount that does not parse).
  void add(const std::string& path, const std::exception& e) {
    const auto* err = dynamic_cast<const Error*>(&e);
    add(path, err ? err->message() : Message::literal(e.what()));
  }
  void throwIfAny() const {
    if (count_ == 0) return;
    throw Error(ErrorCode::kInvalidInput,
                msg("rules.policy.refused", {arg("source", source_), arg("count", count_), list_}));
  }

 private:
  std::string source_;
  MessageArg list_{"problems", "", "", std::nullopt};
  size_t count_ = 0;
};

/// One programme of a resolved policy document at JSON path `path` (`programmes[3]`); every
/// problem goes to `pr`, so one reading reports them all.
Programme parseProgramme(const Poco::JSON::Object::Ptr& o, const std::string& path, Problems& pr);

}  // namespace edupay::rules::detail
