#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace edupay::domain {

/// Education stages, from kindergarten to doctorate.
enum class Stage {
  kPreschool,
  kPrimary,
  kJunior,
  kSenior,
  kSecVoc,
  kHigherVoc,
  kUndergrad,
  kMaster,
  kPhd
};
/// Student-record (学籍) status of an enrollment.
enum class EnrollmentStatus { kActive, kSuspended, kTransferred, kDropped, kGraduated };
/// The school's assessment of a student's family difficulty for one academic year.
enum class DifficultyLevel { kNone, kGenerally, kDifficult, kEspecially };
enum class AccountKind { kStudentCard, kOneCard, kPassbook, kSocialSecurity };

/// Household economic-difficulty categories (POLICY.md "Categories").
enum class Category {
  kRegisteredPoor,
  kPovertyExited,
  kMonitoredUnstable,
  kMonitoredEdge,
  kMonitoredSudden,
  kDibao,
  kTekun,
  kOrphan,
  kDisabledStudent,
  kDisabledParent,
  kMartyrChild,
  kOther,
};

// Each parser accepts the English code and the Chinese label used on school rolls; the
// `code()` functions return the stable English code stored in the database.
std::optional<Stage> parseStage(std::string_view s);
std::string_view code(Stage s);
std::optional<EnrollmentStatus> parseEnrollmentStatus(std::string_view s);
std::string_view code(EnrollmentStatus s);
/// Transferred, dropped and graduated end an enrollment; active and suspended keep it open.
bool endsEnrollment(EnrollmentStatus s);
std::optional<DifficultyLevel> parseDifficultyLevel(std::string_view s);
std::string_view code(DifficultyLevel d);
std::optional<AccountKind> parseAccountKind(std::string_view s);
std::string_view code(AccountKind k);
std::optional<Category> parseCategory(std::string_view s);
std::string_view code(Category c);
std::string_view chineseLabel(Category c);
/// The official roster that reports a category ("poverty", "civil_affairs", "disabled",
/// "orphan"); empty for categories only schools assess (martyr_child, other).
std::string_view rosterSourceOf(Category c);
std::string_view chineseLabel(Stage s);
std::string_view chineseLabel(EnrollmentStatus s);
std::string_view chineseLabel(DifficultyLevel d);
std::string_view chineseLabel(AccountKind k);

/// Grades a stage has (inclusive). Junior secondary is 1-4 to allow the 5+4 system; undergrad
/// 1-5 for five-year programmes; phd up to 6 for extended study.
struct Range {
  int min;
  int max;
};
Range gradeRange(Stage s);
/// Ages (on the import's as-of date) that are plausible for a stage; outside is an error.
Range plausibleAge(Stage s);

/// The comma-free list of valid codes, for error messages ("one of: preschool, primary, ...").
std::string stageCodes();
std::string statusCodes();
std::string difficultyCodes();
std::string accountKindCodes();
std::string categoryCodes();

}  // namespace edupay::domain
