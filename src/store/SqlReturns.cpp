// The result part of SqlDisbursementStore: result imports (result_imports), settlement of the
// bank's answers, budgets moved by them, and the returned-funds ledger (退回资金台账).
#include <unordered_map>

#include "common/Error.h"
#include "common/Retry.h"
#include "store/SqlDisbursementStore.h"
#include "store/SqlHelpers.h"

namespace edupay::store {
namespace {

/// Pending payments the bank returned leave the live set, so their entitlements can be re-issued.
void markReturned(Database& db, const std::vector<int64_t>& ids) {
  forEachBatch(ids.size(), kMaxBatchRows, [&](size_t start, size_t n) {
    Statement& st =
        db.cached("UPDATE payments SET status = 'returned' WHERE status = 'pending' AND id IN (" +
                  placeholders(n) + ")");
    for (size_t i = 0; i < n; ++i) st.bind(static_cast<int>(i + 1), ids[start + i]);
    if (st.execute() != static_cast<int64_t>(n))
      throw Error(ErrorCode::kConflict, msg("store.return_not_pending"));
  });
}

/// Records the bank's answers: in payment_results with their outcome (one per payment, never
/// changed), or, when `late` (paid money the bank sent back later), in payment_returns. A returned
/// payment leaves the live set, so its entitlement can be re-issued.
void recordAnswers(Database& db, bool late,
                   const std::vector<bankfiles::BankFileStore::Settlement>& answers,
                   int64_t import_id, const std::string& date) {
  std::vector<SqlValue> values;
  values.reserve(answers.size() * 7);
  std::vector<int64_t> returned;
  for (const auto& a : answers) {
    const bool paid = !late && a.outcome == bankfiles::Outcome::kPaid;
    appendRow(values, a.payment_id, import_id);
    if (!late) values.emplace_back(std::string(paid ? "paid" : "returned"));
    appendRow(values, textOrNull(a.reason_code), textOrNull(a.reason_text),
              textOrNull(a.bank_txn_id), date);
    if (!paid) returned.push_back(a.payment_id);
  }
  if (late) {
    insertMany(db,
               "INSERT INTO payment_returns (payment_id, import_id, reason_code, reason_text, "
               "bank_txn_id, returned_on)",
               6, values);
  } else {
    insertMany(db,
               "INSERT INTO payment_results (payment_id, import_id, outcome, reason_code, "
               "reason_text, bank_txn_id, settled_on)",
               7, values);
  }
  markReturned(db, returned);
}

}  // namespace

std::optional<int64_t> SqlDisbursementStore::resultImportByDigest(const std::string& sha256) {
  auto s = query(db_, "SELECT id FROM result_imports WHERE sha256 = ?", {sha256});
  if (!s->next()) return std::nullopt;
  return s->getInt(0);
}

bool SqlDisbursementStore::resultImportFinished(int64_t import_id) {
  return queryInt(db_, "SELECT finished FROM result_imports WHERE id = ?", {import_id}, 1) != 0;
}

int64_t SqlDisbursementStore::beginResultImport(const std::string& sha256, const std::string& file,
                                                const std::string& user, const std::string& at) {
  try {
    execute(db_,
            "INSERT INTO result_imports (sha256, file_name, imported_by, imported_at, finished) "
            "VALUES (?, ?, ?, ?, 0)",
            {sha256, file, user, at});
  } catch (const TransientError&) {
    throw;  // a deadlock or certification failure: the unit of work runs again
  } catch (const Error& e) {
    if (e.code() != ErrorCode::kConflict) throw;
    // Another upload of the same file won the race: say when it landed, not what the driver said.
    auto s = query(db_, "SELECT id, imported_at FROM result_imports WHERE sha256 = ?", {sha256});
    std::string when = "the same moment";
    if (s->next()) when = s->getText(1) + " (import " + std::to_string(s->getInt(0)) + ")";
    throw Error(ErrorCode::kConflict, msg("store.result_raced", {arg("when", when)}), e.detail());
  }
  return db_.lastInsertId();
}

void SqlDisbursementStore::finishResultImport(int64_t id, int64_t lines, int64_t paid,
                                              int64_t returned, int64_t pending) {
  execute(
      db_,
      "UPDATE result_imports SET line_count = ?, paid = ?, returned = ?, pending = ?, finished = 1 "
      "WHERE id = ?",
      {lines, paid, returned, pending, id});
}

std::vector<std::optional<bankfiles::SentPayment>> SqlDisbursementStore::paymentsByReference(
    const std::vector<std::string>& refs) {
  std::unordered_map<std::string, bankfiles::SentPayment> found;
  found.reserve(refs.size());
  selectIn(
      db_,
      "SELECT p.end_to_end_ref, p.id, p.batch_id, p.status, b.status, b.bank_code, "
      "b.paying_region, p.amount_fen, r.outcome, r.import_id, p.seq, lr.import_id, r.reason_code, "
      "r.reason_text, lr.reason_code, lr.reason_text FROM payments "
      "p JOIN batches b ON b.id = p.batch_id LEFT JOIN payment_results r ON r.payment_id = p.id "
      "LEFT JOIN payment_returns lr ON lr.payment_id = p.id WHERE p.end_to_end_ref",
      "", refs, [&](Statement& s) {
        auto text = [&](int i) { return s.isNull(i) ? std::string() : s.getText(i); };
        auto id = [&](int i) { return s.isNull(i) ? 0 : s.getInt(i); };
        bankfiles::SentPayment p{s.getInt(1),
                                 s.getInt(2),
                                 s.getInt(10),
                                 text(3),
                                 text(4),
                                 text(5),
                                 text(6),
                                 text(8),
                                 id(9),
                                 id(11),
                                 {text(12), text(13)},
                                 {text(14), text(15)},
                                 Money::fromFen(s.getInt(7))};
        found[s.getText(0)] = std::move(p);
      });
  std::vector<std::optional<bankfiles::SentPayment>> out;
  out.reserve(refs.size());
  for (const auto& r : refs) {
    auto it = found.find(r);
    out.push_back(it == found.end() ? std::nullopt : std::optional(it->second));
  }
  return out;
}

void SqlDisbursementStore::settle(const std::vector<Settlement>& answers, int64_t import_id,
                                  const std::string& date) {
  recordAnswers(db_, false, answers, import_id, date);
}

void SqlDisbursementStore::returnLate(const std::vector<Settlement>& answers, int64_t import_id,
                                      const std::string& date) {
  recordAnswers(db_, true, answers, import_id, date);
}

void SqlDisbursementStore::returnBudget(const std::string& programme, const std::string& region,
                                        int fiscal_year, const std::string& source,
                                        Money returned) {
  const int64_t n =
      execute(db_,
              "UPDATE budgets SET paid_fen = paid_fen - ?, returned_fen = returned_fen + ? WHERE "
              "programme = ? AND region = ? AND fiscal_year = ? AND source = ? AND paid_fen >= ?",
              {returned.fen(), returned.fen(), programme, region, int64_t{fiscal_year}, source,
               returned.fen()});
  if (n != 1) {
    throw Error(ErrorCode::kConflict,
                msg("store.budget_paid_short",
                    {arg("source", source), arg("programme", programme), arg("region", region),
                     arg("year", std::to_string(fiscal_year))}));
  }
}

std::vector<bankfiles::SettledShare> SqlDisbursementStore::settledBy(int64_t import_id) {
  auto s = query(
      db_,
      "SELECT p.batch_id, b.programme, b.paying_region, b.term, r.outcome, COUNT(*), "
      "SUM(p.amount_fen), SUM(p.central_fen), SUM(p.provincial_fen), SUM(p.county_fen) FROM "
      "payment_results r JOIN payments p ON p.id = r.payment_id JOIN batches b ON b.id = "
      "p.batch_id WHERE r.import_id = ? GROUP BY p.batch_id, b.programme, b.paying_region, "
      "b.term, r.outcome UNION ALL SELECT p.batch_id, b.programme, b.paying_region, b.term, "
      "'returned_late', COUNT(*), SUM(p.amount_fen), SUM(p.central_fen), SUM(p.provincial_fen), "
      "SUM(p.county_fen) FROM payment_returns lr JOIN payments p ON p.id = lr.payment_id JOIN "
      "batches b ON b.id = p.batch_id WHERE lr.import_id = ? GROUP BY p.batch_id, b.programme, "
      "b.paying_region, b.term ORDER BY 1, 5",
      {import_id, import_id});
  std::vector<bankfiles::SettledShare> out;
  while (s->next()) {
    auto fen = [&](int i) { return Money::fromFen(s->getInt(i)); };
    out.push_back({s->getInt(0), s->getText(1), s->getText(2), s->getText(3), s->getText(4),
                   s->getInt(5), fen(6), fen(7), fen(8), fen(9)});
  }
  return out;
}

void SqlDisbursementStore::settleBudget(const std::string& programme, const std::string& region,
                                        int fiscal_year, const std::string& source, Money paid,
                                        Money returned) {
  const int64_t moved = (paid + returned).fen();
  const int64_t n = execute(
      db_,
      "UPDATE budgets SET committed_fen = committed_fen - ?, paid_fen = paid_fen + ?, "
      "returned_fen = returned_fen + ? WHERE programme = ? AND region = ? AND fiscal_year = ? "
      "AND source = ? AND committed_fen >= ?",
      {moved, paid.fen(), returned.fen(), programme, region, int64_t{fiscal_year}, source, moved});
  if (n != 1) {
    throw Error(ErrorCode::kConflict,
                msg("store.budget_committed_short",
                    {arg("source", source), arg("programme", programme), arg("region", region),
                     arg("year", std::to_string(fiscal_year))}));
  }
}

std::string SqlDisbursementStore::settleBatch(int64_t batch_id) {
  auto s = query(
      db_,
      "SELECT SUM(CASE WHEN p.status = 'pending' AND r.payment_id IS NULL THEN 1 ELSE 0 END), "
      "SUM(CASE WHEN r.outcome = 'returned' OR lr.payment_id IS NOT NULL THEN 1 ELSE 0 END), "
      "SUM(CASE WHEN lr.payment_id IS NOT NULL THEN 1 ELSE 0 END) FROM payments p LEFT JOIN "
      "payment_results r ON r.payment_id = p.id LEFT JOIN payment_returns lr ON lr.payment_id = "
      "p.id WHERE p.batch_id = ?",
      {batch_id});
  s->next();
  const int64_t at_bank = s->isNull(0) ? 0 : s->getInt(0);
  const int64_t returned = s->isNull(1) ? 0 : s->getInt(1);
  const int64_t returned_late = s->isNull(2) ? 0 : s->getInt(2);
  s.reset();
  if (at_bank == 0) {
    const std::string status = returned ? "partially_settled" : "settled";
    execute(db_,
            "UPDATE batches SET status = ?, version = version + 1 WHERE id = ? AND status = "
            "'exported'",
            {status, batch_id});
  }
  if (returned_late) {
    // Paid money came back: the batch waits for its re-issue again, even if it was closed.
    execute(db_,
            "UPDATE batches SET status = 'partially_settled', version = version + 1 WHERE id = ? "
            "AND status IN ('settled', 'closed')",
            {batch_id});
  }
  auto b = query(db_, "SELECT status FROM batches WHERE id = ?", {batch_id});
  b->next();
  return b->getText(0);
}

int64_t SqlDisbursementStore::recordReturned(int64_t import_id, const std::string& date) {
  return execute(db_,
                 "INSERT INTO returned_funds (payment_id, entitlement_id, amount_fen, reason_code, "
                 "reason_text, returned_on, status) SELECT p.id, p.entitlement_id, p.amount_fen, "
                 "r.reason_code, r.reason_text, ?, 'awaiting_account' FROM payment_results r JOIN "
                 "payments p ON p.id = r.payment_id WHERE r.import_id = ? AND r.outcome = "
                 "'returned' UNION ALL SELECT p.id, p.entitlement_id, p.amount_fen, "
                 "lr.reason_code, lr.reason_text, ?, 'awaiting_account' FROM payment_returns lr "
                 "JOIN payments p ON p.id = lr.payment_id WHERE lr.import_id = ?",
                 {date, import_id, date, import_id});
}

int64_t SqlDisbursementStore::releaseReturned(int64_t person_id, int64_t new_account_id) {
  std::vector<int64_t> entitlements;
  auto s =
      query(db_,
            "SELECT DISTINCT r.entitlement_id FROM returned_funds r JOIN entitlements e ON e.id = "
            "r.entitlement_id WHERE e.person_id = ? AND r.status = 'awaiting_account'",
            {person_id});
  while (s->next()) entitlements.push_back(s->getInt(0));
  s.reset();
  for (int64_t id : entitlements) {
    execute(db_,
            "UPDATE returned_funds SET status = 'ready' WHERE entitlement_id = ? AND status = "
            "'awaiting_account'",
            {id});
    execute(db_, "UPDATE entitlements SET account_id = ? WHERE id = ? AND payee <> 'school'",
            {new_account_id, id});
  }
  return static_cast<int64_t>(entitlements.size());
}

int64_t SqlDisbursementStore::openReturns(int64_t batch_id) {
  return queryInt(db_,
                  "SELECT COUNT(*) FROM returned_funds r JOIN payments p ON p.id = r.payment_id "
                  "WHERE p.batch_id = ? AND r.status IN ('awaiting_account', 'ready')",
                  {batch_id});
}

std::vector<bankfiles::BankFileStore::Returned> SqlDisbursementStore::returnedFunds(
    const std::string& region_prefix) {
  auto s = query(
      db_,
      "SELECT p.end_to_end_ref, sc.code, sc.name, p.holder_name, p.acct_mask, r.reason_code, "
      "r.reason_text, r.returned_on, r.status, b.programme, b.term, b.paying_region, r.amount_fen, "
      "p.payee, (SELECT COUNT(*) FROM payment_entitlements pe WHERE pe.payment_id = p.id), "
      "p.bank_code FROM returned_funds r JOIN payments p ON p.id = r.payment_id JOIN batches b ON "
      "b.id = "
      "p.batch_id JOIN entitlements e ON e.id = r.entitlement_id LEFT JOIN schools sc ON sc.id = "
      "e.school_id WHERE b.paying_region LIKE ? ORDER BY r.returned_on, r.payment_id",
      {region_prefix + "%"});
  std::vector<Returned> out;
  while (s->next()) {
    auto text = [&](int i) { return s->isNull(i) ? std::string() : s->getText(i); };
    out.push_back({text(0), text(1), text(2), text(3), text(4), text(5), text(6), text(7), text(8),
                   text(9), text(10), text(11), text(15), text(13), s->getInt(14),
                   Money::fromFen(s->getInt(12))});
  }
  return out;
}

}  // namespace edupay::store
