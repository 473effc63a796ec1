#include "bankfiles/BankFiles.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

#include "bankfiles/Manifest.h"
#include "common/AtomicFile.h"
#include "common/BankAccountNumber.h"
#include "common/Csv.h"
#include "common/Error.h"
#include "common/Fault.h"
#include "common/Lease.h"
#include "common/Log.h"
#include "common/ResidentId.h"
#include "common/Retry.h"
#include "common/Term.h"
#include "common/Text.h"
#include "domain/Codes.h"

#include "bankfiles/UseCaseParts.h"

namespace edupay::bankfiles {

namespace detail {

std::string describe(const disburse::Batch& b) {
  return "batch " + std::to_string(b.id) + " (" + b.programme + " " + b.term + ", county " +
         b.paying_region + ", bank " + b.bank_code + ")";
}

Message batchMessage(const disburse::Batch& b) {
  return msg("bank.batch",
             {arg("batch", std::to_string(b.id)), arg("programme", b.programme),
              arg("term", b.term), arg("county", b.paying_region), arg("bank", b.bank_code)});
}

void forEachExportRow(BankFileStore& store, int64_t batch_id, int64_t first_seq, int64_t last_seq,
                      const std::function<void(const ExportRow&)>& each,
                      const std::function<void()>& after_page) {
  constexpr size_t kPage = 10000;
  int64_t after = first_seq - 1;
  for (;;) {
    const auto rows = store.exportRows(batch_id, after + 1, last_seq, kPage);
    for (const auto& row : rows) {
      each(row);
      after = row.seq;
    }
    if (after_page) after_page();
    if (rows.size() < kPage) break;
  }
}

}  // namespace detail

using detail::describe;

bool ReconcileRow::addsUp() const {
  return entitled_n == paid_n + in_bank_n + approved_n + in_approval_n + unbatched_n &&
         entitled == paid + in_bank + approved + in_approval + unbatched;
}

std::string paymentPurpose(const rules::Policy* policy, const disburse::Batch& b) {
  const Term term = Term::parse(b.term);
  std::string name = b.programme;
  if (policy) {
    for (const auto& p : policy->programmes)
      if (p.code == b.programme) name = p.name_zh;
  }
  return name + std::to_string(term.year()) +
         (term.season() == Term::Season::kAutumn ? "秋" : "春");
}

disburse::EncodingCheck holderEncodingCheck(BankFileStore& store, const LayoutSet& layouts) {
  struct BankFile {
    std::string layout;
    std::shared_ptr<Encoder> encoder;
  };
  auto cache = std::make_shared<std::map<std::string, BankFile>>();
  return
      [&store, &layouts, cache](const std::string& bank_code,
                                const std::string& holder) -> std::optional<disburse::Unencodable> {
        auto it = cache->find(bank_code);
        if (it == cache->end()) {
          const auto bank = store.bank(bank_code);
          if (!bank)
            throw Error(ErrorCode::kNotFound, msg("bank.not_configured", {arg("bank", bank_code)}));
          if (!layouts.has(bank->layout)) {
            throw Error(
                ErrorCode::kNotFound,
                msg("bank.layout_unknown", {arg("bank", bank_code), arg("layout", bank->layout)}));
          }
          const Layout& layout = layouts.get(bank->layout);
          it = cache
                   ->emplace(bank_code,
                             BankFile{layout.name, std::make_shared<Encoder>(layout.encoding)})
                   .first;
        }
        auto characters = it->second.encoder->unencodable(holder);
        if (characters.empty()) return std::nullopt;
        return disburse::Unencodable{it->second.encoder->name(), it->second.layout,
                                     std::move(characters)};
      };
}

static disburse::Batch closeBatchAttempt(BankFileStore& store, security::SecurityStore& audit,
                                         const security::User& user, int64_t batch_id) {
  auto tx = store.transaction();
  auto loaded = store.loadBatch(batch_id);
  // Another county's batch reads exactly like one that does not exist.
  if (!loaded ||
      (user.role == security::Role::kBureauOfficer && !user.covers(loaded->paying_region)))
    throw Error(ErrorCode::kNotFound,
                msg("bank.batch.not_found", {arg("batch", std::to_string(batch_id))}));
  disburse::Batch b = *loaded;
  if (user.role != security::Role::kBureauOfficer) {
    throw Error(ErrorCode::kForbidden,
                msg("bank.close.forbidden",
                    {arg("county", b.paying_region), arg("batch", detail::batchMessage(b))}));
  }
  if (b.status != disburse::BatchStatus::kSettled &&
      b.status != disburse::BatchStatus::kPartiallySettled) {
    throw Error(ErrorCode::kForbidden, msg("bank.close.not_settled",
                                           {arg("batch", detail::batchMessage(b)),
                                            batchStatusWords("status", disburse::code(b.status))}));
  }
  if (const int64_t open = store.openReturns(batch_id)) {
    throw Error(ErrorCode::kForbidden,
                msg("bank.close.open_returns",
                    {arg("batch", detail::batchMessage(b)), arg("count", open)}));
  }
  if (!store.transition(b.id, b.version, disburse::BatchStatus::kClosed, b.cycle)) {
    throw Error(ErrorCode::kConflict,
                msg("bank.batch.changed_look_again", {arg("batch", detail::batchMessage(b))}));
  }
  const auto before = batchStatusWords("status", disburse::code(b.status));
  b.status = disburse::BatchStatus::kClosed;
  ++b.version;
  security::appendAudit(
      audit, user.name, "batch.close", "batch:" + std::to_string(b.id),
      msg("audit.rec.status", {before}),
      msg("audit.rec.status", {batchStatusWords("status", disburse::code(b.status))}));
  tx->commit();
  return b;
}

static CorrectionResult correctAccountAttempt(registry::RegistryStore& registry,
                                              BankFileStore& store, security::SecurityStore& audit,
                                              const security::User& user,
                                              const security::FieldCipher& cipher,
                                              const AccountCorrection& c) {
  std::string why;
  const auto account = BankAccountNumber::parse(c.account, &why);
  if (!account)
    throw Error(ErrorCode::kInvalidInput,
                msg("bank.account.invalid", {arg("option", "--account"), arg("problem", why)}));
  const std::string holder = text::trim(c.holder);
  if (holder.empty()) throw Error(ErrorCode::kInvalidInput, msg("bank.account.no_holder"));
  if (text::startsLikeFormula(holder) || text::controlCharacter(holder))
    throw Error(ErrorCode::kInvalidInput, msg("bank.account.holder_formula"));
  if (c.bank_code.size() != 12 || !text::isAllDigits(c.bank_code))
    throw Error(ErrorCode::kInvalidInput, msg("bank.account.bank_code"));
  if (c.kind != "student_card" && c.kind != "one_card" && c.kind != "passbook" &&
      c.kind != "social_security")
    throw Error(ErrorCode::kInvalidInput, msg("bank.account.kind"));
  if (user.role != security::Role::kSchoolAdmin && user.role != security::Role::kBureauOfficer)
    throw Error(ErrorCode::kForbidden, msg("bank.account.forbidden"));
  // Out of scope reads exactly like unknown, so an answer never tells that a payment or a
  // student exists elsewhere.
  const Message unknown = c.payment.empty()
                              ? msg("bank.account.no_student")
                              : msg("bank.account.no_payment", {arg("reference", c.payment)});
  std::optional<std::string> rid_hash;
  std::string student_no;
  std::optional<int64_t> by_payment;
  if (!c.payment.empty()) {
    if (const auto school = store.schoolOfPayment(c.payment)) {
      throw Error(
          ErrorCode::kInvalidInput,
          msg("bank.account.pays_school", {arg("reference", c.payment), arg("school", *school)}));
    }
    by_payment = store.personOfPayment(c.payment);
    if (!by_payment) throw Error(ErrorCode::kNotFound, unknown);
  } else if (auto rid = ResidentId::parse(c.student)) {
    rid_hash = cipher.blindIndex("resident_id", rid->str());
  } else if (auto no = StudentNumber::parse(c.student)) {
    student_no = no->str();
  } else {
    throw Error(ErrorCode::kInvalidInput, msg("bank.account.student"));
  }
  auto tx = store.transaction();
  const auto rec =
      by_payment ? registry.studentById(*by_payment) : registry.findStudent(rid_hash, student_no);
  if (!rec) throw Error(ErrorCode::kNotFound, unknown);
  std::string school;
  for (const auto& e : rec->enrollments)
    if (e.status == "active" || school.empty()) school = e.school_code;
  const std::string region = registry.schoolRegion(school);
  const bool allowed =
      (user.role == security::Role::kSchoolAdmin && user.covers(school)) ||
      (user.role == security::Role::kBureauOfficer && !region.empty() && user.covers(region));
  if (!allowed) throw Error(ErrorCode::kNotFound, unknown);
  registry::RegistryStore::AccountUpdate u;
  u.kind = c.kind;
  u.owner = holder == rec->name ? "student" : "guardian";
  u.hash = cipher.blindIndex("bank_account", account->str());
  u.enc = cipher.encrypt("bank_account", account->str());
  u.mask = account->masked();
  u.bank_code = c.bank_code;
  u.holder = holder;
  u.luhn_ok = account->luhnValid();
  u.as_of = Date::today().str();
  CorrectionResult r;
  r.person_id = rec->person_id;
  r.mask = u.mask;
  r.account_id = registry.replaceAccount(rec->person_id, u);
  r.released = store.releaseReturned(rec->person_id, r.account_id);
  const auto kind = domain::parseAccountKind(c.kind);
  security::appendAudit(
      audit, user.name, "account.update", "person:" + std::to_string(rec->person_id), Message(),
      msg("audit.rec.account.update",
          {words("kind", kind ? std::string(domain::chineseLabel(*kind)) : c.kind, c.kind),
           arg("account", u.mask), arg("bank", c.bank_code), arg("holder", holder),
           arg("released", r.released)}));
  tx->commit();
  return r;
}

static SchoolAccountResult setSchoolAccountAttempt(registry::RegistryStore& registry,
                                                   security::SecurityStore& audit,
                                                   const security::User& user,
                                                   const security::FieldCipher& cipher,
                                                   const SchoolAccountSetting& s) {
  auto tx = registry.transaction();
  const std::string region = registry.schoolRegion(s.school);
  // A school of another county reads exactly like one that does not exist, whatever was sent.
  if (region.empty() || (user.role == security::Role::kBureauOfficer && !user.covers(region)))
    throw Error(ErrorCode::kNotFound, msg("bank.school.not_found", {arg("school", s.school)}));
  const bool allowed = user.role == security::Role::kSysadmin ||
                       (user.role == security::Role::kBureauOfficer && user.covers(region));
  if (!allowed) {
    throw Error(
        ErrorCode::kForbidden,
        msg("bank.school.forbidden",
            {arg("county", region), arg("school", s.school), arg("user", user.name),
             arg("role", std::string(security::code(user.role))), arg("scope", user.scope)}));
  }
  std::string why;
  const auto account = BankAccountNumber::parse(s.account, &why);
  if (!account)
    throw Error(ErrorCode::kInvalidInput,
                msg("bank.account.invalid", {arg("option", "account"), arg("problem", why)}));
  if (s.bank_code.size() != 12 || !text::isAllDigits(s.bank_code))
    throw Error(ErrorCode::kInvalidInput, msg("bank.school.bank_code"));
  std::string school_name;
  for (const auto& sc : registry.listSchools())
    if (sc.code == s.school) school_name = sc.name;
  const std::string holder = text::trim(s.holder).empty() ? school_name : text::trim(s.holder);
  if (text::startsLikeFormula(holder) || text::controlCharacter(holder)) {
    throw Error(ErrorCode::kInvalidInput, msg("bank.school.holder_formula"));
  }
  const auto before = registry.schoolAccount(s.school);
  registry::RegistryStore::SchoolAccountUpdate u{cipher.blindIndex("bank_account", account->str()),
                                                 cipher.encrypt("bank_account", account->str()),
                                                 account->masked(),
                                                 s.bank_code,
                                                 holder,
                                                 Date::today().str(),
                                                 user.name};
  const auto change = registry.replaceSchoolAccount(s.school, u);
  SchoolAccountResult r{s.school,    school_name,    u.mask,         holder,
                        s.bank_code, change.changed, change.released};
  if (change.changed) {
    security::appendAudit(audit, user.name, "school.account", "school:" + s.school,
                          before
                              ? msg("audit.rec.school_account",
                                    {arg("account", before->acct_mask),
                                     arg("bank", before->bank_code), arg("holder", before->holder)})
                              : Message(),
                          msg("audit.rec.school_account.changed",
                              {arg("account", u.mask), arg("bank", s.bank_code),
                               arg("holder", holder), arg("released", change.released)}));
  }
  tx->commit();
  return r;
}

disburse::Batch closeBatch(BankFileStore& store, security::SecurityStore& audit,
                           const security::User& user, int64_t batch_id) {
  return retryUnit("bankfiles.closeBatch",
                   [&] { return closeBatchAttempt(store, audit, user, batch_id); });
}

CorrectionResult correctAccount(registry::RegistryStore& registry, BankFileStore& store,
                                security::SecurityStore& audit, const security::User& user,
                                const security::FieldCipher& cipher, const AccountCorrection& c) {
  return retryUnit("bankfiles.correctAccount",
                   [&] { return correctAccountAttempt(registry, store, audit, user, cipher, c); });
}

SchoolAccountResult setSchoolAccount(registry::RegistryStore& registry,
                                     security::SecurityStore& audit, const security::User& user,
                                     const security::FieldCipher& cipher,
                                     const SchoolAccountSetting& s) {
  return retryUnit("bankfiles.setSchoolAccount",
                   [&] { return setSchoolAccountAttempt(registry, audit, user, cipher, s); });
}

std::vector<PayerAccount> payerAccounts(BankFileStore& store, const security::User& user,
                                        std::string region) {
  using security::Role;
  if (user.role != Role::kBureauOfficer && user.role != Role::kBureauApprover &&
      user.role != Role::kAuditor && user.role != Role::kSysadmin)
    throw Error(ErrorCode::kForbidden, msg("bank.payer.readers"));
  if (region.empty() && user.role != Role::kSysadmin) region = user.scope;
  if (user.role != Role::kSysadmin && !user.covers(region))
    throw Error(ErrorCode::kForbidden, msg("bank.payer.forbidden", {arg("region", region)}));
  std::vector<PayerAccount> out;
  for (auto& b : store.banks()) {
    PayerAccount a{b, store.payer(region, b.code)};
    out.push_back(std::move(a));
  }
  std::sort(out.begin(), out.end(),
            [](const PayerAccount& x, const PayerAccount& y) { return x.bank.code < y.bank.code; });
  return out;
}

Payer setPayerAccount(BankFileStore& store, security::SecurityStore& audit,
                      const security::User& user, Payer p) {
  using security::Role;
  p.region = text::cleanCode(p.region);
  if (p.region.empty() && user.role == Role::kBureauOfficer) p.region = user.scope;
  if (!(user.role == Role::kBureauOfficer && user.covers(p.region)) && user.role != Role::kSysadmin)
    throw Error(ErrorCode::kForbidden, msg("bank.payer.forbidden", {arg("region", p.region)}));
  if (!text::isAllDigits(p.region) ||
      (p.region.size() != 2 && p.region.size() != 4 && p.region.size() != 6))
    throw Error(ErrorCode::kInvalidInput, msg("bank.payer.region"));
  Message why;
  const auto account = BankAccountNumber::parse(text::cleanCode(p.account), why);
  if (!account)
    throw Error(ErrorCode::kInvalidInput, msg("bank.payer.account", {arg("problem", why)}));
  p.account = account->str();
  p.name = text::cleanField(p.name);
  if (p.name.empty() || text::startsLikeFormula(p.name) || text::controlCharacter(p.name))
    throw Error(ErrorCode::kInvalidInput, msg("bank.payer.name"));
  p.bank_code = text::cleanCode(p.bank_code);
  return retryUnit("bankfiles.setPayerAccount", [&] {
    auto tx = store.transaction();
    if (!store.bank(p.bank_code))
      throw Error(ErrorCode::kNotFound, msg("bank.cli.no_bank", {arg("bank", p.bank_code)}));
    const auto before = store.payer(p.region, p.bank_code);
    store.setPayer(p);
    const auto words = [](const Payer& x) {
      return msg("audit.rec.bank.payer", {arg("account", x.account), arg("name", x.name)});
    };
    security::appendAudit(audit, user.name, "bank.payer", "payer:" + p.region + "/" + p.bank_code,
                          before && before->region == p.region ? words(*before) : Message(),
                          words(p));
    tx->commit();
    return p;
  });
}

MessageArg batchStatusWords(const std::string& name, std::string_view status) {
  // One set of words for a batch's status wherever it is shown (disburse::statusArg).
  if (const auto s = disburse::parseBatchStatus(status)) return disburse::statusArg(name, *s);
  return arg(name, std::string(status));
}

}  // namespace edupay::bankfiles
