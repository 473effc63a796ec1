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

/// batch_flags.evidence holds at most this many characters.
constexpr size_t kMaxEvidence = 500;

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
  b.id = s.getInt(0);
  b.programme = s.getText(1);
  b.term = s.getText(2);
  b.paying_region = s.getText(3);
  b.bank_code = s.getText(4);
  b.part = static_cast<int>(s.getInt(5));
  b.status =
      stored(disburse::parseBatchStatus(s.getText(6)), "batches", "status", b.id, s.getText(6));
  b.payment_count = s.getInt(7);
  b.total = Money::fromFen(s.getInt(8));
  b.central = Money::fromFen(s.getInt(9));
  b.provincial = Money::fromFen(s.getInt(10));
  b.county = Money::fromFen(s.getInt(11));
  b.required_approvals = static_cast<int>(s.getInt(12));
  b.prepared_by = s.getText(13);
  b.cycle = static_cast<int>(s.getInt(14));
  b.version = static_cast<int>(s.getInt(15));
  b.created_on = s.getText(16);
  return b;
}

}  // namespace

std::unique_ptr<StoreTransaction> SqlDisbursementStore::transaction() {
  return std::make_unique<SqlStoreTransaction>(db_);
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
        TransientError::Kind::kConflict, ErrorCode::kConflict, db_messages::kBusy,
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
    auto s = db_.prepare("SELECT id FROM payments WHERE batch_id = ? ORDER BY seq");
    s->bind(1, id);
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
  auto s = db_.prepare(std::string(kBatchColumns) + "WHERE id = ?");
  s->bind(1, id);
  if (!s->next()) return std::nullopt;
  disburse::Batch b = readBatch(*s);
  s.reset();
  auto a = db_.prepare(
      "SELECT cycle, user_name, action, reason, at FROM batch_actions WHERE batch_id = ? ORDER BY "
      "id");
  a->bind(1, id);
  while (a->next()) {
    b.actions.push_back({static_cast<int>(a->getInt(0)), a->getText(1), a->getText(2),
                         a->getText(3), a->getText(4)});
  }
  a.reset();
  // A return to draft ends its round, so it follows that round's actions.
  auto r = db_.prepare(
      "SELECT cycle, user_name, reason, at FROM batch_returns WHERE batch_id = ? ORDER BY id");
  r->bind(1, id);
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
  auto s = db_.prepare(std::string(kBatchColumns) +
                       "WHERE (? = '' OR term = ?) AND paying_region LIKE ? ORDER BY id");
  s->bind(1, term);
  s->bind(2, term);
  s->bind(3, region_prefix + "%");
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
    auto s = db_.prepare(
        "SELECT allocated_fen - committed_fen - paid_fen FROM budgets WHERE programme = ? AND "
        "region = ? AND "
        "fiscal_year = ? AND source = ?");
    s->bind(1, b.programme);
    s->bind(2, b.paying_region);
    s->bind(3, int64_t{fiscal_year});
    s->bind(4, std::string(source));
    const std::string line = std::string(source) + " funds of " + b.programme + " in " +
                             b.paying_region + " for " + std::to_string(fiscal_year);
    if (!s->next())
      throw Error(ErrorCode::kConflict,
                  "no budget is allocated for the " + line + "; import one first");
    const Money left = Money::fromFen(s->getInt(0));
    s.reset();
    if (left < amount) {
      throw Error(ErrorCode::kConflict, "the budget for the " + line + " is short by " +
                                            (amount - left).toYuanGrouped() + " yuan (" +
                                            left.toYuanGrouped() + " left, " +
                                            amount.toYuanGrouped() + " needed)");
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
                  "the budget for the " + std::string(source) + " funds of " + b.programme +
                      " in " + b.paying_region + " for " + std::to_string(fiscal_year) +
                      " holds less committed money than batch " + std::to_string(b.id) + "'s " +
                      amount.toYuanGrouped() + " yuan; the books disagree, report it");
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
  auto s = db_.prepare("SELECT rid_mask, student_no FROM persons WHERE id = ?");
  s->bind(1, person_id);
  if (!s->next()) return "person " + std::to_string(person_id);
  if (!s->isNull(0) && !s->getText(0).empty()) return s->getText(0);
  if (!s->isNull(1)) {
    if (auto no = StudentNumber::parse(s->getText(1))) return no->masked();
    return maskMiddle(s->getText(1), 4, 4);
  }
  return "person " + std::to_string(person_id);
}

void SqlDisbursementStore::addFlag(int64_t batch_id, int64_t seq,
                                   const disburse::Finding& finding) {
  execute(db_,
          "INSERT INTO batch_flags (batch_id, payment_id, kind, evidence) SELECT batch_id, id, ?, "
          "? FROM payments WHERE batch_id = ? AND seq = ?",
          {finding.kind, text::cutUtf8(finding.evidence, kMaxEvidence), batch_id, seq});
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
  auto s = db_.prepare(
      "SELECT programme, region, fiscal_year, source, allocated_fen, committed_fen, paid_fen, "
      "returned_fen FROM budgets "
      "WHERE region LIKE ? AND (? = 0 OR fiscal_year = ?) ORDER BY programme, region, fiscal_year, "
      "source");
  s->bind(1, region_prefix + "%");
  s->bind(2, int64_t{fiscal_year});
  s->bind(3, int64_t{fiscal_year});
  std::vector<disburse::BudgetLine> out;
  while (s->next()) {
    out.push_back({s->getText(0), s->getText(1), static_cast<int>(s->getInt(2)), s->getText(3),
                   Money::fromFen(s->getInt(4)), Money::fromFen(s->getInt(5)),
                   Money::fromFen(s->getInt(6)), Money::fromFen(s->getInt(7))});
  }
  return out;
}

int64_t SqlDisbursementStore::flagBatch(const disburse::Batch& b, int shared_account_limit) {
  std::vector<SqlValue> flags;
  auto add = [&](int64_t payment_id, const char* kind, const std::string& evidence) {
    appendRow(flags, b.id, payment_id, kind, text::cutUtf8(evidence, kMaxEvidence));
  };
  const SqlValue batch = b.id;
  const Term term = Term::parse(b.term);
  // Enrolled at two schools during the term (a transfer mid-term, or two rolls claiming the
  // student).
  {
    auto s = db_.prepare(
        "SELECT p.id, COUNT(DISTINCT en.school_id) FROM payments p JOIN entitlements e ON e.id = "
        "p.entitlement_id "
        "JOIN enrollments en ON en.person_id = e.person_id AND en.enroll_date <= ? AND "
        "(en.end_date IS NULL OR en.end_date >= ?) WHERE p.batch_id = ? AND p.payee <> 'school' "
        "GROUP BY p.id HAVING "
        "COUNT(DISTINCT "
        "en.school_id) > 1");
    s->bind(1, term.lastDay().str());
    s->bind(2, term.firstDay().str());
    s->bind(3, batch);
    while (s->next()) {
      add(s->getInt(0), "multi_enrollment",
          "enrolled at " + std::to_string(s->getInt(1)) + " schools during " + b.term);
    }
  }
  // The same student already has a live payment of this programme and term in another batch (the
  // database forbids it per entitlement; this catches it across entitlements).
  {
    auto s = db_.prepare(
        "SELECT p.id, o.batch_id FROM payments p JOIN entitlements e ON e.id = p.entitlement_id "
        "JOIN entitlements e2 ON e2.person_id = e.person_id AND e2.programme = e.programme AND "
        "e2.term = e.term "
        "AND e2.id <> e.id JOIN payments o ON o.entitlement_id = e2.id AND o.status IN ('pending', "
        "'sent', 'paid') "
        "WHERE p.batch_id = ? AND p.payee <> 'school'");
    s->bind(1, batch);
    while (s->next())
      add(s->getInt(0), "paid_elsewhere", "also in batch " + std::to_string(s->getInt(1)));
  }
  // One account receiving for many unrelated households.
  {
    auto s = db_.prepare(
        "SELECT p.id, p.acct_mask, (SELECT COUNT(DISTINCT COALESCE(hm.household_id, "
        "-a2.student_id)) "
        "  FROM bank_accounts a2 LEFT JOIN household_members hm ON hm.person_id = a2.student_id "
        "AND "
        "  hm.relation = 'student' WHERE a2.acct_hash = a.acct_hash AND a2.valid_to IS NULL) "
        "FROM payments p JOIN bank_accounts a ON a.id = p.account_id WHERE p.batch_id = ?");
    s->bind(1, batch);
    while (s->next()) {
      const int64_t households = s->getInt(2);
      if (households > shared_account_limit) {
        add(s->getInt(0), "shared_account",
            "account " + s->getText(1) + " receives for students of " + std::to_string(households) +
                " households (limit " + std::to_string(shared_account_limit) + ")");
      }
    }
  }
  // The account holder is neither the student nor a registered guardian.
  {
    auto s = db_.prepare(
        "SELECT p.id, p.holder_name FROM payments p JOIN entitlements e ON e.id = p.entitlement_id "
        "JOIN persons st ON st.id = e.person_id WHERE p.batch_id = ? AND p.payee <> 'school' AND "
        "p.holder_name <> st.name AND NOT EXISTS (SELECT 1 FROM guardians g JOIN persons gp ON "
        "gp.id = g.guardian_id "
        "WHERE g.student_id = st.id AND gp.name = p.holder_name)");
    s->bind(1, batch);
    while (s->next()) {
      add(s->getInt(0), "holder_mismatch",
          "account holder " + s->getText(1) + " is neither the student nor a registered guardian");
    }
  }
  // Possibly the same child on two records (same name and birth date, and the same household,
  // guardian or bank account), both entitled to this programme and term: one child paid twice.
  {
    auto s = db_.prepare(
        "SELECT p.id, COALESCE(o.rid_mask, o.student_no), CASE WHEN EXISTS (SELECT 1 FROM "
        "household_members h1 JOIN household_members h2 ON h2.household_id = h1.household_id "
        "WHERE h1.person_id = st.id AND h2.person_id = o.id) THEN 'household (户编号)' WHEN "
        "EXISTS (SELECT 1 FROM guardians g1 JOIN guardians g2 ON g2.guardian_id = g1.guardian_id "
        "WHERE g1.student_id = st.id AND g2.student_id = o.id) THEN 'guardian (监护人)' WHEN "
        "EXISTS (SELECT 1 FROM bank_accounts a1 JOIN bank_accounts a2 ON a2.acct_hash = "
        "a1.acct_hash WHERE a1.student_id = st.id AND a2.student_id = o.id) THEN 'bank account "
        "(银行账号)' END AS evidence FROM payments p JOIN entitlements e ON e.id = "
        "p.entitlement_id JOIN persons st ON st.id = e.person_id JOIN persons o ON o.name = "
        "st.name AND o.birth_date = st.birth_date AND o.id <> st.id AND o.merged_into IS NULL "
        "JOIN entitlements e2 ON e2.person_id = o.id AND e2.programme = e.programme AND e2.term "
        "= e.term AND e2.status <> 'excluded' WHERE p.batch_id = ? AND p.payee <> 'school' ORDER "
        "BY "
        "p.id");
    s->bind(1, batch);
    int64_t last = 0;
    while (s->next()) {
      if (s->isNull(2) || s->getInt(0) == last) continue;
      last = s->getInt(0);
      add(last, "possible_duplicate",
          "may be the same child as record " + s->getText(1) + " (same name, birth date and " +
              s->getText(2) + "), also entitled to " + b.programme + " " + b.term +
              "; if so, merge the records (edupay student merge) before paying "
              "(疑似同一学生的两条记录，请核实后合并)");
    }
  }
  // An age implausible for the stage on the reference date.
  {
    auto s = db_.prepare(
        "SELECT p.id, st.birth_date, en.stage, st.id, en.id FROM payments p JOIN entitlements e "
        "ON e.id = "
        "p.entitlement_id "
        "JOIN persons st ON st.id = e.person_id JOIN enrollments en ON en.person_id = st.id AND "
        "en.end_date IS NULL "
        "WHERE p.batch_id = ? AND p.payee <> 'school'");
    s->bind(1, batch);
    const Date reference = term.referenceDate();
    while (s->next()) {
      if (s->isNull(1)) continue;  // a birth date the record does not carry
      const auto birth = std::optional<Date>(
          stored(Date::parse(s->getText(1)), "persons", "birth_date", s->getInt(3), s->getText(1)));
      const auto stage = std::optional<domain::Stage>(stored(
          domain::parseStage(s->getText(2)), "enrollments", "stage", s->getInt(4), s->getText(2)));
      const int age = reference.yearsSince(*birth);
      const auto range = domain::plausibleAge(*stage);
      if (age < range.min || age > range.max) {
        add(s->getInt(0), "implausible_age",
            "age " + std::to_string(age) + " is implausible for " + s->getText(2));
      }
    }
  }
  // A difficulty level the roll declares where the school has no identification (资助对象认定)
  // for the year: the money rests on a level no class panel, approver or notice stands behind.
  {
    auto s = db_.prepare(
        "SELECT p.id FROM payments p JOIN entitlements e ON e.id = p.entitlement_id WHERE "
        "p.batch_id = ? AND p.payee <> 'school' AND e.reason LIKE ? ORDER BY p.id");
    s->bind(1, batch);
    s->bind(2, std::string("%declared by the school, not identified%"));
    while (s->next()) {
      add(s->getInt(0), "level_not_identified",
          "the difficulty level comes from the roll's column, not from the school's "
          "identification for the academic year; identify the student (edupay identify) or "
          "clear the flag with a reason (困难等级仅为学籍表填报，未经资助对象认定)");
    }
  }
  flagSchoolPayments(b, add);
  insertMany(db_, "INSERT INTO batch_flags (batch_id, payment_id, kind, evidence)", 4, flags);
  return static_cast<int64_t>(flags.size() / 4);
}

void SqlDisbursementStore::flagSchoolPayments(
    const disburse::Batch& b,
    const std::function<void(int64_t, const char*, const std::string&)>& add) {
  const Term term = Term::parse(b.term);
  const std::string ref = term.referenceDate().str();
  // Active on the reference date: enrolled by then, not ended, and any other status dated later.
  const std::string active_on_ref =
      "en.enroll_date <= ? AND (en.end_date IS NULL OR en.end_date > ?) AND (en.status = "
      "'active' OR (en.status_date IS NOT NULL AND en.status_date > ?))";
  struct SchoolPayment {
    int64_t payment_id = 0, school_id = 0;
    std::string code, name;
  };
  std::vector<SchoolPayment> payments;
  {
    auto s = db_.prepare(
        "SELECT p.id, sc.id, sc.code, sc.name FROM payments p JOIN entitlements e ON e.id = "
        "p.entitlement_id JOIN schools sc ON sc.id = e.school_id WHERE p.batch_id = ? AND "
        "p.payee = 'school' ORDER BY p.seq");
    s->bind(1, b.id);
    while (s->next())
      payments.push_back({s->getInt(0), s->getInt(1), s->getText(2), s->getText(3)});
  }
  for (const auto& sp : payments) {
    const std::string school = sp.code + "（" + sp.name + "）";
    // Students on the school's list who are not active at the school on the reference date.
    {
      auto s = db_.prepare(
          "SELECT COALESCE(st.rid_mask, st.student_no) FROM payment_entitlements pe JOIN "
          "entitlements e ON e.id = pe.entitlement_id JOIN persons st ON st.id = e.person_id "
          "WHERE pe.payment_id = ? AND NOT EXISTS (SELECT 1 FROM enrollments en WHERE "
          "en.person_id = e.person_id AND en.school_id = ? AND " +
          active_on_ref + ") ORDER BY e.id");
      s->bind(1, sp.payment_id);
      s->bind(2, sp.school_id);
      s->bind(3, ref);
      s->bind(4, ref);
      s->bind(5, ref);
      std::vector<std::string> who;
      while (s->next()) who.push_back(s->isNull(0) ? "?" : s->getText(0));
      if (!who.empty()) {
        std::string list;
        for (size_t i = 0; i < who.size() && i < 5; ++i) list += (i ? ", " : "") + who[i];
        if (who.size() > 5) list += ", ...";
        add(sp.payment_id, "school_student_inactive",
            "学校 " + school + " 的名单中有 " + std::to_string(who.size()) + " 名学生在 " + ref +
                " 不在该校在籍在读：" + list + "。请核对学籍，移除本笔或待学籍更正后重新计算。 / " +
                std::to_string(who.size()) + " student(s) on the list of school " + sp.code +
                " are not active at it on " + ref + " (" + list +
                "): check the roll, remove this payment or recompute after the roll is corrected");
      }
    }
    // More waived students than the school's roll has in the stage.
    {
      const int64_t waived = queryInt(
          db_,
          "SELECT COUNT(DISTINCT e.person_id) FROM payment_entitlements pe JOIN payments p ON "
          "p.id = pe.payment_id JOIN entitlements e ON e.id = pe.entitlement_id WHERE pe.live = "
          "1 AND p.payee = 'school' AND e.school_id = ? AND e.programme = ? AND e.term = ?",
          {sp.school_id, b.programme, b.term});
      const int64_t roll = queryInt(
          db_,
          "SELECT COUNT(DISTINCT en.person_id) FROM enrollments en WHERE en.school_id = ? AND "
          "en.stage IN (SELECT en2.stage FROM payment_entitlements pe JOIN entitlements e ON "
          "e.id = pe.entitlement_id JOIN enrollments en2 ON en2.person_id = e.person_id AND "
          "en2.school_id = e.school_id WHERE pe.payment_id = ?) AND en.enroll_date <= ? AND "
          "(en.end_date IS NULL OR en.end_date > ?) AND (en.status = 'active' OR "
          "(en.status_date IS NOT NULL AND en.status_date > ?))",
          {sp.school_id, sp.payment_id, ref, ref, ref});
      if (waived > roll) {
        add(sp.payment_id, "school_over_roll",
            "学校 " + school + " 申报 " + std::to_string(waived) + " 名学生享受 " + b.programme +
                "，而该学段在籍在读仅 " + std::to_string(roll) + " 人（" + ref +
                "）。请核对名单与学籍。 / School " + sp.code + " claims " + std::to_string(waived) +
                " waived students, its roll has " + std::to_string(roll) + " in the stage on " +
                ref + ": check the list against the roll");
      }
    }
    // The school's account is also recorded as a person's account.
    {
      auto s = db_.prepare(
          "SELECT sa.acct_mask, COUNT(DISTINCT a.student_id) FROM school_accounts sa JOIN "
          "bank_accounts a ON a.acct_hash = sa.acct_hash AND a.valid_to IS NULL WHERE "
          "sa.school_id = ? AND sa.valid_to IS NULL GROUP BY sa.acct_mask");
      s->bind(1, sp.school_id);
      if (s->next()) {
        const std::string mask = s->getText(0);
        const std::string n = std::to_string(s->getInt(1));
        add(sp.payment_id, "school_account_shared",
            "学校 " + school + " 的账户 " + mask + " 同时登记为 " + n +
                " 名学生（或其监护人）的收款账户：学校资金不得进入个人账户。请核实后更正学校账户"
                "（edupay school account set）或学生账户。 / The account " +
                mask + " of school " + sp.code + " is also the payee account of " + n +
                " student(s) or guardian(s): a school's money never goes to a person's account; "
                "correct the school's account (edupay school account set) or the student's");
      }
    }
  }
}

std::vector<disburse::Flag> SqlDisbursementStore::flags(int64_t batch_id) {
  auto s = db_.prepare(
      "SELECT id, batch_id, payment_id, kind, evidence, status, cleared_by, reason FROM "
      "batch_flags WHERE batch_id = ? "
      "ORDER BY id");
  s->bind(1, batch_id);
  std::vector<disburse::Flag> out;
  while (s->next()) {
    out.push_back({s->getInt(0), s->getInt(1), s->isNull(2) ? 0 : s->getInt(2), s->getText(3),
                   s->getText(4), s->getText(5), s->getText(6), s->getText(7)});
  }
  return out;
}

std::optional<disburse::Flag> SqlDisbursementStore::flag(int64_t flag_id) {
  auto s = db_.prepare(
      "SELECT id, batch_id, payment_id, kind, evidence, status, cleared_by, reason FROM "
      "batch_flags WHERE id = ?");
  s->bind(1, flag_id);
  if (!s->next()) return std::nullopt;
  return disburse::Flag{s->getInt(0),  s->getInt(1),  s->isNull(2) ? 0 : s->getInt(2),
                        s->getText(3), s->getText(4), s->getText(5),
                        s->getText(6), s->getText(7)};
}

void SqlDisbursementStore::clearFlag(int64_t flag_id, const std::string& user,
                                     const std::string& reason) {
  if (execute(
          db_,
          "UPDATE batch_flags SET status = 'cleared', cleared_by = ?, reason = ?, cleared_at = ? "
          "WHERE id = ? AND status = 'open'",
          {user, reason, security::nowIso(), flag_id}) != 1) {
    throw Error(ErrorCode::kConflict, "flag " + std::to_string(flag_id) + " is not open");
  }
}

std::optional<std::tuple<int64_t, std::string, std::string>> SqlDisbursementStore::school(
    const std::string& code) {
  auto s = db_.prepare("SELECT id, name, region_code FROM schools WHERE code = ?");
  s->bind(1, code);
  if (!s->next()) return std::nullopt;
  return std::make_tuple(s->getInt(0), s->getText(1), s->getText(2));
}

std::vector<disburse::NoticeEntry> SqlDisbursementStore::noticeEntries(const std::string& programme,
                                                                       const Term& term,
                                                                       int64_t school_id) {
  auto s = db_.prepare(
      "SELECT p.name, sc.name, en.stage, en.grade, en.major, en.class_name, e.programme, "
      "e.amount_fen, en.id "
      "FROM entitlements e JOIN persons p ON p.id = e.person_id "
      "JOIN enrollments en ON en.person_id = e.person_id AND en.end_date IS NULL "
      "JOIN schools sc ON sc.id = en.school_id "
      "WHERE e.term = ? AND e.programme = ? AND e.status = 'eligible' AND en.school_id = ? "
      "ORDER BY en.grade, en.class_name, p.name, e.id");
  s->bind(1, term.str());
  s->bind(2, programme);
  s->bind(3, school_id);
  std::vector<disburse::NoticeEntry> out;
  while (s->next()) {
    out.push_back(
        {s->getText(0), s->getText(1),
         std::string(domain::chineseLabel(stored(domain::parseStage(s->getText(2)), "enrollments",
                                                 "stage", s->getInt(8), s->getText(2)))),
         std::to_string(s->getInt(3)), s->getText(4), s->getText(5), s->getText(6),
         Money::fromFen(s->getInt(7))});
  }
  return out;
}

int64_t SqlDisbursementStore::saveNotice(const disburse::NoticeInfo& info, int64_t school_id,
                                         const std::string& sha256) {
  execute(db_,
          "INSERT INTO notices (term, programme, school_id, published_by, published_on, "
          "window_ends, entries, "
          "total_fen, sha256) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
          {info.term, info.programme, school_id, info.published_by, info.published_on,
           info.window_ends, info.entries, info.total.fen(), sha256});
  return db_.lastInsertId();
}

std::vector<std::pair<std::string, std::string>> SqlDisbursementStore::noticeWindows(
    int64_t batch_id) {
  auto s = db_.prepare(
      "SELECT sc.code, (SELECT MAX(n.window_ends) FROM notices n WHERE n.school_id = sc.id AND "
      "n.term = b.term "
      "  AND n.programme = b.programme) "
      "FROM batches b JOIN payments p ON p.batch_id = b.id JOIN entitlements e ON e.id = "
      "p.entitlement_id "
      "JOIN schools sc ON sc.id = e.school_id WHERE b.id = ? AND p.status <> 'removed' "
      "GROUP BY sc.id, sc.code, b.term, b.programme ORDER BY sc.code");
  s->bind(1, batch_id);
  std::vector<std::pair<std::string, std::string>> out;
  while (s->next()) out.emplace_back(s->getText(0), s->isNull(1) ? "" : s->getText(1));
  return out;
}

int64_t SqlDisbursementStore::openObjections(int64_t batch_id) {
  return queryInt(
      db_,
      "SELECT COUNT(*) FROM objections o JOIN payment_entitlements pe ON pe.entitlement_id = "
      "o.entitlement_id JOIN payments p ON p.id = pe.payment_id WHERE p.batch_id = ? AND "
      "p.status <> 'removed' AND o.status = 'open'",
      {batch_id});
}

std::optional<std::pair<int64_t, std::string>> SqlDisbursementStore::entitlementFor(
    const std::string& rid_hash, const std::string& programme, const Term& term) {
  auto s = db_.prepare(
      "SELECT e.id, e.paying_region FROM entitlements e JOIN persons p ON p.id = e.person_id "
      "WHERE p.rid_hash = ? AND e.programme = ? AND e.term = ?");
  s->bind(1, rid_hash);
  s->bind(2, programme);
  s->bind(3, term.str());
  if (!s->next()) return std::nullopt;
  return std::make_pair(s->getInt(0), s->getText(1));
}

int64_t SqlDisbursementStore::addObjection(int64_t entitlement_id, const std::string& user,
                                           const std::string& text) {
  execute(
      db_,
      "INSERT INTO objections (entitlement_id, raised_on, recorded_by, text) VALUES (?, ?, ?, ?)",
      {entitlement_id, Date::today().str(), user, text});
  return db_.lastInsertId();
}

void SqlDisbursementStore::resolveObjection(int64_t id, const std::string& user,
                                            const std::string& decision,
                                            const std::string& resolution) {
  if (execute(db_,
              "UPDATE objections SET status = ?, resolved_by = ?, resolution = ?, resolved_on = ? "
              "WHERE id = ? AND status = 'open'",
              {decision, user, resolution, Date::today().str(), id}) != 1) {
    throw Error(ErrorCode::kConflict, "objection " + std::to_string(id) + " is not open");
  }
}

std::optional<std::string> SqlDisbursementStore::objectionRegion(int64_t id) {
  auto s = db_.prepare(
      "SELECT e.paying_region FROM objections o JOIN entitlements e ON e.id = o.entitlement_id "
      "WHERE o.id = ?");
  s->bind(1, id);
  if (!s->next()) return std::nullopt;
  return s->getText(0);
}

std::optional<disburse::DisbursementStore::PaymentRef> SqlDisbursementStore::payment(
    int64_t payment_id) {
  auto s = db_.prepare(
      "SELECT batch_id, entitlement_id, amount_fen, central_fen, provincial_fen, county_fen, "
      "status FROM payments "
      "WHERE id = ?");
  s->bind(1, payment_id);
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

}  // namespace edupay::store
