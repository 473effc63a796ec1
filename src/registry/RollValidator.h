#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/Date.h"
#include "registry/Model.h"
#include "security/FieldCipher.h"

namespace edupay::registry {

/// The roll's columns. Headers may be English or Chinese and in any order (templates/roll/).
enum class RollColumn {
  kResidentId,
  kStudentNo,
  kName,
  kSex,
  kBirthDate,
  kEthnicity,
  kSchoolCode,
  kStage,
  kGrade,
  kClass,
  kMajor,
  kAgriMajor,
  kBoarding,
  kEnrollDate,
  kStatus,
  kStatusDate,
  kHouseholdId,
  kHukouRegion,
  kHukouType,
  kGuardianName,
  kGuardianId,
  kDifficultyLevel,
  kClaimedCategories,
  kBankAccount,
  kBankCode,
  kAccountHolder,
  kAccountKind,
};

/// Maps a header row to column positions. Columns that student-record exports carry and student
/// aid does not need (序号, 备注, 联系电话, 家庭住址, ...) are ignored and listed; any other
/// unknown header, or a required one missing, is an error for the whole file.
class RollHeader {
 public:
  /// Throws Error(kInvalidInput) naming `source`, the line and the missing/duplicated/unknown
  /// columns.
  static RollHeader parse(const std::vector<std::string>& header, const std::string& source,
                          int64_t line = 1);
  /// True when at least three cells of `row` are known roll column names: the header row, as
  /// opposed to a title row ("XX学校2026年秋季学籍名册") or a blank row above it.
  static bool looksLikeHeader(const std::vector<std::string>& row);
  std::optional<size_t> index(RollColumn c) const;
  static const char* englishName(RollColumn c);
  /// The column's name in the national student-record system's exports (学籍号, 姓名, …).
  static const char* chineseName(RollColumn c);
  /// The headers that were ignored, as written in the file.
  const std::vector<std::string>& ignored() const { return ignored_; }

 private:
  std::map<RollColumn, size_t> positions_;
  std::vector<std::string> ignored_;
};

/// An issue of `column` at `line`, its column named in English and in Chinese.
Issue rollIssue(int64_t line, RollColumn column, std::string value, Message message,
                bool warning = false);

/// Pure validation of one roll row: every field checked, every problem reported (not just the
/// first), the sensitive identifiers protected. No I/O.
class RollValidator {
 public:
  struct SchoolInfo {
    std::vector<domain::Stage> stages;
    std::string region_code;
  };
  RollValidator(const security::FieldCipher& cipher, std::map<std::string, SchoolInfo> schools,
                Date as_of, std::string only_school = {}, std::string only_region = {});

  /// Returns the record when the row has no errors (warnings are appended to `issues` either way).
  std::optional<RollRecord> validate(const RollHeader& header, const std::vector<std::string>& row,
                                     int64_t line, std::vector<Issue>& issues) const;

 private:
  const security::FieldCipher& cipher_;
  std::map<std::string, SchoolInfo> schools_;
  Date as_of_;
  std::string only_school_;  ///< a school administrator's import: rows of other schools are errors
  std::string only_region_;  ///< an officer's import: rows of schools outside it are errors
};

}  // namespace edupay::registry
