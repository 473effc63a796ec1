// What a family sees when it looks its child up (查询): the key, the lines in plain Chinese, and
// the look-up use case.
#include "common/Error.h"
#include "common/ResidentId.h"
#include "common/Retry.h"
#include "common/Text.h"
#include "disburse/Families.h"

namespace edupay::disburse {

namespace {

std::string phrase(const std::string& reason_code) {
  // The plain words a family reads for the first condition a decision did not meet
  // (rules::checkLabel gives the officers' terms).
  static const std::map<std::string, const char*> kWhy = {
      {"stage", "孩子所在学段不属于本项目资助范围"},
      {"grade", "孩子所在年级不属于本项目资助范围"},
      {"freshman", "本项目只资助新生"},
      {"status", "孩子本学期学籍状态不是在读（休学、转出、退学或毕业）"},
      {"boarding", "本项目只资助寄宿生"},
      {"agri_major", "本项目只资助涉农专业学生"},
      {"rural_hukou", "本项目只资助农村户籍学生"},
      {"min_grade", "孩子尚未达到本项目要求的年级"},
      {"final_grade", "本项目只资助最后一学年的学生"},
      {"nomination", "孩子不在学校本学年的评审名单上"},
      {"major", "孩子所学专业不属于本项目资助范围"},
      {"difficulty", "孩子本学年未被认定为家庭经济困难学生"},
      {"category", "家庭经济困难类别不符合本项目条件"},
      {"roster", "家庭经济困难情况未在民政、乡村振兴等部门名单中核实"},
      {"any_of", "不符合本项目的任何一项资助条件"},
      {"payee", "没有可用的收款账户"},
      {"region", "孩子不在本县资助范围内"},
      {"exclusive", "已享受同类资助项目，按规定不得重复享受"},
      {"merged", "孩子的两条学籍记录已合并，本项目由另一条记录享受"},
  };
  auto it = kWhy.find(reason_code);
  return it == kWhy.end() ? "不符合本项目的资助条件" : it->second;
}

/// The first failing check of a stored reason trace (`code=fact; !code=fact`).
std::string firstFailing(const std::string& reason) {
  if (reason.rfind("merged:", 0) == 0) return "merged";  // written by a merge of two records
  for (const auto& part : text::split(reason, ';')) {
    const std::string p = text::trim(part);
    if (p.empty() || p[0] != '!') continue;
    return p.substr(1, p.find('=') == std::string::npos ? std::string::npos : p.find('=') - 1);
  }
  return "";
}

std::string holdZh(const AidFact& f) {
  if (f.held_by_complaint) return "有关投诉正在核查，核查结束后继续办理";
  if (f.under_objection) return "公示期间收到异议，正在核实";
  if (f.hold_reason == "no payee account on file")
    return "尚未登记收款账户（银行卡或一卡通），请尽快向学校提供";
  if (f.hold_reason == "claimed category not on the official roster")
    return "申报的家庭经济困难类别尚待民政、乡村振兴等部门名单核实";
  return "资格正在审核中";
}

std::string paymentZh(const std::string& state, bool school) {
  if (school) {
    if (state == "paid") return "已拨付学校，抵减学费";
    if (state.empty()) return "尚未拨付学校";
    return "正在拨付学校";
  }
  if (state == "paid") return "已发放到账";
  if (state == "sent") return "已交银行发放，银行处理中";
  if (state == "pending") return "已列入发放批次，等待审批发放";
  if (state == "returned") return "银行退回（账户有误等），更正账户后重新发放";
  if (state == "failed") return "发放未成功，正在处理";
  return "尚未发放";
}

}  // namespace

std::optional<LookupKey> lookupKey(const security::FieldCipher& cipher, const std::string& name,
                                   const std::string& identifier, const std::string& birth_date) {
  LookupKey k;
  const std::string id = text::toUpper(text::cleanCode(identifier));
  if (auto rid = ResidentId::parse(id)) {
    k.rid_hash = cipher.blindIndex("resident_id", rid->str());
    k.key_hash = k.rid_hash;
  } else if (auto no = StudentNumber::parse(id)) {
    k.student_no = no->str();
    // The national student number `G` + ID is that ID: found either way.
    if (auto inner = no->residentId()) k.rid_hash = cipher.blindIndex("resident_id", inner->str());
    k.key_hash = cipher.blindIndex("student_no", no->str());
  } else {
    return std::nullopt;
  }
  k.name = text::normaliseName(name);
  const auto d = Date::parseLenient(text::cleanCode(birth_date));
  if (!d || k.name.empty()) return std::nullopt;
  k.birth_date = d->str();
  return k;
}

AidLine aidLine(const AidFact& f, const std::map<std::string, std::string>& programme_names) {
  AidLine l;
  l.term = f.term;
  l.programme = f.programme;
  auto it = programme_names.find(f.programme);
  l.programme_name = it == programme_names.end() ? f.programme : it->second;
  const bool school = f.payee == "school";
  if (f.status == "excluded") {
    l.decision = "not_eligible";
    l.reason_zh = phrase(firstFailing(f.reason));
    return l;
  }
  l.amount = f.amount;
  l.paid = f.payment_state == "paid";
  l.payment_zh = paymentZh(f.payment_state, school);
  if (f.status == "held" || ((f.held_by_complaint || f.under_objection) && !l.paid &&
                             f.payment_state != "sent" && f.payment_state != "pending")) {
    l.decision = "held";
    l.reason_zh = holdZh(f);
  } else {
    l.decision = "eligible";
  }
  if (l.paid) l.paid_on = f.paid_on;
  if (!school && !f.payment_state.empty()) {
    // `ICBC 中国工商银行` -> the Chinese name a family knows.
    const auto space = f.bank_name.rfind(' ');
    l.bank_name = space == std::string::npos ? f.bank_name : f.bank_name.substr(space + 1);
    std::string digits;
    for (char c : f.acct_mask)
      if (c >= '0' && c <= '9') digits += c;
    if (digits.size() >= 4) l.account_last4 = digits.substr(digits.size() - 4);
  } else if (school) {
    l.bank_name = "学校（抵减学费，不发给个人）";
  }
  return l;
}

static std::optional<AidRecord> lookupAidAttempt(
    FamilyStore& store, security::SecurityStore& audit, const std::optional<LookupKey>& key,
    const std::map<std::string, std::string>& programme_names) {
  // A key that could not be built (a typo in the ID or the date) runs the same statements with
  // values that match nothing, so neither the answer nor its time tells which field was wrong.
  LookupKey k = key ? *key : LookupKey{"-", "-", "-", "-", "-"};
  auto tx = store.transaction();
  const auto person = store.matchPerson(k);
  std::optional<AidRecord> out;
  const auto facts = store.aidFacts(person ? *person : 0);
  const auto place = store.personPlace(person ? *person : 0);
  const std::string region_name = store.regionName(place.first);
  if (person) {
    out.emplace();
    out->person_id = *person;
    out->region = place.first;
    out->school_name = place.second;
    out->region_name = region_name;
    for (const auto& f : facts) out->lines.push_back(aidLine(f, programme_names));
  }
  security::appendAudit(audit, kPublicActor, "family.lookup",
                        "lookup:" + (key ? key->key_hash : std::string("invalid")), Message(),
                        msg(out ? "audit.rec.family.shown" : "audit.rec.family.none"));
  tx->commit();
  return out;
}

// Runs again whole after a certification conflict or a lost node (retryUnit).
std::optional<AidRecord> lookupAid(FamilyStore& store, security::SecurityStore& audit,
                                   const std::optional<LookupKey>& key,
                                   const std::map<std::string, std::string>& programme_names) {
  return retryUnit("disburse.lookupAid",
                   [&] { return lookupAidAttempt(store, audit, key, programme_names); });
}

}  // namespace edupay::disburse
