#include "registry/RollValidator.h"

#include <algorithm>
#include <array>
#include <set>

#include "common/BankAccountNumber.h"
#include "common/Catalogue.h"
#include "common/Error.h"
#include "common/ResidentId.h"
#include "common/Text.h"

namespace edupay::registry {
namespace {

using domain::Stage;

bool isSensitive(RollColumn c) {
  return c == RollColumn::kResidentId || c == RollColumn::kGuardianId ||
         c == RollColumn::kBankAccount || c == RollColumn::kStudentNo;
}

/// Parses Y/N in the forms rolls use; nullopt when it is none of them.
std::optional<bool> parseYesNo(const std::string& s) {
  const std::string t = text::toLower(s);
  if (t.empty() || t == "n" || t == "no" || t == "0" || t == "否" || t == "false") return false;
  if (t == "y" || t == "yes" || t == "1" || t == "是" || t == "true") return true;
  return std::nullopt;
}

std::optional<Sex> parseSex(const std::string& s) {
  const std::string t = text::toUpper(s);
  if (t == "M" || t == "男" || t == "1" || t == "MALE") return Sex::kMale;
  if (t == "F" || t == "女" || t == "2" || t == "FEMALE") return Sex::kFemale;
  return std::nullopt;
}

MessageArg stageWords(Stage s) {
  return words("stage", std::string(domain::chineseLabel(s)), std::string(domain::code(s)));
}

MessageArg columnWords(RollColumn c) {
  return words("column", RollHeader::chineseName(c), RollHeader::englishName(c));
}

bool isRegionCode(const std::string& s) {
  return s.size() == 6 && text::isAllDigits(s) &&
         ResidentId::isProvinceCode(std::stoi(s.substr(0, 2)));
}

/// `codes` (domain::stageCodes(), ", "-separated) with the Chinese names `zh` gives them.
template <typename Parse, typename Zh>
MessageArg codeList(const std::string& codes, Parse parse, Zh zh) {
  std::string names;
  for (const auto& part : text::split(codes, ',')) {
    const std::string c = text::trim(part);
    const auto v = parse(c);
    if (!names.empty()) names += "、";
    names += v ? std::string(zh(*v)) : c;
  }
  return words("codes", names, codes);
}

/// Collects the issues of one row.
class RowCheck {
 public:
  RowCheck(const RollHeader& header, const std::vector<std::string>& row, int64_t line,
           std::vector<Issue>& issues)
      : header_(header), row_(row), line_(line), issues_(issues) {}

  std::string get(RollColumn c) const {
    const auto i = header_.index(c);
    if (!i || *i >= row_.size()) return {};
    return text::cleanCode(row_[*i]);
  }
  /// The text without half-width folding, for free text that may legitimately use full-width.
  std::string raw(RollColumn c) const {
    const auto i = header_.index(c);
    if (!i || *i >= row_.size()) return {};
    return text::cleanField(row_[*i]);
  }
  /// A person's name in its one normal form (text::normaliseName); a name that starts like a
  /// spreadsheet formula is an error, for no person is called `=HYPERLINK(...)`.
  std::string name(RollColumn c) {
    const auto i = header_.index(c);
    if (!i || *i >= row_.size()) return {};
    std::string n = text::normaliseName(row_[*i]);
    if (text::startsLikeFormula(n)) {
      error(c, text::cutUtf8(n, 30), msg("roll.name.formula", {arg("first", n.substr(0, 1))}));
    }
    return n;
  }

  void error(RollColumn c, const std::string& value, Message reason) {
    add(c, value, std::move(reason), false);
    ok_ = false;
  }
  void warning(RollColumn c, const std::string& value, Message reason) {
    add(c, value, std::move(reason), true);
  }
  bool ok() const { return ok_; }

 private:
  void add(RollColumn c, const std::string& value, Message reason, bool warn) {
    Issue issue = rollIssue(line_, c, {}, std::move(reason), warn);
    if (c == RollColumn::kBankAccount) {
      // Same form as BankAccountNumber::masked(): the length is not revealed.
      issue.value = value.size() > 8 ? value.substr(0, 4) + "****" + value.substr(value.size() - 4)
                                     : maskMiddle(value, 0, 0);
    } else {
      issue.value = isSensitive(c) ? maskMiddle(value, 4, 4) : value;
    }
    issues_.push_back(std::move(issue));
  }
  const RollHeader& header_;
  const std::vector<std::string>& row_;
  int64_t line_;
  std::vector<Issue>& issues_;
  bool ok_ = true;
};

std::optional<Date> checkDate(RowCheck& rc, RollColumn c, const std::string& v, bool required,
                              const Date& not_after, bool year_month = false) {
  if (v.empty()) {
    if (required) rc.error(c, v, msg("roll.date.required"));
    return std::nullopt;
  }
  auto d = Date::parseLenient(v, year_month);
  if (!d) {
    rc.error(c, v, msg("roll.date.not_real"));
    return std::nullopt;
  }
  if (*d > not_after) {
    rc.error(c, v, msg("roll.date.future", {arg("limit", not_after.str())}));
    return std::nullopt;
  }
  return d;
}

}  // namespace

std::string Issue::text(Lang lang) const { return i18n::render(message, lang); }

Issue rollIssue(int64_t line, RollColumn column, std::string value, Message message, bool warning) {
  Issue issue;
  issue.line = line;
  issue.column = RollHeader::englishName(column);
  issue.column_zh = RollHeader::chineseName(column);
  issue.value = std::move(value);
  issue.message = std::move(message);
  issue.warning = warning;
  return issue;
}

std::string RollRecord::displayKey() const {
  if (resident_id) return resident_id->mask;
  return maskMiddle(student_no, 4, 4);
}

ApplyCounts& ApplyCounts::operator+=(const ApplyCounts& o) {
  persons_added += o.persons_added;
  persons_updated += o.persons_updated;
  persons_unchanged += o.persons_unchanged;
  enrollments_opened += o.enrollments_opened;
  enrollments_updated += o.enrollments_updated;
  transfers += o.transfers;
  accounts_added += o.accounts_added;
  accounts_replaced += o.accounts_replaced;
  statuses_opened += o.statuses_opened;
  statuses_closed += o.statuses_closed;
  guardians_added += o.guardians_added;
  return *this;
}

RollValidator::RollValidator(const security::FieldCipher& cipher,
                             std::map<std::string, SchoolInfo> schools, Date as_of,
                             std::string only_school, std::string only_region)
    : cipher_(cipher),
      schools_(std::move(schools)),
      as_of_(as_of),
      only_school_(std::move(only_school)),
      only_region_(std::move(only_region)) {}

std::optional<RollRecord> RollValidator::validate(const RollHeader& header,
                                                  const std::vector<std::string>& row, int64_t line,
                                                  std::vector<Issue>& issues) const {
  RowCheck rc(header, row, line, issues);
  RollRecord r;
  r.line = line;
  Message why;

  // Identity. The national student number is `G` + the resident ID: both name one child.
  std::optional<ResidentId> rid;
  const std::string rid_text = rc.get(RollColumn::kResidentId);
  if (!rid_text.empty()) {
    rid = ResidentId::parse(rid_text, why, as_of_);
    if (!rid) rc.error(RollColumn::kResidentId, rid_text, why);
  }
  const std::string sno_text = rc.get(RollColumn::kStudentNo);
  if (!sno_text.empty()) {
    auto sno = looksLikeExcelNumber(sno_text) ? std::nullopt : StudentNumber::parse(sno_text, why);
    if (!sno) {
      rc.error(RollColumn::kStudentNo, sno_text,
               looksLikeExcelNumber(sno_text) ? msg("id.excel_number") : why);
    } else if (auto inner = sno->residentId(as_of_)) {
      if (!rid && rid_text.empty()) {
        rid = inner;  // a G number alone: the child is the holder of that ID
      } else if (rid && !(*inner == *rid)) {
        r.student_no = sno->str();
        rc.warning(RollColumn::kStudentNo, sno_text, msg("roll.student_no.other_id"));
      }
    } else {
      r.student_no = sno->str();
    }
  }
  if (rid_text.empty() && sno_text.empty()) {
    rc.error(RollColumn::kResidentId, "", msg("roll.id.none"));
  }
  if (rid) {
    r.resident_id = Protected{cipher_.blindIndex("resident_id", rid->str()),
                              cipher_.encrypt("resident_id", rid->str()), rid->masked()};
    r.id_document = std::string(code(rid->document()));
    r.derived_student_no = rid->studentNumber();
    if (rid->str().size() == 18 && rid->str().compare(15, 3, "000") == 0) {
      rc.warning(RollColumn::kResidentId, rid->str(), msg("roll.id.ends_000"));
    }
  }

  r.name = rc.name(RollColumn::kName);
  if (r.name.empty()) rc.error(RollColumn::kName, "", msg("roll.field.required"));
  if (r.name.size() > 90)
    rc.error(RollColumn::kName, r.name.substr(0, 30), msg("roll.name.too_long"));

  const std::string sex_text = rc.get(RollColumn::kSex);
  if (auto s = parseSex(sex_text)) {
    r.sex = *s;
    if (rid && rid->sex() && *rid->sex() != *s) {
      rc.error(
          RollColumn::kSex, sex_text,
          msg("roll.sex.disagrees", {*rid->sex() == Sex::kMale ? words("sex", "男", "male")
                                                               : words("sex", "女", "female")}));
    }
  } else {
    rc.error(RollColumn::kSex, sex_text, msg("roll.sex.invalid"));
  }

  if (auto d =
          checkDate(rc, RollColumn::kBirthDate, rc.get(RollColumn::kBirthDate), true, as_of_)) {
    r.birth_date = *d;
    if (rid && rid->birthDate() && *rid->birthDate() != *d) {
      rc.error(RollColumn::kBirthDate, d->str(),
               msg("roll.birth.disagrees", {arg("date", rid->birthDate()->str())}));
    }
  } else if (rid && rid->birthDate()) {
    r.birth_date = *rid->birthDate();
  }
  r.ethnicity = rc.raw(RollColumn::kEthnicity);

  // Enrollment.
  r.school_code = rc.get(RollColumn::kSchoolCode);
  const SchoolInfo* school = nullptr;
  if (r.school_code.size() != 10 || !text::isAllDigits(r.school_code)) {
    rc.error(RollColumn::kSchoolCode, r.school_code, msg("roll.school.code_format"));
  } else if (!only_school_.empty() && r.school_code != only_school_) {
    rc.error(RollColumn::kSchoolCode, r.school_code,
             msg("roll.school.not_yours", {arg("school", only_school_)}));
  } else if (auto it = schools_.find(r.school_code); it == schools_.end()) {
    rc.error(RollColumn::kSchoolCode, r.school_code, msg("roll.school.unknown"));
  } else if (it->second.region_code.rfind(only_region_, 0) != 0) {
    rc.error(RollColumn::kSchoolCode, r.school_code,
             msg("roll.school.out_of_scope",
                 {arg("region", it->second.region_code), arg("scope", only_region_)}));
  } else {
    school = &it->second;
  }

  const std::string stage_text = rc.get(RollColumn::kStage);
  const auto stage = domain::parseStage(stage_text);
  if (!stage) {
    rc.error(RollColumn::kStage, stage_text,
             msg("roll.value.one_of", {codeList(domain::stageCodes(), domain::parseStage,
                                                [](Stage v) { return domain::chineseLabel(v); })}));
  } else {
    r.stage = *stage;
    if (school &&
        std::find(school->stages.begin(), school->stages.end(), *stage) == school->stages.end()) {
      rc.error(RollColumn::kStage, stage_text, msg("roll.stage.not_offered"));
    }
  }

  const std::string grade_text = rc.get(RollColumn::kGrade);
  if (grade_text.empty() || grade_text.size() > 2 || !text::isAllDigits(grade_text)) {
    rc.error(RollColumn::kGrade, grade_text, msg("roll.grade.not_number"));
  } else {
    r.grade = std::stoi(grade_text);
    if (stage) {
      const auto range = domain::gradeRange(*stage);
      if (r.grade < range.min || r.grade > range.max) {
        rc.error(RollColumn::kGrade, grade_text,
                 msg("roll.grade.range", {stageWords(*stage), arg("min", std::to_string(range.min)),
                                          arg("max", std::to_string(range.max))}));
      }
    }
  }
  if (stage && rc.ok()) {
    const int age = as_of_.yearsSince(r.birth_date);
    const auto range = domain::plausibleAge(*stage);
    if (age < range.min || age > range.max) {
      rc.error(RollColumn::kBirthDate, r.birth_date.str(),
               msg("roll.age.implausible",
                   {arg("age", std::to_string(age)), arg("date", as_of_.str()), stageWords(*stage),
                    arg("min", std::to_string(range.min)), arg("max", std::to_string(range.max))}));
    }
  }

  r.class_name = rc.raw(RollColumn::kClass);
  r.major = rc.raw(RollColumn::kMajor);
  const std::string agri = rc.get(RollColumn::kAgriMajor);
  if (auto v = parseYesNo(agri)) {
    r.agri_major = *v;
  } else {
    rc.error(RollColumn::kAgriMajor, agri, msg("roll.value.yes_no"));
  }
  const std::string boarding = rc.get(RollColumn::kBoarding);
  if (auto v = parseYesNo(boarding)) {
    r.boarding = *v;
  } else {
    rc.error(RollColumn::kBoarding, boarding, msg("roll.value.yes_no"));
  }

  if (auto d = checkDate(rc, RollColumn::kEnrollDate, rc.get(RollColumn::kEnrollDate), true, as_of_,
                         true)) {
    r.enroll_date = *d;
    if (*d <= r.birth_date)
      rc.error(RollColumn::kEnrollDate, d->str(), msg("roll.enroll.before_birth"));
  }

  const std::string status_text = rc.get(RollColumn::kStatus);
  if (auto s = domain::parseEnrollmentStatus(status_text)) {
    r.status = *s;
  } else {
    rc.error(RollColumn::kStatus, status_text, msg("roll.status.one_of"));
  }
  if (auto d =
          checkDate(rc, RollColumn::kStatusDate, rc.get(RollColumn::kStatusDate), false, as_of_)) {
    r.status_date = *d;
    if (*d < r.enroll_date)
      rc.error(RollColumn::kStatusDate, d->str(), msg("roll.status_date.before_enroll"));
  }

  // Household.
  r.household_code = rc.get(RollColumn::kHouseholdId);
  r.hukou_region = rc.get(RollColumn::kHukouRegion);
  if (!r.hukou_region.empty() && !isRegionCode(r.hukou_region)) {
    rc.error(RollColumn::kHukouRegion, r.hukou_region, msg("roll.region.format"));
  }
  const std::string hukou_type = text::toLower(rc.get(RollColumn::kHukouType));
  if (hukou_type == "rural" || hukou_type == "农业" || hukou_type == "农村" ||
      hukou_type == "农业户口") {
    r.rural_hukou = true;
  } else if (hukou_type == "urban" || hukou_type == "非农业" || hukou_type == "城镇" ||
             hukou_type == "非农业户口") {
    r.rural_hukou = false;
  } else if (!hukou_type.empty()) {
    rc.error(RollColumn::kHukouType, hukou_type, msg("roll.hukou.invalid"));
  }
  r.guardian_name = rc.name(RollColumn::kGuardianName);
  const std::string gid_text = rc.get(RollColumn::kGuardianId);
  if (!gid_text.empty()) {
    auto gid = ResidentId::parse(gid_text, why, as_of_);
    // A number shaped like a mainland ID that fails its checks is a typing or Excel mistake the
    // school can fix. Anything else (a passport, a foreign document) is a guardian's real
    // document this system cannot check: it never blocks the child's row.
    const std::string folded = text::toUpper(gid_text);
    bool letters = false, other = false;
    for (char c : folded) {
      letters |= c >= 'A' && c <= 'Z';
      other |= !((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'));
    }
    const bool travel_document = letters && !other && folded.size() >= 6 && folded.size() <= 20 &&
                                 !looksLikeExcelNumber(folded);
    if (!gid && !travel_document) {
      rc.error(RollColumn::kGuardianId, gid_text, why);
    } else if (!gid) {
      rc.warning(RollColumn::kGuardianId, gid_text, msg("roll.guardian.travel_document"));
    } else {
      if (rid && gid->str() == rid->str()) {
        rc.error(RollColumn::kGuardianId, gid_text, msg("roll.guardian.own_id"));
      }
      if (r.guardian_name.empty()) {
        rc.error(RollColumn::kGuardianName, "",
                 msg("roll.field.required_with", {columnWords(RollColumn::kGuardianId)}));
      }
      r.guardian_id = Protected{cipher_.blindIndex("resident_id", gid->str()),
                                cipher_.encrypt("resident_id", gid->str()), gid->masked()};
      r.guardian_birth = gid->birthDate();
      r.guardian_sex = gid->sex();
      r.guardian_document = std::string(code(gid->document()));
    }
  }

  const std::string level_text = rc.get(RollColumn::kDifficultyLevel);
  if (auto l = domain::parseDifficultyLevel(level_text)) {
    r.difficulty = *l;
  } else {
    rc.error(RollColumn::kDifficultyLevel, level_text, msg("roll.difficulty.one_of"));
  }

  std::string cats = rc.get(RollColumn::kClaimedCategories);
  for (char& ch : cats) {
    if (ch == ',' || ch == '|') ch = ';';
  }
  std::set<domain::Category> seen;
  for (const auto& part : text::split(cats, ';')) {
    const std::string p = text::trim(part);
    if (p.empty()) continue;
    if (auto c = domain::parseCategory(p)) {
      if (seen.insert(*c).second) r.claimed_categories.push_back(*c);
    } else {
      rc.error(RollColumn::kClaimedCategories, p,
               msg("roll.category.unknown",
                   {codeList(domain::categoryCodes(), domain::parseCategory,
                             [](domain::Category v) { return domain::chineseLabel(v); })}));
    }
  }
  if (!r.claimed_categories.empty() && r.household_code.empty()) {
    rc.error(RollColumn::kHouseholdId, "", msg("roll.household.required_for_claims"));
  }

  // Payee account.
  const std::string acct_text = rc.get(RollColumn::kBankAccount);
  if (!acct_text.empty()) {
    auto acct =
        looksLikeExcelNumber(acct_text) ? std::nullopt : BankAccountNumber::parse(acct_text, why);
    if (looksLikeExcelNumber(acct_text)) {
      rc.error(RollColumn::kBankAccount, acct_text, msg("roll.account.excel_number"));
    } else if (!acct) {
      rc.error(RollColumn::kBankAccount, acct_text, why);
    } else {
      r.account = Protected{cipher_.blindIndex("bank_account", acct->str()),
                            cipher_.encrypt("bank_account", acct->str()), acct->masked()};
      r.account_luhn_ok = acct->luhnValid();
      if (!r.account_luhn_ok) {
        rc.warning(RollColumn::kBankAccount, acct_text, msg("roll.account.luhn"));
      }
    }
    r.bank_code = rc.get(RollColumn::kBankCode);
    if (!r.bank_code.empty() && (r.bank_code.size() != 12 || !text::isAllDigits(r.bank_code))) {
      rc.error(RollColumn::kBankCode, r.bank_code, msg("roll.bank_code.format"));
    }
    if (r.bank_code.empty()) rc.warning(RollColumn::kBankCode, "", msg("roll.bank_code.empty"));
    r.account_holder = rc.name(RollColumn::kAccountHolder);
    if (r.account_holder.empty()) {
      rc.error(RollColumn::kAccountHolder, "",
               msg("roll.field.required_with", {columnWords(RollColumn::kBankAccount)}));
    } else if (r.account_holder != r.name && r.account_holder != r.guardian_name) {
      rc.warning(RollColumn::kAccountHolder, r.account_holder, msg("roll.holder.other"));
    }
    const std::string kind_text = rc.get(RollColumn::kAccountKind);
    if (!kind_text.empty()) {
      if (auto k = domain::parseAccountKind(kind_text)) {
        r.account_kind = *k;
      } else {
        rc.error(RollColumn::kAccountKind, kind_text, msg("roll.account_kind.one_of"));
      }
    }
  }

  if (!rc.ok()) return std::nullopt;
  return r;
}

}  // namespace edupay::registry
