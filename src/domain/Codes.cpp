#include "domain/Codes.h"

#include <array>
#include <utility>

#include "common/CodeTable.h"
#include "common/Text.h"

namespace edupay::domain {
namespace {

template <typename E>
using Entry = CodeName<E>;

constexpr std::array<Entry<Stage>, 9> kStages{{
    {Stage::kPreschool, "preschool", "学前", "学前教育|幼儿园|学前班"},
    {Stage::kPrimary, "primary", "小学", "小学阶段"},
    {Stage::kJunior, "junior", "初中", "初级中学|初中阶段"},
    {Stage::kSenior, "senior", "普通高中", "高中|高级中学"},
    {Stage::kSecVoc, "secvoc", "中职", "中等职业教育|中等职业学校|中专|职高|技工学校"},
    {Stage::kHigherVoc, "highervoc", "高职", "高职专科|高等职业教育|大专|专科"},
    {Stage::kUndergrad, "undergrad", "本科", "普通本科|本科生"},
    {Stage::kMaster, "master", "硕士", "硕士研究生|研究生"},
    {Stage::kPhd, "phd", "博士", "博士研究生"},
}};
constexpr std::array<Entry<EnrollmentStatus>, 5> kStatuses{{
    {EnrollmentStatus::kActive, "active", "在读", "在校|在籍|正常|注册"},
    {EnrollmentStatus::kSuspended, "suspended", "休学", "停学"},
    {EnrollmentStatus::kTransferred, "transferred", "转出", "转学|已转出"},
    {EnrollmentStatus::kDropped, "dropped", "辍学", "退学|失学|流失"},
    {EnrollmentStatus::kGraduated, "graduated", "毕业", "已毕业|结业"},
}};
constexpr std::array<Entry<DifficultyLevel>, 4> kLevels{{
    {DifficultyLevel::kNone, "none", "不困难", "不认定|非困难|无"},
    {DifficultyLevel::kGenerally, "generally", "一般困难", "比较困难"},
    {DifficultyLevel::kDifficult, "difficult", "困难"},
    {DifficultyLevel::kEspecially, "especially", "特别困难", "特困"},
}};
constexpr std::array<Entry<AccountKind>, 4> kKinds{{
    {AccountKind::kStudentCard, "student_card", "学生资助卡", "学生卡|资助卡|银行卡|借记卡"},
    {AccountKind::kOneCard, "one_card", "一卡通",
     "惠民惠农一卡通|惠民惠农财政补贴资金一卡通|惠农一卡通|社会保障一卡通"},
    {AccountKind::kPassbook, "passbook", "存折", "一折通|存折账户"},
    {AccountKind::kSocialSecurity, "social_security", "社保卡", "社会保障卡"},
}};
constexpr std::array<Entry<Category>, 12> kCategories{{
    {Category::kRegisteredPoor, "registered_poor", "建档立卡",
     "建档立卡户|建档立卡贫困户|建档立卡家庭|建档立卡贫困家庭"},
    {Category::kPovertyExited, "poverty_exited", "脱贫户", "脱贫家庭|脱贫人口|已脱贫户"},
    {Category::kMonitoredUnstable, "monitored_unstable", "脱贫不稳定户",
     "监测户|防返贫监测对象|防止返贫监测对象|脱贫不稳定家庭"},
    {Category::kMonitoredEdge, "monitored_edge", "边缘易致贫户", "边缘易致贫家庭"},
    {Category::kMonitoredSudden, "monitored_sudden", "突发严重困难户", "突发严重困难家庭"},
    {Category::kDibao, "dibao", "低保",
     "低保户|低保家庭|最低生活保障|最低生活保障家庭|城市低保|农村低保"},
    {Category::kTekun, "tekun", "特困供养", "特困|特困人员|特困供养人员|五保|五保户"},
    {Category::kOrphan, "orphan", "孤儿", "事实无人抚养儿童"},
    {Category::kDisabledStudent, "disabled_student", "残疾学生", "残疾儿童|学生残疾"},
    {Category::kDisabledParent, "disabled_parent", "残疾人子女",
     "残疾人家庭子女|残疾人家庭|父母残疾"},
    {Category::kMartyrChild, "martyr_child", "烈士子女", "烈士遗孤|优抚对象子女"},
    {Category::kOther, "other", "其他"},
}};

template <typename E, size_t N>
std::optional<E> parseLenient(const std::array<Entry<E>, N>& table, std::string_view s) {
  const std::string t = text::toLower(text::cleanCode(s));
  for (const auto& e : table) {
    if (t == e.code || t == e.zh) return e.value;
    for (std::string_view rest = e.more; !rest.empty();) {
      const size_t bar = rest.find('|');
      if (rest.substr(0, bar) == t) return e.value;
      rest = bar == std::string_view::npos ? std::string_view() : rest.substr(bar + 1);
    }
  }
  return std::nullopt;
}

template <typename E, size_t N>
std::string codesOf(const std::array<Entry<E>, N>& table) {
  std::string out;
  for (const auto& e : table) {
    if (!out.empty()) out += ", ";
    out += e.code;
  }
  return out;
}

}  // namespace

std::optional<Stage> parseStage(std::string_view s) { return parseLenient(kStages, s); }
std::string_view code(Stage s) { return codeIn(kStages, s); }
std::string_view chineseLabel(Stage s) { return zhIn(kStages, s); }
std::string_view chineseLabel(EnrollmentStatus s) { return zhIn(kStatuses, s); }
std::string_view chineseLabel(DifficultyLevel d) { return zhIn(kLevels, d); }
std::string_view chineseLabel(AccountKind k) { return zhIn(kKinds, k); }
std::optional<EnrollmentStatus> parseEnrollmentStatus(std::string_view s) {
  return parseLenient(kStatuses, s);
}
std::string_view code(EnrollmentStatus s) { return codeIn(kStatuses, s); }
bool endsEnrollment(EnrollmentStatus s) {
  return s == EnrollmentStatus::kTransferred || s == EnrollmentStatus::kDropped ||
         s == EnrollmentStatus::kGraduated;
}
std::optional<DifficultyLevel> parseDifficultyLevel(std::string_view s) {
  // The roll template also allows the policy spelling ("especially_difficult").
  const std::string t = text::toLower(text::trim(s));
  if (t.empty()) return DifficultyLevel::kNone;
  if (t == "especially_difficult") return DifficultyLevel::kEspecially;
  if (t == "generally_difficult") return DifficultyLevel::kGenerally;
  return parseLenient(kLevels, t);
}
std::string_view code(DifficultyLevel d) { return codeIn(kLevels, d); }
std::optional<AccountKind> parseAccountKind(std::string_view s) { return parseLenient(kKinds, s); }
std::string_view code(AccountKind k) { return codeIn(kKinds, k); }
std::optional<Category> parseCategory(std::string_view s) { return parseLenient(kCategories, s); }
std::string_view code(Category c) { return codeIn(kCategories, c); }
std::string_view chineseLabel(Category c) { return zhIn(kCategories, c); }

std::string_view rosterSourceOf(Category c) {
  switch (c) {
    case Category::kRegisteredPoor:
    case Category::kPovertyExited:
    case Category::kMonitoredUnstable:
    case Category::kMonitoredEdge:
    case Category::kMonitoredSudden:
      return "poverty";
    case Category::kDibao:
    case Category::kTekun:
      return "civil_affairs";
    case Category::kDisabledStudent:
    case Category::kDisabledParent:
      return "disabled";
    case Category::kOrphan:
      return "orphan";
    case Category::kMartyrChild:
    case Category::kOther:
      return "";
  }
  return "";
}

Range gradeRange(Stage s) {
  switch (s) {
    case Stage::kPreschool:
      return {1, 3};
    case Stage::kPrimary:
      return {1, 6};
    case Stage::kJunior:
      return {1, 4};
    case Stage::kSenior:
    case Stage::kSecVoc:
    case Stage::kHigherVoc:
    case Stage::kMaster:
      return {1, 3};
    case Stage::kUndergrad:
      return {1, 5};
    case Stage::kPhd:
      return {1, 6};
  }
  return {1, 1};
}

Range plausibleAge(Stage s) {
  switch (s) {
    case Stage::kPreschool:
      return {2, 7};
    case Stage::kPrimary:
      return {5, 16};
    case Stage::kJunior:
      return {10, 19};
    case Stage::kSenior:
      return {13, 22};
    case Stage::kSecVoc:
      return {13, 30};
    case Stage::kHigherVoc:
      return {15, 40};
    case Stage::kUndergrad:
      return {15, 45};
    case Stage::kMaster:
      return {18, 60};
    case Stage::kPhd:
      return {20, 65};
  }
  return {0, 200};
}

std::string stageCodes() { return codesOf(kStages); }
std::string statusCodes() { return codesOf(kStatuses); }
std::string difficultyCodes() { return codesOf(kLevels); }
std::string accountKindCodes() { return codesOf(kKinds); }
std::string categoryCodes() { return codesOf(kCategories); }

}  // namespace edupay::domain
