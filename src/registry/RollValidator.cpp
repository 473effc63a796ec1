#include "registry/RollValidator.h"

#include <algorithm>
#include <array>
#include <set>

#include "common/BankAccountNumber.h"
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

bool isRegionCode(const std::string& s) {
  return s.size() == 6 && text::isAllDigits(s) &&
         ResidentId::isProvinceCode(std::stoi(s.substr(0, 2)));
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
      error(c, text::cutUtf8(n, 30),
            "starts with " + n.substr(0, 1) +
                ", which a spreadsheet reads as a formula; a name cannot: correct it in the "
                "roll (姓名不能以 = + - @ 开头，电子表格会当作公式，请更正)");
    }
    return n;
  }

  void error(RollColumn c, const std::string& value, const std::string& reason) {
    add(c, value, reason, false);
    ok_ = false;
  }
  void warning(RollColumn c, const std::string& value, const std::string& reason) {
    add(c, value, reason, true);
  }
  bool ok() const { return ok_; }

 private:
  void add(RollColumn c, const std::string& value, const std::string& reason, bool warn) {
    Issue issue;
    issue.line = line_;
    issue.column = RollHeader::englishName(c);
    if (c == RollColumn::kBankAccount) {
      // Same form as BankAccountNumber::masked(): the length is not revealed.
      issue.value = value.size() > 8 ? value.substr(0, 4) + "****" + value.substr(value.size() - 4)
                                     : maskMiddle(value, 0, 0);
    } else {
      issue.value = isSensitive(c) ? maskMiddle(value, 4, 4) : value;
    }
    issue.reason = reason;
    issue.warning = warn;
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
    if (required) rc.error(c, v, "is required (YYYY-MM-DD)");
    return std::nullopt;
  }
  auto d = Date::parseLenient(v, year_month);
  if (!d) {
    rc.error(c, v,
             "is not a real date; write it as YYYY-MM-DD (日期请写成 2025-09-01 或 2025年9月1日)");
    return std::nullopt;
  }
  if (*d > not_after) {
    rc.error(c, v, "is in the future (after " + not_after.str() + ")");
    return std::nullopt;
  }
  return d;
}

}  // namespace

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
  std::string why;

  // Identity. The national student number is `G` + the resident ID: both name one child.
  std::optional<ResidentId> rid;
  const std::string rid_text = rc.get(RollColumn::kResidentId);
  if (!rid_text.empty()) {
    rid = ResidentId::parse(rid_text, &why, as_of_);
    if (!rid) rc.error(RollColumn::kResidentId, rid_text, why);
  }
  const std::string sno_text = rc.get(RollColumn::kStudentNo);
  if (!sno_text.empty()) {
    auto sno = looksLikeExcelNumber(sno_text) ? std::nullopt : StudentNumber::parse(sno_text, &why);
    if (!sno) {
      rc.error(RollColumn::kStudentNo, sno_text,
               looksLikeExcelNumber(sno_text) ? std::string(kExcelNumberHint) : why);
    } else if (auto inner = sno->residentId(as_of_)) {
      if (!rid && rid_text.empty()) {
        rid = inner;  // a G number alone: the child is the holder of that ID
      } else if (rid && !(*inner == *rid)) {
        r.student_no = sno->str();
        rc.warning(RollColumn::kStudentNo, sno_text,
                   "is G + a resident ID other than this row's resident_id; kept as given — "
                   "check which one is right (学籍号与身份证号不一致，请核对)");
      }
    } else {
      r.student_no = sno->str();
    }
  }
  if (rid_text.empty() && sno_text.empty()) {
    rc.error(RollColumn::kResidentId, "",
             "each student needs a resident_id (身份证号) or a student_no (学籍号)");
  }
  if (rid) {
    r.resident_id = Protected{cipher_.blindIndex("resident_id", rid->str()),
                              cipher_.encrypt("resident_id", rid->str()), rid->masked()};
    r.id_document = std::string(code(rid->document()));
    r.derived_student_no = rid->studentNumber();
    if (rid->str().size() == 18 && rid->str().compare(15, 3, "000") == 0) {
      rc.warning(RollColumn::kResidentId, rid->str(),
                 "ends in 000, as an ID does after Excel stored it as a number; compare it with "
                 "the ID card (身份证号以000结尾，可能被Excel改成了数字，请与身份证核对)");
    }
  }

  r.name = rc.name(RollColumn::kName);
  if (r.name.empty()) rc.error(RollColumn::kName, "", "is required");
  if (r.name.size() > 90)
    rc.error(RollColumn::kName, r.name.substr(0, 30), "is longer than 30 characters");

  const std::string sex_text = rc.get(RollColumn::kSex);
  if (auto s = parseSex(sex_text)) {
    r.sex = *s;
    if (rid && rid->sex() && *rid->sex() != *s) {
      rc.error(RollColumn::kSex, sex_text,
               std::string("disagrees with the resident ID, which says ") +
                   (*rid->sex() == Sex::kMale ? "male (男)" : "female (女)") +
                   "; correct whichever is wrong");
    }
  } else {
    rc.error(RollColumn::kSex, sex_text, "must be M or F (男 / 女)");
  }

  if (auto d =
          checkDate(rc, RollColumn::kBirthDate, rc.get(RollColumn::kBirthDate), true, as_of_)) {
    r.birth_date = *d;
    if (rid && rid->birthDate() && *rid->birthDate() != *d) {
      rc.error(RollColumn::kBirthDate, d->str(),
               "disagrees with the resident ID, which says " + rid->birthDate()->str() +
                   "; correct whichever is wrong");
    }
  } else if (rid && rid->birthDate()) {
    r.birth_date = *rid->birthDate();
  }
  r.ethnicity = rc.raw(RollColumn::kEthnicity);

  // Enrollment.
  r.school_code = rc.get(RollColumn::kSchoolCode);
  const SchoolInfo* school = nullptr;
  if (r.school_code.size() != 10 || !text::isAllDigits(r.school_code)) {
    rc.error(RollColumn::kSchoolCode, r.school_code,
             "must be the 10-digit school identification code");
  } else if (!only_school_.empty() && r.school_code != only_school_) {
    rc.error(RollColumn::kSchoolCode, r.school_code,
             "is not your school; you may import the roll of school " + only_school_ + " only");
  } else if (auto it = schools_.find(r.school_code); it == schools_.end()) {
    rc.error(RollColumn::kSchoolCode, r.school_code,
             "is not a known school; import it first with `edupay import schools`");
  } else if (it->second.region_code.rfind(only_region_, 0) != 0) {
    rc.error(RollColumn::kSchoolCode, r.school_code,
             "is a school of region " + it->second.region_code + ", outside your scope " +
                 only_region_ + " (不在您的管辖范围内)");
  } else {
    school = &it->second;
  }

  const std::string stage_text = rc.get(RollColumn::kStage);
  const auto stage = domain::parseStage(stage_text);
  if (!stage) {
    rc.error(RollColumn::kStage, stage_text, "must be one of: " + domain::stageCodes());
  } else {
    r.stage = *stage;
    if (school &&
        std::find(school->stages.begin(), school->stages.end(), *stage) == school->stages.end()) {
      rc.error(RollColumn::kStage, stage_text, "this school does not offer that stage");
    }
  }

  const std::string grade_text = rc.get(RollColumn::kGrade);
  if (grade_text.empty() || grade_text.size() > 2 || !text::isAllDigits(grade_text)) {
    rc.error(RollColumn::kGrade, grade_text, "must be a whole number (1 = first year)");
  } else {
    r.grade = std::stoi(grade_text);
    if (stage) {
      const auto range = domain::gradeRange(*stage);
      if (r.grade < range.min || r.grade > range.max) {
        rc.error(RollColumn::kGrade, grade_text,
                 "is outside " + std::string(domain::code(*stage)) + " grades " +
                     std::to_string(range.min) + "-" + std::to_string(range.max));
      }
    }
  }
  if (stage && rc.ok()) {
    const int age = as_of_.yearsSince(r.birth_date);
    const auto range = domain::plausibleAge(*stage);
    if (age < range.min || age > range.max) {
      rc.error(RollColumn::kBirthDate, r.birth_date.str(),
               "age " + std::to_string(age) + " on " + as_of_.str() + " is implausible for " +
                   std::string(domain::code(*stage)) + " (expected " + std::to_string(range.min) +
                   "-" + std::to_string(range.max) + ")");
    }
  }

  r.class_name = rc.raw(RollColumn::kClass);
  r.major = rc.raw(RollColumn::kMajor);
  const std::string agri = rc.get(RollColumn::kAgriMajor);
  if (auto v = parseYesNo(agri)) {
    r.agri_major = *v;
  } else {
    rc.error(RollColumn::kAgriMajor, agri, "must be Y or N (是 / 否)");
  }
  const std::string boarding = rc.get(RollColumn::kBoarding);
  if (auto v = parseYesNo(boarding)) {
    r.boarding = *v;
  } else {
    rc.error(RollColumn::kBoarding, boarding, "must be Y or N (是 / 否)");
  }

  if (auto d = checkDate(rc, RollColumn::kEnrollDate, rc.get(RollColumn::kEnrollDate), true, as_of_,
                         true)) {
    r.enroll_date = *d;
    if (*d <= r.birth_date) rc.error(RollColumn::kEnrollDate, d->str(), "is before the birth date");
  }

  const std::string status_text = rc.get(RollColumn::kStatus);
  if (auto s = domain::parseEnrollmentStatus(status_text)) {
    r.status = *s;
  } else {
    rc.error(RollColumn::kStatus, status_text, "must be one of: " + domain::statusCodes());
  }
  if (auto d =
          checkDate(rc, RollColumn::kStatusDate, rc.get(RollColumn::kStatusDate), false, as_of_)) {
    r.status_date = *d;
    if (*d < r.enroll_date)
      rc.error(RollColumn::kStatusDate, d->str(), "is before the enroll date");
  }

  // Household.
  r.household_code = rc.get(RollColumn::kHouseholdId);
  r.hukou_region = rc.get(RollColumn::kHukouRegion);
  if (!r.hukou_region.empty() && !isRegionCode(r.hukou_region)) {
    rc.error(RollColumn::kHukouRegion, r.hukou_region, "must be a 6-digit region code (GB/T 2260)");
  }
  const std::string hukou_type = text::toLower(rc.get(RollColumn::kHukouType));
  if (hukou_type == "rural" || hukou_type == "农业" || hukou_type == "农村" ||
      hukou_type == "农业户口") {
    r.rural_hukou = true;
  } else if (hukou_type == "urban" || hukou_type == "非农业" || hukou_type == "城镇" ||
             hukou_type == "非农业户口") {
    r.rural_hukou = false;
  } else if (!hukou_type.empty()) {
    rc.error(RollColumn::kHukouType, hukou_type, "must be rural or urban (农业 / 非农业)");
  }
  r.guardian_name = rc.name(RollColumn::kGuardianName);
  const std::string gid_text = rc.get(RollColumn::kGuardianId);
  if (!gid_text.empty()) {
    auto gid = ResidentId::parse(gid_text, &why, as_of_);
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
      rc.warning(
          RollColumn::kGuardianId, gid_text,
          "looks like a passport or travel permit, which this system cannot check; the "
          "guardian is not linked to the child, whose row is imported (监护人证件为护照或通行证，"
          "无法核验，未登记该监护人；学生信息照常导入)");
    } else {
      if (rid && gid->str() == rid->str()) {
        rc.error(RollColumn::kGuardianId, gid_text, "is the student's own ID");
      }
      if (r.guardian_name.empty()) {
        rc.error(RollColumn::kGuardianName, "", "is required when guardian_id is given");
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
    rc.error(RollColumn::kDifficultyLevel, level_text,
             "must be one of: " + domain::difficultyCodes());
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
               "is not a difficulty category; use codes from: " + domain::categoryCodes());
    }
  }
  if (!r.claimed_categories.empty() && r.household_code.empty()) {
    rc.error(RollColumn::kHouseholdId, "", "is required when claimed_categories are given");
  }

  // Payee account.
  const std::string acct_text = rc.get(RollColumn::kBankAccount);
  if (!acct_text.empty()) {
    auto acct =
        looksLikeExcelNumber(acct_text) ? std::nullopt : BankAccountNumber::parse(acct_text, &why);
    if (looksLikeExcelNumber(acct_text)) {
      rc.error(RollColumn::kBankAccount, acct_text,
               "Excel turned this account number into a number and lost its last digits: format "
               "the column as text and export again (Excel 把银行账号存成了数字，末几位已丢失："
               "请把该列设为文本格式后重新导出)");
    } else if (!acct) {
      rc.error(RollColumn::kBankAccount, acct_text, why);
    } else {
      r.account = Protected{cipher_.blindIndex("bank_account", acct->str()),
                            cipher_.encrypt("bank_account", acct->str()), acct->masked()};
      r.account_luhn_ok = acct->luhnValid();
      if (!r.account_luhn_ok) {
        rc.warning(
            RollColumn::kBankAccount, acct_text,
            "fails the Luhn check; many passbooks do, but confirm the number with the family "
            "(账号校验位不符，存折常见此情况，请与家长核对账号)");
      }
    }
    r.bank_code = rc.get(RollColumn::kBankCode);
    if (!r.bank_code.empty() && (r.bank_code.size() != 12 || !text::isAllDigits(r.bank_code))) {
      rc.error(RollColumn::kBankCode, r.bank_code, "must be the 12-digit CNAPS bank code (联行号)");
    }
    if (r.bank_code.empty()) {
      rc.warning(RollColumn::kBankCode, "",
                 "is empty; payments to another bank need the 12-digit code");
    }
    r.account_holder = rc.name(RollColumn::kAccountHolder);
    if (r.account_holder.empty()) {
      rc.error(RollColumn::kAccountHolder, "", "is required when bank_account is given");
    } else if (r.account_holder != r.name && r.account_holder != r.guardian_name) {
      rc.warning(RollColumn::kAccountHolder, r.account_holder,
                 "is neither the student nor the guardian; the payment will be flagged for review");
    }
    const std::string kind_text = rc.get(RollColumn::kAccountKind);
    if (!kind_text.empty()) {
      if (auto k = domain::parseAccountKind(kind_text)) {
        r.account_kind = *k;
      } else {
        rc.error(RollColumn::kAccountKind, kind_text,
                 "must be one of: " + domain::accountKindCodes());
      }
    }
  }

  if (!rc.ok()) return std::nullopt;
  return r;
}

}  // namespace edupay::registry
