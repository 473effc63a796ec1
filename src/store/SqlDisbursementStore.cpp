#include "store/SqlDisbursementStore.h"

#include <algorithm>
#include <map>
#include <tuple>

#include "common/Error.h"
#include "common/ResidentId.h"
#include "common/Retry.h"
#include "common/Text.h"
#include "domain/Codes.h"
#include "store/SqlHelpers.h"

namespace edupay::store {
namespace {

std::string pad(int64_t v, size_t width) {
  std::string s = std::to_string(v);
  return std::string(width > s.size() ? width - s.size() : 0, '0') + s;
}

constexpr const char* kBatchColumns =
    "SELECT id, programme, term, paying_region, bank_code, part, status, payment_count, total_fen, "
    "central_fen, "
    "provincial_fen, county_fen, required_approvals, prepared_by, cycle, version, created_on FROM "
    "batches ";

disburse::Batch readBatch(Statement& s) {
  disburse::Batch b;
  readColumns(s, 0, b.id, b.programme, b.term, b.paying_region, b.bank_code, b.part);
  b.status =
      stored(disburse::parseBatchStatus(s.getText(6)), "batches", "status", b.id, s.getText(6));
  readColumns(s, 7, b.payment_count, b.total, b.central, b.provincial, b.county,
              b.required_approvals, b.prepared_by, b.cycle, b.version, b.created_on);
  return b;
}

}  // namespace

int SqlDisbursementStore::maxLines(const std::string& bank_code) {
  auto it = max_lines_.find(bank_code);
  if (it != max_lines_.end()) return it->second;
  const int n = static_cast<int>(
      queryInt(db_, "SELECT max_lines FROM banks WHERE code = ?", {bank_code}, 2000));
  max_lines_[bank_code] = n;
  return n;
}

std::vector<disburse::Threshold> SqlDisbursementStore::thresholds() {
  auto s = db_.prepare(
      "SELECT min_total_fen, approvers FROM approval_thresholds ORDER BY min_total_fen");
  std::vector<disburse::Threshold> out;
  while (s->next()) out.push_back({s->getInt(0), static_cast<int>(s->getInt(1))});
  return out;
}

int64_t SqlDisbursementStore::createBatch(const disburse::BatchPlan& plan) {
  const auto& b = plan.batch;
  // Parts continue from earlier builds of the same programme, term, county and bank.
  const int64_t part = queryInt(db_,
                                "SELECT MAX(part) FROM batches WHERE programme = ? AND term = ? "
                                "AND paying_region = ? AND bank_code = ?",
                                {b.programme, b.term, b.paying_region, b.bank_code}) +
                       1;
  // The batch number reaches the bank — file names, pain.001 MsgId and PmtInfId, every payment's
  // end-to-end reference — so it is the next number after the highest, never AUTO_INCREMENT,
  // which a Galera cluster spaces by its size and offsets by node. Two builds taking the same
  // number collide on the primary key (a certification conflict across nodes); the loser's unit
  // of work runs again and takes the next one.
  const int64_t id = queryInt(db_, "SELECT COALESCE(MAX(id), 0) + 1 FROM batches");
  try {
    execute(db_,
            "INSERT INTO batches (id, programme, term, paying_region, bank_code, part, status, "
            "payment_count, total_fen, "
            "central_fen, provincial_fen, county_fen, required_approvals, prepared_by, cycle, "
            "version, created_on, "
            "updated_on) VALUES (?, ?, ?, ?, ?, ?, 'draft', ?, ?, ?, ?, ?, ?, ?, 1, 1, ?, ?)",
            {id, b.programme, b.term, b.paying_region, b.bank_code, part, b.payment_count,
             b.total.fen(), b.central.fen(), b.provincial.fen(), b.county.fen(),
             int64_t{b.required_approvals}, b.prepared_by, b.created_on, b.created_on});
  } catch (const TransientError&) {
    throw;
  } catch (const Error& e) {
    const bool same_number = e.detail().find("PRIMARY") != std::string::npos ||
                             e.detail().find("batches.id") != std::string::npos;
    if (e.code() != ErrorCode::kConflict || !same_number) throw;
    throw TransientError(
        TransientError::Kind::kConflict, ErrorCode::kConflict, db_messages::busy(),
        "batch number " + std::to_string(id) + " taken concurrently: " + e.detail());
  }
  std::vector<SqlValue> values;
  values.reserve(plan.payments.size() * 17);
  int64_t seq = 0;
  for (const auto& p : plan.payments) {
    ++seq;
    appendRow(values, id, p.entitlement_id, int64_t{p.attempt}, seq,
              "EDU" + pad(id, 10) + pad(seq, 6) + "A" + std::to_string(p.attempt), p.amount.fen(),
              p.central.fen(), p.provincial.fen(), p.county.fen(), p.payee,
              p.account_id ? SqlValue(p.account_id) : SqlValue(nullptr), textOrNull(p.acct_enc),
              textOrNull(p.acct_mask), p.holder, p.bank_code, "pending");
  }
  insertMany(db_,
             "INSERT INTO payments (batch_id, entitlement_id, attempt, seq, end_to_end_ref, "
             "amount_fen, central_fen, "
             "provincial_fen, county_fen, payee, account_id, acct_enc, acct_mask, holder_name, "
             "bank_code, status)",
             16, values);
  std::vector<int64_t> payment_ids;
  payment_ids.reserve(plan.payments.size());
  {
    auto s = query(db_, "SELECT id FROM payments WHERE batch_id = ? ORDER BY seq", {id});
    while (s->next()) payment_ids.push_back(s->getInt(0));
  }
  // What each payment covers: the unique index on live links makes covering an entitlement
  // twice impossible, whoever the payee.
  std::vector<SqlValue> links;
  std::vector<int64_t> entitlement_ids;
  for (size_t i = 0; i < plan.payments.size(); ++i) {
    for (const auto& c : disburse::coveredBy(plan.payments[i])) {
      appendRow(links, payment_ids.at(i), c.entitlement_id, c.amount.fen(), c.central.fen(),
                c.provincial.fen(), c.county.fen());
      entitlement_ids.push_back(c.entitlement_id);
    }
  }
  insertMany(db_,
             "INSERT INTO payment_entitlements (payment_id, entitlement_id, amount_fen, "
             "central_fen, provincial_fen, county_fen)",
             6, links);
  // A re-issue closes the returned-funds entries it answers (a school's: all its students').
  for (size_t i = 0; i < plan.payments.size(); ++i) {
    const auto& p = plan.payments[i];
    if (p.attempt == 1) continue;
    for (const auto& c : disburse::coveredBy(p)) {
      execute(db_,
              "UPDATE returned_funds SET status = 'reissued', reissue_payment_id = ? WHERE status "
              "= 'ready' AND payment_id IN (SELECT payment_id FROM payment_entitlements WHERE "
              "entitlement_id = ? AND live = 0)",
              {payment_ids.at(i), c.entitlement_id});
    }
  }
  forEachBatch(entitlement_ids.size(), kMaxBatchRows, [&](size_t start, size_t n) {
    Statement& st =
        db_.cached("UPDATE entitlements SET locked = 1 WHERE id IN (" + placeholders(n) + ")");
    for (size_t i = 0; i < n; ++i) st.bind(static_cast<int>(i + 1), entitlement_ids[start + i]);
    st.execute();
  });
  return id;
}

std::optional<disburse::Batch> SqlDisbursementStore::loadBatch(int64_t id) {
  auto s = query(db_, std::string(kBatchColumns) + "WHERE id = ?", {id});
  if (!s->next()) return std::nullopt;
  disburse::Batch b = readBatch(*s);
  s.reset();
  auto a = query(
      db_,
      "SELECT cycle, user_name, action, reason, at FROM batch_actions WHERE batch_id = ? ORDER BY "
      "id",
      {id});
  while (a->next()) {
    b.actions.push_back({static_cast<int>(a->getInt(0)), a->getText(1), a->getText(2),
                         a->getText(3), a->getText(4)});
  }
  a.reset();
  // A return to draft ends its round, so it follows that round's actions.
  auto r = query(
      db_, "SELECT cycle, user_name, reason, at FROM batch_returns WHERE batch_id = ? ORDER BY id",
      {id});
  while (r->next()) {
    b.actions.push_back({static_cast<int>(r->getInt(0)), r->getText(1), "return_to_draft",
                         r->getText(2), r->getText(3)});
  }
  std::stable_sort(b.actions.begin(), b.actions.end(),
                   [](const auto& x, const auto& y) { return x.cycle < y.cycle; });
  return b;
}

std::vector<disburse::Batch> SqlDisbursementStore::listBatches(const std::string& term,
                                                               const std::string& region_prefix) {
  auto s = query(db_,
                 std::string(kBatchColumns) +
                     "WHERE (? = '' OR term = ?) AND paying_region LIKE ? ORDER BY id",
                 {term, term, region_prefix + "%"});
  std::vector<disburse::Batch> out;
  while (s->next()) out.push_back(readBatch(*s));
  return out;
}

bool SqlDisbursementStore::transition(int64_t id, int expected_version,
                                      disburse::BatchStatus status, int cycle) {
  return execute(db_,
                 "UPDATE batches SET status = ?, cycle = ?, version = version + 1, updated_on = ? "
                 "WHERE id = ? AND version = ?",
                 {std::string(disburse::code(status)), int64_t{cycle}, security::nowIso(), id,
                  int64_t{expected_version}}) == 1;
}

void SqlDisbursementStore::addAction(int64_t batch_id, const disburse::BatchAction& a) {
  try {
    execute(db_,
            "INSERT INTO batch_actions (batch_id, cycle, user_name, action, reason, at) VALUES (?, "
            "?, ?, ?, ?, ?)",
            {batch_id, int64_t{a.cycle}, a.user, a.action, textOrNull(a.reason), a.at});
  } catch (const TransientError&) {
    throw;  // a deadlock or certification failure: the unit of work runs again
  } catch (const Error& e) {
    if (e.code() != ErrorCode::kConflict) throw;
    throw Error(ErrorCode::kConflict, a.user + " has already acted on batch " +
                                          std::to_string(batch_id) +
                                          " in this round; one person acts once per batch");
  }
}

void SqlDisbursementStore::commitBudget(const disburse::Batch& b, int fiscal_year) {
  const std::pair<const char*, Money> shares[] = {
      {"central", b.central}, {"provincial", b.provincial}, {"county", b.county}};
  for (const auto& [source, amount] : shares) {
    if (amount.fen() == 0) continue;
    auto s = query(
        db_,
        "SELECT allocated_fen - committed_fen - paid_fen FROM budgets WHERE programme = ? AND "
        "region = ? AND "
        "fiscal_year = ? AND source = ?",
        {b.programme, b.paying_region, int64_t{fiscal_year}, std::string(source)});
    if (!s->next())
      throw Error(ErrorCode::kConflict, disburse::budgetMissing(b, source, fiscal_year));
    const Money left = Money::fromFen(s->getInt(0));
    s.reset();
    if (left < amount) {
      throw Error(ErrorCode::kConflict,
                  disburse::budgetShort(b, source, fiscal_year, left, amount));
    }
    execute(
        db_,
        "UPDATE budgets SET committed_fen = committed_fen + ? WHERE programme = ? AND region = ? "
        "AND "
        "fiscal_year = ? AND source = ?",
        {amount.fen(), b.programme, b.paying_region, int64_t{fiscal_year}, std::string(source)});
  }
}

void SqlDisbursementStore::releaseBudget(const disburse::Batch& b, int fiscal_year) {
  const std::pair<const char*, Money> shares[] = {
      {"central", b.central}, {"provincial", b.provincial}, {"county", b.county}};
  for (const auto& [source, amount] : shares) {
    if (amount.fen() == 0) continue;
    // Only a line that still holds the batch's share gives it back: committed never goes
    // negative, and a disagreement stops the whole transaction.
    if (execute(db_,
                "UPDATE budgets SET committed_fen = committed_fen - ? WHERE programme = ? AND "
                "region = ? AND fiscal_year = ? AND source = ? AND committed_fen >= ?",
                {amount.fen(), b.programme, b.paying_region, int64_t{fiscal_year},
                 std::string(source), amount.fen()}) != 1) {
      throw Error(ErrorCode::kConflict,
                  disburse::budgetBooksDisagree(b, source, fiscal_year, amount));
    }
  }
}

void SqlDisbursementStore::recordReturn(int64_t batch_id, const disburse::BatchAction& a) {
  execute(db_,
          "INSERT INTO batch_returns (batch_id, cycle, user_name, reason, at) VALUES (?, ?, ?, ?, "
          "?)",
          {batch_id, int64_t{a.cycle}, a.user, a.reason, a.at});
}

std::string SqlDisbursementStore::maskedStudent(int64_t person_id) {
  auto s = query(db_, "SELECT rid_mask, student_no FROM persons WHERE id = ?", {person_id});
  if (!s->next()) return "person " + std::to_string(person_id);
  if (!s->isNull(0) && !s->getText(0).empty()) return s->getText(0);
  if (!s->isNull(1)) {
    if (auto no = StudentNumber::parse(s->getText(1))) return no->masked();
    return maskMiddle(s->getText(1), 4, 4);
  }
  return "person " + std::to_string(person_id);
}

void SqlDisbursementStore::importBudget(const std::vector<disburse::BudgetLine>& lines) {
  for (const auto& l : lines) {
    const int64_t n =
        execute(db_,
                "UPDATE budgets SET allocated_fen = ? WHERE programme = ? AND region = ? AND "
                "fiscal_year = ? AND source = ?",
                {l.allocated.fen(), l.programme, l.region, int64_t{l.fiscal_year}, l.source});
    if (n == 0) {
      execute(db_,
              "INSERT INTO budgets (programme, region, fiscal_year, source, allocated_fen) VALUES "
              "(?, ?, ?, ?, ?)",
              {l.programme, l.region, int64_t{l.fiscal_year}, l.source, l.allocated.fen()});
    }
  }
}

std::vector<disburse::BudgetLine> SqlDisbursementStore::budgets(const std::string& region_prefix,
                                                                int fiscal_year) {
  auto s = query(
      db_,
      "SELECT programme, region, fiscal_year, source, allocated_fen, committed_fen, paid_fen, "
      "returned_fen FROM budgets "
      "WHERE region LIKE ? AND (? = 0 OR fiscal_year = ?) ORDER BY programme, region, fiscal_year, "
      "source",
      {region_prefix + "%", int64_t{fiscal_year}, int64_t{fiscal_year}});
  std::vector<disburse::BudgetLine> out;
  while (s->next()) {
    out.push_back({s->getText(0), s->getText(1), static_cast<int>(s->getInt(2)), s->getText(3),
                   Money::fromFen(s->getInt(4)), Money::fromFen(s->getInt(5)),
                   Money::fromFen(s->getInt(6)), Money::fromFen(s->getInt(7))});
  }
  return out;
}

std::optional<disburse::DisbursementStore::PaymentRef> SqlDisbursementStore::payment(
    int64_t payment_id) {
  auto s =
      query(db_,
            "SELECT batch_id, entitlement_id, amount_fen, central_fen, provincial_fen, county_fen, "
            "status FROM payments "
            "WHERE id = ?",
            {payment_id});
  if (!s->next()) return std::nullopt;
  return PaymentRef{s->getInt(0),
                    s->getInt(1),
                    Money::fromFen(s->getInt(2)),
                    Money::fromFen(s->getInt(3)),
                    Money::fromFen(s->getInt(4)),
                    Money::fromFen(s->getInt(5)),
                    s->getText(6)};
}

bool SqlDisbursementStore::removePayment(int64_t payment_id, const PaymentRef& p,
                                         int expected_version, int required_approvals,
                                         const std::string& user, const std::string& reason) {
  const std::string now = security::nowIso();
  if (execute(
          db_,
          "UPDATE batches SET payment_count = payment_count - 1, total_fen = total_fen - ?, "
          "central_fen = "
          "central_fen - ?, provincial_fen = provincial_fen - ?, county_fen = county_fen - ?, "
          "required_approvals = ?, "
          "version = version + 1, updated_on = ? WHERE id = ? AND version = ? AND status = 'draft'",
          {p.amount.fen(), p.central.fen(), p.provincial.fen(), p.county.fen(),
           int64_t{required_approvals}, now, p.batch_id, int64_t{expected_version}}) != 1) {
    return false;
  }
  execute(db_, "UPDATE payments SET status = 'removed' WHERE id = ? AND status = 'pending'",
          {payment_id});
  execute(db_,
          "UPDATE entitlements SET locked = 0 WHERE id IN (SELECT entitlement_id FROM "
          "payment_entitlements WHERE payment_id = ?)",
          {payment_id});
  execute(db_,
          "UPDATE batch_flags SET status = 'removed', cleared_by = ?, reason = ?, cleared_at = ? "
          "WHERE payment_id = ? AND status = 'open'",
          {user, reason, now, payment_id});
  return true;
}

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

/// A candidate from a row that starts with the entitlement's id, person, amount, central,
/// provincial and county shares and paying region, and holds the account's ciphertext, mask,
/// holder and the attempt from column `account`.
disburse::Candidate readCandidate(Statement& s, const std::string& bank, int account) {
  auto text = [&](int i) { return s.isNull(i) ? std::string() : s.getText(i); };
  disburse::Candidate c;
  readColumns(s, 0, c.entitlement_id, c.person_id, c.amount, c.central, c.provincial, c.county,
              c.paying_region);
  c.bank_code = bank;
  c.acct_enc = text(account);
  c.acct_mask = text(account + 1);
  c.holder = text(account + 2);
  c.attempt = static_cast<int>(s.getInt(account + 3));
  return c;
}

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
  Statement& s = cachedQuery(
      db_,
      std::string(
          "SELECT e.id, e.person_id, e.amount_fen, e.central_fen, e.provincial_fen, e.county_fen, "
          "e.paying_region, e.payee, e.account_id, a.acct_enc, a.acct_mask, a.holder_name, ") +
          kNextAttempt + kCandidateFrom + "AND e.payee <> 'school' AND e.paying_region = ? AND " +
          kPayingBank + " = ? AND e.id > ? ORDER BY e.id LIMIT ?",
      {term.str(), programme, region, bank, after_id, static_cast<int64_t>(limit)});
  std::vector<disburse::Candidate> out;
  out.reserve(limit);
  while (s.next()) {
    disburse::Candidate c = readCandidate(s, bank, 9);
    c.payee = s.getText(7);
    c.account_id = s.isNull(8) ? 0 : s.getInt(8);
    out.push_back(std::move(c));
  }
  s.reset();
  return out;
}

std::vector<disburse::Candidate> SqlDisbursementStore::schoolCandidates(
    const std::string& programme, const Term& term, const std::string& region,
    const std::string& bank) {
  auto s = query(
      db_,
      std::string("SELECT e.id, e.person_id, e.amount_fen, e.central_fen, e.provincial_fen, "
                  "e.county_fen, e.paying_region, sc.code, sa.acct_enc, sa.acct_mask, "
                  "sa.holder_name, ") +
          kNextAttempt + kCandidateFrom + "AND e.payee = 'school' AND sa.id IS NOT NULL AND " +
          "e.paying_region = ? AND " + kPayingBank + " = ? ORDER BY sc.code, e.id",
      {term.str(), programme, region, bank});
  std::vector<disburse::Candidate> out;
  while (s->next()) {
    disburse::Candidate c = readCandidate(*s, bank, 8);
    c.payee = "school";
    c.school_code = s->getText(7);
    out.push_back(std::move(c));
  }
  return out;
}

std::vector<disburse::SchoolWithoutAccount> SqlDisbursementStore::schoolsWithoutAccount(
    const std::string& programme, const Term& term, const std::string& region_prefix) {
  auto s = query(db_,
                 std::string("SELECT sc.code, sc.name, e.paying_region, COUNT(*), "
                             "SUM(e.amount_fen) ") +
                     kCandidateFrom +
                     "AND e.payee = 'school' AND sa.id IS NULL AND e.paying_region LIKE ? "
                     "GROUP BY sc.code, sc.name, e.paying_region ORDER BY sc.code",
                 {term.str(), programme, region_prefix + "%"});
  std::vector<disburse::SchoolWithoutAccount> out;
  while (s->next()) {
    out.push_back({s->isNull(0) ? "" : s->getText(0), s->isNull(1) ? "" : s->getText(1),
                   s->getText(2), s->getInt(3), Money::fromFen(s->getInt(4))});
  }
  return out;
}

}  // namespace edupay::store
