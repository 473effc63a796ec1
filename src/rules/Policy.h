#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/Message.h"
#include "common/Money.h"
#include "common/Term.h"
#include "domain/Codes.h"

namespace edupay::rules {

/// When a programme pays within the academic year.
enum class Schedule {
  kPerTerm,      ///< half the yearly amount each term (autumn takes the odd fen)
  kAutumn,       ///< the whole yearly amount in the autumn term (lump sum, e.g. scholarships)
  kSpring,       ///< the whole yearly amount in the spring term
  kFirstAutumn,  ///< once, in the autumn term of the first year (freshman aid)
};
enum class Payee { kStudentAccount, kHouseholdOneCard, kSchool };
enum class PayingRegion { kSchoolCounty, kHukouCounty };
/// Dimensions an amount table can be keyed by; values: stage codes; generally/difficult/
/// especially; boarding/day; rural/urban; in/out (of the school's province).
enum class Dimension { kStage, kTier, kBoarding, kHukou, kProvinceScope };

/// A category, optionally qualified by hukou type (`dibao@rural`).
struct CategoryRef {
  domain::Category category;
  std::optional<bool> rural;
  std::string str() const;
};
struct CategorySpec {
  std::vector<CategoryRef> any_of;
  std::vector<CategoryRef> all_of;
  bool empty() const { return any_of.empty() && all_of.empty(); }
};
struct GradeRange {
  int min = 1;
  int max = 99;
};
struct Conditions {
  std::optional<bool> boarding;
  std::optional<bool> agri_major;
  std::optional<bool> rural_hukou;
  bool needs_difficulty = false;
  std::optional<int> min_grade;
  bool final_grade_of_stage = false;
  bool nomination = false;
  std::vector<std::string> exclude_majors;         ///< a major containing any of these is excluded
  std::vector<domain::EnrollmentStatus> statuses;  ///< empty = active only
};
/// One effective-dated rate (and eligibility override) of a programme.
struct Period {
  Term from;
  std::optional<Term> to;               ///< inclusive; open-ended when absent
  std::map<std::string, Money> yearly;  ///< key: amount_by values joined by '/'; "" when flat
  std::optional<GradeRange> grades;
  std::optional<CategorySpec> categories;
  std::string confidence;
  std::string note;
  bool covers(const Term& t) const { return from <= t && (!to || t <= *to); }
};
/// Cost-sharing between budget lines, in whole percent summing to 100.
struct Funding {
  Term from;
  std::optional<Term> to;
  int central = 0;
  int provincial = 0;
  int county = 0;
  std::string confidence;
  bool covers(const Term& t) const { return from <= t && (!to || t <= *to); }
};

struct Programme {
  std::string code, name_zh, name_en, source, confidence;
  std::vector<domain::Stage> stages;
  std::optional<GradeRange> grades;
  CategorySpec categories;
  Conditions conditions;
  std::vector<Conditions> any_of;  ///< at least one alternative must hold (when non-empty)
  std::vector<Dimension> amount_by;
  Schedule schedule = Schedule::kPerTerm;
  Payee payee = Payee::kStudentAccount;
  PayingRegion paying_region = PayingRegion::kSchoolCounty;
  std::vector<Period> periods;
  std::vector<Funding> funding;
  std::string exclusive_group;
  int exclusive_rank = 0;
  bool requires_local_rate = false;

  const Period* periodFor(const Term& t) const;
  const Funding* fundingFor(const Term& t) const;
  bool offersStage(domain::Stage s) const;
};

/// A resolved policy (national file with provincial layers applied), validated.
struct Policy {
  std::string name;
  std::string sha256;         ///< of `resolved_json`: identifies exactly what was applied
  std::string resolved_json;  ///< the merged document, stored with every run
  TermConfig term_config;
  HolidayCalendar holidays;
  std::map<domain::Category, domain::DifficultyLevel> category_tier;
  std::map<domain::Category, std::string> roster_sources;
  std::vector<Programme> programmes;

  const Programme* find(const std::string& code) const;
};

/// Reads a policy file, applies `extends` (recursively, paths relative to the file), validates the
/// result against schemas/json/policy.schema.json and checks what a schema cannot: overlapping
/// periods, funding shares not summing to 100, amount tables that miss a combination, unknown
/// overrides. Throws Error(kInvalidInput) naming the file and the JSON path of the first problem
/// (and listing all of them).
Policy loadPolicyFile(const std::string& path);
/// Parses an already resolved document (as stored in the database); same checks. Its
/// programmes' Chinese names become the words of `programme` arguments in messages
/// (i18n::setCodeNames), as the stored policy is the one in force.
Policy parsePolicy(const std::string& resolved_json, const std::string& source_name);
/// Gives the programmes' Chinese names of a resolved policy document to messages
/// (i18n::setCodeNames) without checking the rest: what a process does when it opens a
/// database, with the stored policy in force. A document that is not JSON changes nothing.
void nameProgrammes(const std::string& resolved_json);
/// The JSON Schema for policy files (embedded at build time).
const char* policySchema();

/// The differences, one sentence each (rules.diff.*: "+ programme x added",
/// "~ x.periods: ... -> ...", values as the policy file writes them).
std::vector<Message> diffPolicies(const Policy& before, const Policy& after);

std::string_view code(Schedule s);
std::string_view code(Payee p);
std::string_view code(PayingRegion r);

}  // namespace edupay::rules
