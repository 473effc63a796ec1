// The roll's header: column names in English and as student-record exports write them.
#include <algorithm>
#include <array>
#include <set>

#include "common/Catalogue.h"
#include "common/Error.h"
#include "common/Text.h"
#include "registry/RollValidator.h"

namespace edupay::registry {
namespace {

struct ColumnSpec {
  RollColumn column;
  const char* english;
  std::array<const char*, 3> aliases;  // Chinese names used by student-record system exports
  bool required;
};

constexpr std::array<ColumnSpec, 27> kColumns{{
    {RollColumn::kResidentId, "resident_id", {"身份证号", "身份证件号", "身份证号码"}, false},
    {RollColumn::kStudentNo, "student_no", {"学籍号", "全国学籍号", "学籍辅号"}, false},
    {RollColumn::kName, "name", {"姓名", "学生姓名", nullptr}, true},
    {RollColumn::kSex, "sex", {"性别", nullptr, nullptr}, true},
    {RollColumn::kBirthDate, "birth_date", {"出生日期", nullptr, nullptr}, true},
    {RollColumn::kEthnicity, "ethnicity", {"民族", nullptr, nullptr}, false},
    {RollColumn::kSchoolCode, "school_code", {"学校标识码", "学校代码", nullptr}, true},
    {RollColumn::kStage, "stage", {"学段", nullptr, nullptr}, true},
    {RollColumn::kGrade, "grade", {"年级", nullptr, nullptr}, true},
    {RollColumn::kClass, "class", {"班级", nullptr, nullptr}, false},
    {RollColumn::kMajor, "major", {"专业", nullptr, nullptr}, false},
    {RollColumn::kAgriMajor, "agri_major", {"涉农专业", "是否涉农专业", nullptr}, false},
    {RollColumn::kBoarding, "boarding", {"寄宿", "是否寄宿", "是否住校"}, false},
    {RollColumn::kEnrollDate, "enroll_date", {"入学日期", "入学年月", nullptr}, true},
    {RollColumn::kStatus, "status", {"学籍状态", nullptr, nullptr}, true},
    {RollColumn::kStatusDate, "status_date", {"状态日期", "学籍状态日期", nullptr}, false},
    {RollColumn::kHouseholdId, "household_id", {"户编号", "家庭户编号", nullptr}, false},
    {RollColumn::kHukouRegion, "hukou_region", {"户籍地", "户口所在地", nullptr}, false},
    {RollColumn::kHukouType, "hukou_type", {"户口性质", "户籍类型", nullptr}, false},
    {RollColumn::kGuardianName, "guardian_name", {"监护人", "监护人姓名", nullptr}, false},
    {RollColumn::kGuardianId, "guardian_id", {"监护人身份证号", nullptr, nullptr}, false},
    {RollColumn::kDifficultyLevel,
     "difficulty_level",
     {"困难等级", "家庭经济困难等级", nullptr},
     false},
    {RollColumn::kClaimedCategories,
     "claimed_categories",
     {"困难类别", "家庭经济困难类别", nullptr},
     false},
    {RollColumn::kBankAccount, "bank_account", {"银行账号", "银行卡号", nullptr}, false},
    {RollColumn::kBankCode, "bank_code", {"开户行行号", "联行号", nullptr}, false},
    {RollColumn::kAccountHolder, "account_holder", {"户名", "持卡人", nullptr}, false},
    {RollColumn::kAccountKind, "account_kind", {"账户类型", nullptr, nullptr}, false},
}};

std::string normaliseHeader(const std::string& h) {
  std::string t = text::toLower(text::cleanCode(h));
  std::replace(t.begin(), t.end(), ' ', '_');
  // Exports mark required columns with an asterisk: "*姓名".
  while (!t.empty() && t[0] == '*') t.erase(0, 1);
  return t;
}

// Columns every student-record export carries that student aid does not use: ignored, and listed.
constexpr std::array<const char*, 48> kIgnoredColumns{{"序号",
                                                       "备注",
                                                       "学号",
                                                       "班内学号",
                                                       "联系电话",
                                                       "手机号码",
                                                       "家庭住址",
                                                       "现住址",
                                                       "通信地址",
                                                       "家庭地址",
                                                       "出生地",
                                                       "籍贯",
                                                       "国籍/地区",
                                                       "国籍",
                                                       "身份证件类型",
                                                       "港澳台侨外",
                                                       "政治面貌",
                                                       "健康状况",
                                                       "入学方式",
                                                       "就读方式",
                                                       "邮政编码",
                                                       "是否独生子女",
                                                       "是否留守儿童",
                                                       "是否进城务工人员随迁子女",
                                                       "是否孤儿",
                                                       "是否烈士或优抚子女",
                                                       "是否受过学前教育",
                                                       "上下学距离",
                                                       "上下学方式",
                                                       "是否需要乘坐校车",
                                                       "曾用名",
                                                       "电子信箱",
                                                       "特长",
                                                       "学生来源",
                                                       "随班就读",
                                                       "残疾类型",
                                                       "照片",
                                                       "年龄",
                                                       "监护人联系电话",
                                                       "与学生关系",
                                                       "监护人关系",
                                                       "学校名称",
                                                       "no",
                                                       "no.",
                                                       "remark",
                                                       "remarks",
                                                       "note",
                                                       "phone"}};

bool isIgnoredColumn(const std::string& name) {
  for (const char* c : kIgnoredColumns) {
    if (name == c) return true;
  }
  return false;
}

std::optional<RollColumn> knownColumn(const std::string& name) {
  for (const auto& spec : kColumns) {
    bool match = name == spec.english;
    for (const char* alias : spec.aliases) match = match || (alias && name == alias);
    if (match) return spec.column;
  }
  return std::nullopt;
}

std::string msgText(const Message& m, Lang lang) { return i18n::render(m, lang); }

MessageArg columnWords(RollColumn c, const char* name) {
  return words(name, RollHeader::chineseName(c), RollHeader::englishName(c));
}

}  // namespace

const char* RollHeader::englishName(RollColumn c) {
  for (const auto& spec : kColumns) {
    if (spec.column == c) return spec.english;
  }
  return "?";
}

bool RollHeader::looksLikeHeader(const std::vector<std::string>& row) {
  int known = 0;
  for (const auto& cell : row) {
    if (knownColumn(normaliseHeader(cell))) ++known;
  }
  return known >= 3;
}

RollHeader RollHeader::parse(const std::vector<std::string>& header, const std::string& source,
                             int64_t line) {
  RollHeader h;
  std::vector<std::string> unknown;
  for (size_t i = 0; i < header.size(); ++i) {
    const std::string name = normaliseHeader(header[i]);
    if (name.empty()) continue;
    if (const auto column = knownColumn(name)) {
      if (h.positions_.count(*column)) {
        throw Error(ErrorCode::kInvalidInput,
                    msg("roll.header.twice",
                        {arg("source", source), arg("line", std::to_string(line)),
                         words("column", chineseName(*column), englishName(*column))}));
      }
      h.positions_[*column] = i;
    } else if (isIgnoredColumn(name)) {
      h.ignored_.push_back(text::cleanField(header[i]));
    } else {
      unknown.push_back(header[i]);
    }
  }
  // The missing columns in each language: `name; sex;` and 「姓名、性别」.
  std::string missing_en, missing_zh;
  auto miss = [&](const std::string& en, const std::string& zh) {
    missing_en += " " + en + ";";
    missing_zh += (missing_zh.empty() ? "" : "、") + zh;
  };
  for (const auto& spec : kColumns) {
    if (spec.required && !h.positions_.count(spec.column)) miss(spec.english, spec.aliases[0]);
  }
  if (!h.positions_.count(RollColumn::kResidentId) && !h.positions_.count(RollColumn::kStudentNo)) {
    miss(std::string(englishName(RollColumn::kResidentId)) + " or " +
             englishName(RollColumn::kStudentNo),
         msgText(msg("roll.header.id_or_student_no",
                     {columnWords(RollColumn::kResidentId, "id"),
                      columnWords(RollColumn::kStudentNo, "student_no")}),
                 Lang::kZh));
  }
  if (!missing_en.empty() || !unknown.empty()) {
    std::string unknown_text;
    for (const auto& u : unknown) unknown_text += " `" + u + "`;";
    // Each part in both languages, or nothing in both when there is nothing to say.
    auto part = [](const char* name, bool some, const Message& m) {
      return some ? words(name, msgText(m, Lang::kZh), msgText(m, Lang::kEn)) : words(name, "", "");
    };
    throw Error(ErrorCode::kInvalidInput,
                msg("roll.header.not_roll",
                    {arg("source", source), arg("line", std::to_string(line)),
                     part("missing", !missing_en.empty(),
                          msg("roll.header.missing", {words("columns", missing_zh, missing_en)})),
                     part("unknown", !unknown.empty(),
                          msg("roll.header.unknown", {arg("columns", unknown_text)}))}));
  }
  return h;
}

std::optional<size_t> RollHeader::index(RollColumn c) const {
  auto it = positions_.find(c);
  if (it == positions_.end()) return std::nullopt;
  return it->second;
}

const char* RollHeader::chineseName(RollColumn c) {
  for (const auto& spec : kColumns) {
    if (spec.column == c) return spec.aliases[0];
  }
  return "?";
}

}  // namespace edupay::registry
