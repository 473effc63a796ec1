#include "disburse/PrecisionChecks.h"

#include <algorithm>

#include "common/Error.h"
#include "common/Message.h"
#include "common/Term.h"

namespace edupay::disburse {
namespace {

using Flags = std::vector<FlagDecision>;

/// A flag with its evidence as stored (`evidence`, the text kept today) and as the catalogue
/// message `flag.<kind>` rendered in the reader's language.
void add(Flags& out, int64_t payment_id, const char* kind, std::string evidence,
         std::vector<MessageArg> args = {}) {
  out.push_back(
      {payment_id, kind, std::move(evidence), msg(std::string("flag.") + kind, std::move(args))});
}

struct Link {
  const char* stored;  ///< as the stored evidence says it
  const char* zh;
  const char* en;
};
/// What links two records that may be one child, by strength of the evidence; nullptr if none.
const Link* linkOf(const DuplicateCandidate& c) {
  static const Link kHousehold{"household (户编号)", "户编号", "household"};
  static const Link kGuardian{"guardian (监护人)", "监护人", "guardian"};
  static const Link kAccount{"bank account (银行账号)", "银行账号", "bank account"};
  if (c.same_household) return &kHousehold;
  if (c.same_guardian) return &kGuardian;
  if (c.same_account) return &kAccount;
  return nullptr;
}

}  // namespace

MessageArg termWords(std::string name, const std::string& term) {
  try {
    const Term t = Term::parse(term);
    const std::string zh = std::to_string(t.year()) + "年" +
                           (t.season() == Term::Season::kAutumn ? "秋季" : "春季") + "学期";
    return words(std::move(name), zh, term);
  } catch (const Error&) {
    return arg(std::move(name), term);
  }
}

namespace {

void personFlags(const std::vector<PaymentFacts>& payments, const CheckLimits& limits, Flags& out) {
  // Enrolled at two schools during the term (a transfer mid-term, or two rolls claiming the
  // student).
  for (const auto& p : payments) {
    if (p.schools_in_term > 1) {
      add(out, p.payment_id, "multi_enrollment",
          "enrolled at " + std::to_string(p.schools_in_term) + " schools during " + limits.term,
          {arg("schools", p.schools_in_term), termWords("term", limits.term)});
    }
  }
  // The same student already has a live payment of this programme and term in another batch (the
  // database forbids it per entitlement; this catches it across entitlements).
  for (const auto& p : payments) {
    for (int64_t batch : p.other_batches)
      add(out, p.payment_id, "paid_elsewhere", "also in batch " + std::to_string(batch),
          {arg("batch", std::to_string(batch))});
  }
  // One account receiving for many unrelated households.
  for (const auto& p : payments) {
    if (p.account_households && *p.account_households > limits.shared_account_limit) {
      add(out, p.payment_id, "shared_account",
          "account " + p.acct_mask + " receives for students of " +
              std::to_string(*p.account_households) + " households (limit " +
              std::to_string(limits.shared_account_limit) + ")",
          {arg("account", p.acct_mask), arg("households", *p.account_households),
           arg("limit", int64_t{limits.shared_account_limit})});
    }
  }
  // The account holder is neither the student nor a registered guardian.
  for (const auto& p : payments) {
    const auto& g = p.guardian_names;
    if (p.holder != p.student_name && std::find(g.begin(), g.end(), p.holder) == g.end()) {
      add(out, p.payment_id, "holder_mismatch",
          "account holder " + p.holder + " is neither the student nor a registered guardian",
          {arg("holder", p.holder)});
    }
  }
  // Possibly the same child on two records, both entitled to this programme and term: one child
  // paid twice. The first linked record is named.
  for (const auto& p : payments) {
    for (const auto& c : p.duplicates) {
      const Link* link = linkOf(c);
      if (!link) continue;
      add(out, p.payment_id, "possible_duplicate",
          "may be the same child as record " + c.record + " (same name, birth date and " +
              link->stored + "), also entitled to " + limits.programme + " " + limits.term +
              "; if so, merge the records (edupay student merge) before paying "
              "(疑似同一学生的两条记录，请核实后合并)",
          {arg("record", c.record), words("link", link->zh, link->en),
           words("programme", "本项目", limits.programme), termWords("term", limits.term)});
      break;
    }
  }
  // An age implausible for the stage on the reference date.
  for (const auto& p : payments) {
    if (!p.birth_date) continue;  // a birth date the record does not carry
    const int age = limits.reference.yearsSince(*p.birth_date);
    for (const auto stage : p.current_stages) {
      const auto range = domain::plausibleAge(stage);
      if (age < range.min || age > range.max) {
        add(out, p.payment_id, "implausible_age",
            "age " + std::to_string(age) + " is implausible for " +
                std::string(domain::code(stage)),
            {arg("age", std::to_string(age)),
             words("stage", std::string(domain::chineseLabel(stage)),
                   std::string(domain::code(stage)))});
      }
    }
  }
  // A difficulty level the roll declares where the school has no identification (资助对象认定)
  // for the year: the money rests on a level no class panel, approver or notice stands behind.
  for (const auto& p : payments) {
    if (p.level_declared_only) {
      add(out, p.payment_id, "level_not_identified",
          "the difficulty level comes from the roll's column, not from the school's "
          "identification for the academic year; identify the student (edupay identify) or "
          "clear the flag with a reason (困难等级仅为学籍表填报，未经资助对象认定)");
    }
  }
}

void schoolFlags(const SchoolPaymentFacts& sp, const CheckLimits& limits, Flags& out) {
  const std::string school = sp.school_code + "（" + sp.school_name + "）";
  // The school as the evidence names it: code and name in Chinese, the code in English.
  const auto school_words = [&] { return words("school", school, sp.school_code); };
  const std::string ref = limits.reference.str();
  // Students on the school's list who are not active at the school on the reference date.
  std::vector<std::string> who;
  for (const auto& s : sp.students)
    if (!s.active_on_reference) who.push_back(s.record);
  if (!who.empty()) {
    std::string list;
    for (size_t i = 0; i < who.size() && i < 5; ++i) list += (i ? ", " : "") + who[i];
    if (who.size() > 5) list += ", ...";
    add(out, sp.payment_id, "school_student_inactive",
        "学校 " + school + " 的名单中有 " + std::to_string(who.size()) + " 名学生在 " + ref +
            " 不在该校在籍在读：" + list + "。请核对学籍，移除本笔或待学籍更正后重新计算。 / " +
            std::to_string(who.size()) + " student(s) on the list of school " + sp.school_code +
            " are not active at it on " + ref + " (" + list +
            "): check the roll, remove this payment or recompute after the roll is corrected",
        {school_words(), arg("count", static_cast<int64_t>(who.size())), arg("date", ref),
         arg("list", list)});
  }
  // More waived students than the school's roll has in the stage.
  if (sp.waived > sp.on_roll) {
    add(out, sp.payment_id, "school_over_roll",
        "学校 " + school + " 申报 " + std::to_string(sp.waived) + " 名学生享受 " +
            limits.programme + "，而该学段在籍在读仅 " + std::to_string(sp.on_roll) + " 人（" +
            ref + "）。请核对名单与学籍。 / School " + sp.school_code + " claims " +
            std::to_string(sp.waived) + " waived students, its roll has " +
            std::to_string(sp.on_roll) + " in the stage on " + ref +
            ": check the list against the roll",
        {school_words(), arg("waived", sp.waived), arg("on_roll", sp.on_roll), arg("date", ref)});
  }
  // The school's account is also recorded as a person's account.
  if (sp.shared_account) {
    const std::string& mask = sp.shared_account->first;
    const std::string n = std::to_string(sp.shared_account->second);
    add(out, sp.payment_id, "school_account_shared",
        "学校 " + school + " 的账户 " + mask + " 同时登记为 " + n +
            " 名学生（或其监护人）的收款账户：学校资金不得进入个人账户。请核实后更正学校账户"
            "（edupay school account set）或学生账户。 / The account " +
            mask + " of school " + sp.school_code + " is also the payee account of " + n +
            " student(s) or guardian(s): a school's money never goes to a person's account; "
            "correct the school's account (edupay school account set) or the student's",
        {school_words(), arg("account", mask), arg("count", sp.shared_account->second)});
  }
}

}  // namespace

std::vector<FlagDecision> decide(const std::vector<PaymentFacts>& payments,
                                 const std::vector<SchoolPaymentFacts>& school_payments,
                                 const CheckLimits& limits) {
  Flags out;
  personFlags(payments, limits, out);
  for (const auto& sp : school_payments) schoolFlags(sp, limits, out);
  return out;
}

}  // namespace edupay::disburse
