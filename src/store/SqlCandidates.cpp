// The candidate part of SqlDisbursementStore: which eligible entitlements a batch build may
// pay, grouped by paying county and bank, paged for payments to persons, whole for schools.
#include <map>

#include "store/SqlDisbursementStore.h"
#include "store/SqlHelpers.h"

namespace edupay::store {

namespace {

/// The paying bank of an entitlement: the bank of the school's account for fee waivers (none
/// while the school has no account), else the bank of the student's account.
constexpr const char* kPayingBank =
    "SUBSTR(CASE WHEN e.payee = 'school' THEN sa.bank_code ELSE a.bank_code END, 1, 3)";

/// Eligible entitlements covered by no live payment, under no objection, held by no confirmed
/// complaint and not waiting for a corrected account.
constexpr const char* kCandidateFrom =
    "FROM entitlements e LEFT JOIN bank_accounts a ON a.id = e.account_id LEFT JOIN schools sc ON "
    "sc.id = e.school_id LEFT JOIN school_accounts sa ON sa.school_id = e.school_id AND "
    "sa.valid_to IS NULL "
    "WHERE e.term = ? AND e.programme = ? AND e.status = 'eligible' "
    "AND NOT EXISTS (SELECT 1 FROM payment_entitlements pe WHERE pe.entitlement_id = e.id AND "
    "pe.live = 1) "
    "AND NOT EXISTS (SELECT 1 FROM objections o WHERE o.entitlement_id = e.id AND o.status IN "
    "('open', 'upheld')) "
    "AND NOT EXISTS (SELECT 1 FROM complaint_links h WHERE h.entitlement_id = e.id AND h.kind = "
    "'hold' AND h.status = 'open') "
    "AND NOT EXISTS (SELECT 1 FROM payment_entitlements pr JOIN returned_funds r ON r.payment_id "
    "= pr.payment_id WHERE pr.entitlement_id = e.id AND r.status = 'awaiting_account') ";

/// One more than the highest attempt of any payment that covered the entitlement.
constexpr const char* kNextAttempt =
    "(SELECT COALESCE(MAX(p.attempt), 0) FROM payment_entitlements pa JOIN payments p ON p.id = "
    "pa.payment_id WHERE pa.entitlement_id = e.id) + 1 ";

}  // namespace

std::vector<std::pair<std::string, std::string>> SqlDisbursementStore::candidateGroups(
    const std::string& programme, const Term& term, const std::string& region_prefix,
    int64_t& unbankable) {
  std::map<std::string, bool> known_banks;
  {
    auto s = db_.prepare("SELECT code FROM banks");
    while (s->next()) known_banks[s->getText(0)] = true;
  }
  auto s =
      db_.prepare(std::string("SELECT e.paying_region, ") + kPayingBank +
                  ", COUNT(*), CASE WHEN e.payee = 'school' THEN 1 ELSE 0 END " + kCandidateFrom +
                  "AND e.paying_region LIKE ? GROUP BY e.paying_region, " + kPayingBank +
                  ", CASE WHEN e.payee = 'school' THEN 1 ELSE 0 END ORDER BY e.paying_region, 2");
  s->bind(1, term.str());
  s->bind(2, programme);
  s->bind(3, region_prefix + "%");
  std::vector<std::pair<std::string, std::string>> out;
  unbankable = 0;
  while (s->next()) {
    const std::string bank = s->isNull(1) ? "" : s->getText(1);
    if (bank.size() != 3 || !known_banks.count(bank)) {
      // A school without an account is named by schoolsWithoutAccount, not counted here.
      if (s->getInt(3) == 0 || !s->isNull(1)) unbankable += s->getInt(2);
      continue;
    }
    std::pair<std::string, std::string> group(s->getText(0), bank);
    if (out.empty() || out.back() != group) out.push_back(std::move(group));
  }
  return out;
}

std::vector<disburse::Candidate> SqlDisbursementStore::candidates(const std::string& programme,
                                                                  const Term& term,
                                                                  const std::string& region,
                                                                  const std::string& bank,
                                                                  int64_t after_id, size_t limit) {
  Statement& s = db_.cached(
      std::string(
          "SELECT e.id, e.person_id, e.amount_fen, e.central_fen, e.provincial_fen, e.county_fen, "
          "e.paying_region, e.payee, e.account_id, a.acct_enc, a.acct_mask, a.holder_name, ") +
      kNextAttempt + kCandidateFrom + "AND e.payee <> 'school' AND e.paying_region = ? AND " +
      kPayingBank + " = ? AND e.id > ? ORDER BY e.id LIMIT ?");
  s.bind(1, term.str());
  s.bind(2, programme);
  s.bind(3, region);
  s.bind(4, bank);
  s.bind(5, after_id);
  s.bind(6, static_cast<int64_t>(limit));
  std::vector<disburse::Candidate> out;
  out.reserve(limit);
  while (s.next()) {
    disburse::Candidate c;
    c.entitlement_id = s.getInt(0);
    c.person_id = s.getInt(1);
    c.amount = Money::fromFen(s.getInt(2));
    c.central = Money::fromFen(s.getInt(3));
    c.provincial = Money::fromFen(s.getInt(4));
    c.county = Money::fromFen(s.getInt(5));
    c.paying_region = s.getText(6);
    c.payee = s.getText(7);
    c.account_id = s.isNull(8) ? 0 : s.getInt(8);
    c.bank_code = bank;
    c.acct_enc = s.isNull(9) ? "" : s.getText(9);
    c.acct_mask = s.isNull(10) ? "" : s.getText(10);
    c.holder = s.isNull(11) ? "" : s.getText(11);
    c.attempt = static_cast<int>(s.getInt(12));
    out.push_back(std::move(c));
  }
  s.reset();
  return out;
}

std::vector<disburse::Candidate> SqlDisbursementStore::schoolCandidates(
    const std::string& programme, const Term& term, const std::string& region,
    const std::string& bank) {
  auto s = db_.prepare(
      std::string("SELECT e.id, e.person_id, e.amount_fen, e.central_fen, e.provincial_fen, "
                  "e.county_fen, e.paying_region, sc.code, sa.acct_enc, sa.acct_mask, "
                  "sa.holder_name, ") +
      kNextAttempt + kCandidateFrom + "AND e.payee = 'school' AND sa.id IS NOT NULL AND " +
      "e.paying_region = ? AND " + kPayingBank + " = ? ORDER BY sc.code, e.id");
  s->bind(1, term.str());
  s->bind(2, programme);
  s->bind(3, region);
  s->bind(4, bank);
  std::vector<disburse::Candidate> out;
  while (s->next()) {
    disburse::Candidate c;
    c.entitlement_id = s->getInt(0);
    c.person_id = s->getInt(1);
    c.amount = Money::fromFen(s->getInt(2));
    c.central = Money::fromFen(s->getInt(3));
    c.provincial = Money::fromFen(s->getInt(4));
    c.county = Money::fromFen(s->getInt(5));
    c.paying_region = s->getText(6);
    c.payee = "school";
    c.school_code = s->getText(7);
    c.bank_code = bank;
    c.acct_enc = s->getText(8);
    c.acct_mask = s->getText(9);
    c.holder = s->getText(10);
    c.attempt = static_cast<int>(s->getInt(11));
    out.push_back(std::move(c));
  }
  return out;
}

std::vector<disburse::SchoolWithoutAccount> SqlDisbursementStore::schoolsWithoutAccount(
    const std::string& programme, const Term& term, const std::string& region_prefix) {
  auto s = db_.prepare(std::string("SELECT sc.code, sc.name, e.paying_region, COUNT(*), "
                                   "SUM(e.amount_fen) ") +
                       kCandidateFrom +
                       "AND e.payee = 'school' AND sa.id IS NULL AND e.paying_region LIKE ? "
                       "GROUP BY sc.code, sc.name, e.paying_region ORDER BY sc.code");
  s->bind(1, term.str());
  s->bind(2, programme);
  s->bind(3, region_prefix + "%");
  std::vector<disburse::SchoolWithoutAccount> out;
  while (s->next()) {
    out.push_back({s->isNull(0) ? "" : s->getText(0), s->isNull(1) ? "" : s->getText(1),
                   s->getText(2), s->getInt(3), Money::fromFen(s->getInt(4))});
  }
  return out;
}

}  // namespace edupay::store
