// The bank-file part of SqlDisbursementStore: bank layouts and payer accounts, exports, result
// imports, settlement, the returned-funds ledger and reconciliation.
#include <map>
#include <unordered_map>

#include "common/Error.h"
#include "common/Retry.h"
#include "domain/Codes.h"
#include "store/SqlDisbursementStore.h"
#include "store/SqlHelpers.h"

namespace edupay::store {

using bankfiles::BankConfig;
using bankfiles::Payer;

std::vector<BankConfig> SqlDisbursementStore::banks() {
  auto s = db_.prepare("SELECT code, name, layout, max_lines FROM banks ORDER BY code");
  std::vector<BankConfig> out;
  while (s->next())
    out.push_back({s->getText(0), s->getText(1), s->getText(2), static_cast<int>(s->getInt(3))});
  return out;
}

std::optional<BankConfig> SqlDisbursementStore::bank(const std::string& code) {
  for (auto& b : banks())
    if (b.code == code) return b;
  return std::nullopt;
}

void SqlDisbursementStore::setBank(const std::string& code, const std::string& layout,
                                   int max_lines) {
  if (!bank(code)) throw Error(ErrorCode::kNotFound, "no bank " + code);
  if (!layout.empty()) execute(db_, "UPDATE banks SET layout = ? WHERE code = ?", {layout, code});
  if (max_lines > 0) {
    execute(db_, "UPDATE banks SET max_lines = ? WHERE code = ?", {int64_t{max_lines}, code});
    max_lines_.erase(code);
  }
}

std::optional<Payer> SqlDisbursementStore::payer(const std::string& region,
                                                 const std::string& bank) {
  auto s = db_.prepare(
      "SELECT region, bank_code, account, name FROM payer_accounts WHERE bank_code = ? ORDER BY "
      "LENGTH(region) DESC");
  s->bind(1, bank);
  while (s->next()) {
    const std::string r = s->getText(0);
    if (region.rfind(r, 0) == 0) return Payer{r, s->getText(1), s->getText(2), s->getText(3)};
  }
  return std::nullopt;
}

void SqlDisbursementStore::setPayer(const Payer& p) {
  if (!bank(p.bank_code)) throw Error(ErrorCode::kNotFound, "no bank " + p.bank_code);
  execute(db_, "DELETE FROM payer_accounts WHERE region = ? AND bank_code = ?",
          {p.region, p.bank_code});
  execute(db_, "INSERT INTO payer_accounts (region, bank_code, account, name) VALUES (?, ?, ?, ?)",
          {p.region, p.bank_code, p.account, p.name});
}

std::vector<bankfiles::PartTotals> SqlDisbursementStore::partTotals(int64_t batch_id,
                                                                    int max_lines) {
  // Integer division: `/` in SQLite, DIV in MySQL (where `/` gives a decimal).
  const std::string div = db_.dialect() == Dialect::kSQLite ? " / " : " DIV ";
  auto s = db_.prepare("SELECT (seq - 1)" + div +
                       "? AS part, COUNT(*), SUM(amount_fen), MIN(seq), MAX(seq) FROM payments "
                       "WHERE batch_id = ? AND status <> 'removed' GROUP BY (seq - 1)" +
                       div + "? ORDER BY 1");
  s->bind(1, int64_t{max_lines});
  s->bind(2, batch_id);
  s->bind(3, int64_t{max_lines});
  std::vector<bankfiles::PartTotals> out;
  int part = 0;
  while (s->next()) {
    bankfiles::PartTotals p;
    p.part = ++part;
    p.count = s->getInt(1);
    p.total = Money::fromFen(s->getInt(2));
    p.first_seq = s->getInt(3);
    p.last_seq = s->getInt(4);
    out.push_back(p);
  }
  return out;
}

std::vector<bankfiles::ExportRow> SqlDisbursementStore::exportRows(int64_t batch_id,
                                                                   int64_t first_seq,
                                                                   int64_t last_seq, size_t limit) {
  Statement& s = db_.cached(
      "SELECT id, seq, end_to_end_ref, payee, acct_enc, holder_name, amount_fen FROM payments "
      "WHERE batch_id = ? AND seq >= ? AND seq <= ? AND status <> 'removed' ORDER BY seq LIMIT ?");
  s.bind(1, batch_id);
  s.bind(2, first_seq);
  s.bind(3, last_seq);
  s.bind(4, static_cast<int64_t>(limit));
  std::vector<bankfiles::ExportRow> out;
  out.reserve(limit);
  while (s.next()) {
    bankfiles::ExportRow r;
    r.id = s.getInt(0);
    r.seq = s.getInt(1);
    r.reference = s.getText(2);
    r.payee = s.getText(3);
    r.acct_enc = s.isNull(4) ? "" : s.getText(4);
    r.holder = s.getText(5);
    r.amount = Money::fromFen(s.getInt(6));
    out.push_back(std::move(r));
  }
  s.reset();
  return out;
}

std::string SqlDisbursementStore::exportedOn(int64_t batch_id) {
  auto s = db_.prepare("SELECT exported_on FROM batches WHERE id = ?");
  s->bind(1, batch_id);
  if (!s->next() || s->isNull(0)) return {};
  return s->getText(0);
}

std::optional<bankfiles::ExportPlan> SqlDisbursementStore::exportPlan(int64_t batch_id) {
  auto s = db_.prepare(
      "SELECT batch_version, created_on, layout, max_lines, payer_account, payer_name, purpose, "
      "planned_by, planned_at FROM export_plans WHERE batch_id = ?");
  s->bind(1, batch_id);
  if (!s->next()) return std::nullopt;
  bankfiles::ExportPlan p;
  p.batch_id = batch_id;
  p.batch_version = static_cast<int>(s->getInt(0));
  p.created_on = s->getText(1);
  p.layout = s->getText(2);
  p.max_lines = static_cast<int>(s->getInt(3));
  p.payer_account = s->getText(4);
  p.payer_name = s->getText(5);
  p.purpose = s->getText(6);
  p.planned_by = s->getText(7);
  p.planned_at = s->getText(8);
  return p;
}

void SqlDisbursementStore::saveExportPlan(const bankfiles::ExportPlan& p) {
  execute(db_, "DELETE FROM export_plans WHERE batch_id = ?", {p.batch_id});
  execute(db_,
          "INSERT INTO export_plans (batch_id, batch_version, created_on, layout, max_lines, "
          "payer_account, payer_name, purpose, planned_by, planned_at) VALUES (?, ?, ?, ?, ?, ?, "
          "?, ?, ?, ?)",
          {p.batch_id, int64_t{p.batch_version}, p.created_on, p.layout, int64_t{p.max_lines},
           p.payer_account, p.payer_name, p.purpose, p.planned_by, p.planned_at});
}

bool SqlDisbursementStore::markExported(int64_t batch_id, int expected_version,
                                        const std::string& date,
                                        const std::vector<bankfiles::ExportedFile>& files) {
  const int64_t n = execute(db_,
                            "UPDATE batches SET status = 'exported', exported_on = ?, version = "
                            "version + 1, updated_on = ? WHERE id = ? AND version = ? AND status "
                            "= 'approved'",
                            {date, date, batch_id, int64_t{expected_version}});
  if (n != 1) return false;
  for (const auto& f : files) {
    execute(db_,
            "INSERT INTO payment_files (batch_id, part, file_name, layout, sha256, count, "
            "total_fen, key_id, payer_account, payer_name, created_on) VALUES (?, ?, ?, ?, ?, ?, "
            "?, ?, ?, ?, ?)",
            {batch_id, int64_t{f.part}, f.file_name, f.layout, f.sha256, f.count, f.total.fen(),
             f.key_id, f.payer_account, f.payer_name, date});
  }
  return true;
}

std::vector<bankfiles::ExportedFile> SqlDisbursementStore::exportedFiles(int64_t batch_id) {
  auto s = db_.prepare(
      "SELECT part, file_name, layout, sha256, key_id, count, total_fen, payer_account, payer_name "
      "FROM payment_files WHERE batch_id = ? ORDER BY part");
  s->bind(1, batch_id);
  std::vector<bankfiles::ExportedFile> out;
  while (s->next()) {
    bankfiles::ExportedFile f;
    f.part = static_cast<int>(s->getInt(0));
    f.file_name = s->getText(1);
    f.layout = s->getText(2);
    f.sha256 = s->getText(3);
    f.key_id = s->getText(4);
    f.count = s->getInt(5);
    f.total = Money::fromFen(s->getInt(6));
    f.payer_account = s->getText(7);
    f.payer_name = s->getText(8);
    out.push_back(std::move(f));
  }
  return out;
}

std::optional<int64_t> SqlDisbursementStore::resultImportByDigest(const std::string& sha256) {
  auto s = db_.prepare("SELECT id FROM result_imports WHERE sha256 = ?");
  s->bind(1, sha256);
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
    auto s = db_.prepare("SELECT id, imported_at FROM result_imports WHERE sha256 = ?");
    s->bind(1, sha256);
    std::string when = "the same moment";
    if (s->next()) when = s->getText(1) + " (import " + std::to_string(s->getInt(0)) + ")";
    throw Error(ErrorCode::kConflict,
                "this result file was already imported at " + when +
                    ", by an upload that arrived at the same time; nothing was applied twice",
                e.detail());
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
        bankfiles::SentPayment p;
        p.id = s.getInt(1);
        p.batch_id = s.getInt(2);
        p.status = s.getText(3);
        p.batch_status = s.getText(4);
        p.bank_code = s.getText(5);
        p.paying_region = s.getText(6);
        p.amount = Money::fromFen(s.getInt(7));
        p.outcome = s.isNull(8) ? "" : s.getText(8);
        p.result_import_id = s.isNull(9) ? 0 : s.getInt(9);
        p.seq = s.getInt(10);
        p.late_import_id = s.isNull(11) ? 0 : s.getInt(11);
        p.reason = {s.isNull(12) ? "" : s.getText(12), s.isNull(13) ? "" : s.getText(13)};
        p.late_reason = {s.isNull(14) ? "" : s.getText(14), s.isNull(15) ? "" : s.getText(15)};
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
  std::vector<SqlValue> values;
  values.reserve(answers.size() * 7);
  std::vector<int64_t> returned;
  for (const auto& a : answers) {
    const bool paid = a.outcome == bankfiles::Outcome::kPaid;
    appendRow(values, a.payment_id, import_id, std::string(paid ? "paid" : "returned"),
              textOrNull(a.reason_code), textOrNull(a.reason_text), textOrNull(a.bank_txn_id),
              date);
    if (!paid) returned.push_back(a.payment_id);
  }
  insertMany(db_,
             "INSERT INTO payment_results (payment_id, import_id, outcome, reason_code, "
             "reason_text, bank_txn_id, settled_on)",
             7, values);
  // A returned payment leaves the live set, so its entitlement can be re-issued.
  forEachBatch(returned.size(), kMaxBatchRows, [&](size_t start, size_t n) {
    Statement& st =
        db_.cached("UPDATE payments SET status = 'returned' WHERE status = 'pending' AND id IN (" +
                   placeholders(n) + ")");
    for (size_t i = 0; i < n; ++i) st.bind(static_cast<int>(i + 1), returned[start + i]);
    if (st.execute() != static_cast<int64_t>(n))
      throw Error(ErrorCode::kConflict, "a returned payment was no longer pending; try again");
  });
}

void SqlDisbursementStore::returnLate(const std::vector<Settlement>& answers, int64_t import_id,
                                      const std::string& date) {
  std::vector<SqlValue> values;
  values.reserve(answers.size() * 6);
  std::vector<int64_t> ids;
  for (const auto& a : answers) {
    appendRow(values, a.payment_id, import_id, textOrNull(a.reason_code), textOrNull(a.reason_text),
              textOrNull(a.bank_txn_id), date);
    ids.push_back(a.payment_id);
  }
  insertMany(db_,
             "INSERT INTO payment_returns (payment_id, import_id, reason_code, reason_text, "
             "bank_txn_id, returned_on)",
             6, values);
  forEachBatch(ids.size(), kMaxBatchRows, [&](size_t start, size_t n) {
    Statement& st =
        db_.cached("UPDATE payments SET status = 'returned' WHERE status = 'pending' AND id IN (" +
                   placeholders(n) + ")");
    for (size_t i = 0; i < n; ++i) st.bind(static_cast<int>(i + 1), ids[start + i]);
    if (st.execute() != static_cast<int64_t>(n))
      throw Error(ErrorCode::kConflict, "a returned payment was no longer pending; try again");
  });
}

std::optional<bankfiles::SentFile> SqlDisbursementStore::sentFile(int64_t batch_id, int part) {
  auto s = db_.prepare(
      "SELECT f.count, f.total_fen, (SELECT COALESCE(SUM(e.count), 0) FROM payment_files e WHERE "
      "e.batch_id = f.batch_id AND e.part < f.part), b.bank_code, b.paying_region FROM "
      "payment_files f JOIN batches b ON b.id = f.batch_id WHERE f.batch_id = ? AND f.part = ?");
  s->bind(1, batch_id);
  s->bind(2, int64_t{part});
  if (!s->next()) return std::nullopt;
  bankfiles::SentFile f;
  f.batch_id = batch_id;
  f.part = part;
  f.count = s->getInt(0);
  f.total = Money::fromFen(s->getInt(1));
  const int64_t before = s->getInt(2);
  f.bank_code = s->getText(3);
  f.paying_region = s->getText(4);
  s.reset();
  if (f.count <= 0) return std::nullopt;
  // Files are consecutive runs of the batch's payments in seq order (removed ones left out), so
  // file `part` starts after the payments of the files before it.
  auto seqAt = [&](int64_t offset) -> std::optional<int64_t> {
    auto q = db_.prepare(
        "SELECT seq FROM payments WHERE batch_id = ? AND status <> 'removed' ORDER BY seq LIMIT 1 "
        "OFFSET ?");
    q->bind(1, batch_id);
    q->bind(2, offset);
    if (!q->next()) return std::nullopt;
    return q->getInt(0);
  };
  const auto first = seqAt(before), last = seqAt(before + f.count - 1);
  if (!first || !last) return std::nullopt;
  f.first_seq = *first;
  f.last_seq = *last;
  return f;
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
    throw Error(ErrorCode::kConflict, "the " + source + " budget of " + programme + " in " +
                                          region + " for " + std::to_string(fiscal_year) +
                                          " has less paid than this result returns");
  }
}

std::vector<bankfiles::SettledShare> SqlDisbursementStore::settledBy(int64_t import_id) {
  auto s = db_.prepare(
      "SELECT p.batch_id, b.programme, b.paying_region, b.term, r.outcome, COUNT(*), "
      "SUM(p.amount_fen), SUM(p.central_fen), SUM(p.provincial_fen), SUM(p.county_fen) FROM "
      "payment_results r JOIN payments p ON p.id = r.payment_id JOIN batches b ON b.id = "
      "p.batch_id WHERE r.import_id = ? GROUP BY p.batch_id, b.programme, b.paying_region, "
      "b.term, r.outcome UNION ALL SELECT p.batch_id, b.programme, b.paying_region, b.term, "
      "'returned_late', COUNT(*), SUM(p.amount_fen), SUM(p.central_fen), SUM(p.provincial_fen), "
      "SUM(p.county_fen) FROM payment_returns lr JOIN payments p ON p.id = lr.payment_id JOIN "
      "batches b ON b.id = p.batch_id WHERE lr.import_id = ? GROUP BY p.batch_id, b.programme, "
      "b.paying_region, b.term ORDER BY 1, 5");
  s->bind(1, import_id);
  s->bind(2, import_id);
  std::vector<bankfiles::SettledShare> out;
  while (s->next()) {
    bankfiles::SettledShare x;
    x.batch_id = s->getInt(0);
    x.programme = s->getText(1);
    x.region = s->getText(2);
    x.term = s->getText(3);
    x.status = s->getText(4);
    x.count = s->getInt(5);
    x.total = Money::fromFen(s->getInt(6));
    x.central = Money::fromFen(s->getInt(7));
    x.provincial = Money::fromFen(s->getInt(8));
    x.county = Money::fromFen(s->getInt(9));
    out.push_back(std::move(x));
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
    throw Error(ErrorCode::kConflict, "the " + source + " budget of " + programme + " in " +
                                          region + " for " + std::to_string(fiscal_year) +
                                          " has less committed than this result settles");
  }
}

std::string SqlDisbursementStore::settleBatch(int64_t batch_id) {
  auto s = db_.prepare(
      "SELECT SUM(CASE WHEN p.status = 'pending' AND r.payment_id IS NULL THEN 1 ELSE 0 END), "
      "SUM(CASE WHEN r.outcome = 'returned' OR lr.payment_id IS NOT NULL THEN 1 ELSE 0 END), "
      "SUM(CASE WHEN lr.payment_id IS NOT NULL THEN 1 ELSE 0 END) FROM payments p LEFT JOIN "
      "payment_results r ON r.payment_id = p.id LEFT JOIN payment_returns lr ON lr.payment_id = "
      "p.id WHERE p.batch_id = ?");
  s->bind(1, batch_id);
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
  auto b = db_.prepare("SELECT status FROM batches WHERE id = ?");
  b->bind(1, batch_id);
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
  auto s = db_.prepare(
      "SELECT DISTINCT r.entitlement_id FROM returned_funds r JOIN entitlements e ON e.id = "
      "r.entitlement_id WHERE e.person_id = ? AND r.status = 'awaiting_account'");
  s->bind(1, person_id);
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

std::vector<bankfiles::ReconcileRow> SqlDisbursementStore::reconcile(
    const Term& term, const std::string& region_prefix) {
  std::map<std::pair<std::string, std::string>, bankfiles::ReconcileRow> rows;
  auto row = [&](const std::string& programme,
                 const std::string& region) -> bankfiles::ReconcileRow& {
    auto& r = rows[{programme, region}];
    r.programme = programme;
    r.region = region;
    return r;
  };
  {
    // Entitled, and entitled without a live payment (not batched, or waiting for a re-issue).
    auto s = db_.prepare(
        "SELECT e.programme, e.paying_region, COUNT(*), SUM(e.amount_fen), SUM(CASE WHEN NOT "
        "EXISTS (SELECT 1 FROM payment_entitlements pe WHERE pe.entitlement_id = e.id AND pe.live "
        "= 1) THEN 1 ELSE 0 END), SUM(CASE WHEN NOT EXISTS (SELECT 1 FROM payment_entitlements pe "
        "WHERE pe.entitlement_id = e.id AND pe.live = 1) THEN e.amount_fen ELSE 0 END) FROM "
        "entitlements e WHERE e.term = ? AND e.status = "
        "'eligible' AND e.paying_region LIKE ? GROUP BY e.programme, e.paying_region");
    s->bind(1, term.str());
    s->bind(2, region_prefix + "%");
    while (s->next()) {
      auto& r = row(s->getText(0), s->getText(1));
      r.entitled_n = s->getInt(2);
      r.entitled = Money::fromFen(s->getInt(3));
      r.unbatched_n = s->getInt(4);
      r.unbatched = Money::fromFen(s->getInt(5));
    }
  }
  {
    auto s = db_.prepare(
        // A payment returned after it was paid counts as returned (its money came back). Counted
        // per entitlement covered: a payment to a school counts its students and their amounts.
        "SELECT b.programme, b.paying_region, p.status, b.status, CASE WHEN lr.payment_id IS NOT "
        "NULL THEN 'returned' ELSE r.outcome END, CASE WHEN p.attempt > 1 THEN 1 ELSE 0 END, "
        "COUNT(*), SUM(pe.amount_fen) FROM payments p JOIN payment_entitlements pe ON "
        "pe.payment_id = p.id JOIN batches b ON b.id = p.batch_id LEFT JOIN "
        "payment_results r ON r.payment_id = p.id LEFT JOIN payment_returns lr ON lr.payment_id = "
        "p.id WHERE b.term = ? AND b.paying_region LIKE ? AND p.status <> 'removed' GROUP BY "
        "b.programme, b.paying_region, p.status, b.status, CASE WHEN lr.payment_id IS NOT NULL "
        "THEN 'returned' ELSE r.outcome END, CASE WHEN p.attempt > 1 THEN 1 ELSE 0 END");
    s->bind(1, term.str());
    s->bind(2, region_prefix + "%");
    while (s->next()) {
      auto& r = row(s->getText(0), s->getText(1));
      const std::string ps = s->getText(2), bs = s->getText(3);
      const std::string outcome = s->isNull(4) ? "" : s->getText(4);
      const bool reissue = s->getInt(5) == 1;
      const int64_t n = s->getInt(6);
      const Money m = Money::fromFen(s->getInt(7));
      const bool exported =
          bs != "draft" && bs != "submitted" && bs != "rejected" && bs != "approved";
      if (outcome == "paid") {
        r.paid_n += n;
        r.paid += m;
      } else if (outcome == "returned" || ps == "returned" || ps == "failed") {
        r.returned_n += n;
        r.returned += m;
      } else if (exported) {
        r.in_bank_n += n;
        r.in_bank += m;
      } else if (bs == "approved") {
        r.approved_n += n;
        r.approved += m;
      } else {
        r.in_approval_n += n;
        r.in_approval += m;
      }
      if (reissue && outcome != "returned" && ps != "returned" && ps != "failed") {
        r.reissued_n += n;
        r.reissued += m;
      }
    }
  }
  {
    auto s = db_.prepare(
        "SELECT b.programme, b.paying_region, COUNT(*), SUM(pe.amount_fen) FROM returned_funds r "
        "JOIN payments p ON p.id = r.payment_id JOIN payment_entitlements pe ON pe.payment_id = "
        "p.id JOIN batches b ON b.id = p.batch_id WHERE b.term "
        "= ? AND b.paying_region LIKE ? AND r.status = 'awaiting_account' GROUP BY b.programme, "
        "b.paying_region");
    s->bind(1, term.str());
    s->bind(2, region_prefix + "%");
    while (s->next()) {
      auto& r = row(s->getText(0), s->getText(1));
      r.awaiting_account_n = s->getInt(2);
      r.awaiting_account = Money::fromFen(s->getInt(3));
    }
  }
  std::vector<bankfiles::ReconcileRow> out;
  for (auto& [k, v] : rows) out.push_back(std::move(v));
  return out;
}

int64_t SqlDisbursementStore::openReturns(int64_t batch_id) {
  return queryInt(db_,
                  "SELECT COUNT(*) FROM returned_funds r JOIN payments p ON p.id = r.payment_id "
                  "WHERE p.batch_id = ? AND r.status IN ('awaiting_account', 'ready')",
                  {batch_id});
}

std::optional<int64_t> SqlDisbursementStore::personOfPayment(const std::string& reference) {
  auto s = db_.prepare(
      "SELECT e.person_id FROM payments p JOIN entitlements e ON e.id = p.entitlement_id WHERE "
      "p.end_to_end_ref = ?");
  s->bind(1, reference);
  if (!s->next()) return std::nullopt;
  return s->getInt(0);
}

std::optional<std::string> SqlDisbursementStore::schoolOfPayment(const std::string& reference) {
  auto s = db_.prepare(
      "SELECT sc.code FROM payments p JOIN entitlements e ON e.id = p.entitlement_id JOIN schools "
      "sc ON sc.id = e.school_id WHERE p.end_to_end_ref = ? AND p.payee = 'school'");
  s->bind(1, reference);
  if (!s->next()) return std::nullopt;
  return s->getText(0);
}

std::vector<bankfiles::AnnexRow> SqlDisbursementStore::annexRows(int64_t batch_id,
                                                                 int64_t first_seq,
                                                                 int64_t last_seq) {
  auto s = db_.prepare(
      "SELECT p.seq, p.end_to_end_ref, sc.code, sc.name, st.name, COALESCE(st.rid_mask, "
      "st.student_no), en.stage, en.grade, en.class_name, pe.amount_fen FROM payments p JOIN "
      "payment_entitlements pe ON pe.payment_id = p.id JOIN entitlements e ON e.id = "
      "pe.entitlement_id JOIN persons st ON st.id = e.person_id JOIN schools sc ON sc.id = "
      "e.school_id LEFT JOIN enrollments en ON en.id = (SELECT MAX(en2.id) FROM enrollments en2 "
      "WHERE en2.person_id = e.person_id AND en2.school_id = e.school_id) WHERE p.batch_id = ? AND "
      "p.seq >= ? AND p.seq <= ? AND p.status <> 'removed' AND p.payee = 'school' ORDER BY p.seq, "
      "en.grade, en.class_name, st.name, e.id");
  s->bind(1, batch_id);
  s->bind(2, first_seq);
  s->bind(3, last_seq);
  std::vector<bankfiles::AnnexRow> out;
  while (s->next()) {
    bankfiles::AnnexRow r;
    r.seq = s->getInt(0);
    r.reference = s->getText(1);
    r.school_code = s->getText(2);
    r.school_name = s->getText(3);
    r.name = s->getText(4);
    r.student = s->isNull(5) ? "" : s->getText(5);
    if (!s->isNull(6)) {
      const auto stage = domain::parseStage(s->getText(6));
      r.stage = stage ? std::string(domain::chineseLabel(*stage)) : s->getText(6);
      r.grade = std::to_string(s->getInt(7));
      r.class_name = s->getText(8);
    }
    r.amount = Money::fromFen(s->getInt(9));
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<bankfiles::BankFileStore::Returned> SqlDisbursementStore::returnedFunds(
    const std::string& region_prefix) {
  auto s = db_.prepare(
      "SELECT p.end_to_end_ref, sc.code, sc.name, p.holder_name, p.acct_mask, r.reason_code, "
      "r.reason_text, r.returned_on, r.status, b.programme, b.term, b.paying_region, r.amount_fen, "
      "p.payee, (SELECT COUNT(*) FROM payment_entitlements pe WHERE pe.payment_id = p.id), "
      "p.bank_code FROM returned_funds r JOIN payments p ON p.id = r.payment_id JOIN batches b ON "
      "b.id = "
      "p.batch_id JOIN entitlements e ON e.id = r.entitlement_id LEFT JOIN schools sc ON sc.id = "
      "e.school_id WHERE b.paying_region LIKE ? ORDER BY r.returned_on, r.payment_id");
  s->bind(1, region_prefix + "%");
  std::vector<Returned> out;
  while (s->next()) {
    Returned r;
    r.reference = s->getText(0);
    r.school_code = s->isNull(1) ? "" : s->getText(1);
    r.school_name = s->isNull(2) ? "" : s->getText(2);
    r.holder = s->getText(3);
    r.acct_mask = s->isNull(4) ? "" : s->getText(4);
    r.reason_code = s->isNull(5) ? "" : s->getText(5);
    r.reason_text = s->isNull(6) ? "" : s->getText(6);
    r.returned_on = s->getText(7);
    r.status = s->getText(8);
    r.programme = s->getText(9);
    r.term = s->getText(10);
    r.region = s->getText(11);
    r.amount = Money::fromFen(s->getInt(12));
    r.payee = s->getText(13);
    r.students = s->getInt(14);
    r.bank_code = s->getText(15);
    out.push_back(std::move(r));
  }
  return out;
}

void SqlDisbursementStore::reportFacts(const std::string& term, const std::string& region_prefix,
                                       const std::function<void(const ReportFact&)>& each) {
  auto s = db_.prepare(
      // What the bank answered, summed per entitlement in one pass (not three look-ups per row).
      "SELECT e.term, e.programme, e.paying_region, e.reason, e.amount_fen, "
      "COALESCE(x.paid_fen, 0), COALESCE(x.returned_n, 0), COALESCE(x.returned_fen, 0) FROM "
      "entitlements e LEFT JOIN (SELECT pe.entitlement_id, SUM(CASE WHEN r.outcome = 'paid' AND "
      "lr.payment_id IS NULL THEN pe.amount_fen ELSE 0 END) AS paid_fen, SUM(CASE WHEN r.outcome "
      "= 'returned' OR lr.payment_id IS NOT NULL THEN 1 ELSE 0 END) AS returned_n, SUM(CASE WHEN "
      "r.outcome = 'returned' OR lr.payment_id IS NOT NULL THEN pe.amount_fen ELSE 0 END) AS "
      "returned_fen FROM payment_entitlements pe JOIN payment_results r ON r.payment_id = "
      "pe.payment_id LEFT JOIN payment_returns lr ON lr.payment_id = pe.payment_id GROUP BY "
      "pe.entitlement_id) x ON "
      "x.entitlement_id = e.id WHERE e.status = 'eligible' AND (? = '' OR "
      "e.term = ?) AND e.paying_region LIKE ? ORDER BY e.id");
  s->bind(1, term);
  s->bind(2, term);
  s->bind(3, region_prefix + "%");
  ReportFact f;
  while (s->next()) {
    f.term = s->getText(0);
    f.programme = s->getText(1);
    f.region = s->getText(2);
    f.reason = s->getText(3);
    f.amount_fen = s->getInt(4);
    f.paid_fen = s->getInt(5);
    f.returned_n = s->getInt(6);
    f.returned_fen = s->getInt(7);
    each(f);
  }
}

std::optional<bankfiles::BankFileStore::PaymentTrace> SqlDisbursementStore::tracePayment(
    const std::string& reference) {
  auto s = db_.prepare(
      "SELECT ps.id, p.batch_id, p.entitlement_id, e.person_id, e.policy_id, p.attempt, "
      "p.end_to_end_ref, ps.state, ps.reason_code, ps.reason_text, ps.settled_on, p.payee, "
      "p.holder_name, p.acct_mask, p.bank_code, e.programme, e.term, e.paying_region, e.reason, "
      "e.updated_on, pol.name, pol.sha256, pol.activated_on, p.amount_fen FROM payments p JOIN "
      "payment_states ps ON ps.id = p.id JOIN entitlements e ON e.id = p.entitlement_id JOIN "
      "policies pol ON pol.id = e.policy_id WHERE p.end_to_end_ref = ?");
  s->bind(1, reference);
  if (!s->next()) return std::nullopt;
  PaymentTrace t;
  t.payment_id = s->getInt(0);
  t.batch_id = s->getInt(1);
  t.entitlement_id = s->getInt(2);
  t.person_id = s->getInt(3);
  t.policy_id = s->getInt(4);
  t.attempt = static_cast<int>(s->getInt(5));
  auto text = [&](int i) { return s->isNull(i) ? std::string() : s->getText(i); };
  t.reference = text(6);
  t.state = text(7);
  t.reason_code = text(8);
  t.reason_text = text(9);
  t.settled_on = text(10);
  t.payee = text(11);
  t.holder = text(12);
  t.acct_mask = text(13);
  t.bank_code = text(14);
  t.programme = text(15);
  t.term = text(16);
  t.paying_region = text(17);
  t.entitlement_reason = text(18);
  t.entitlement_updated_on = text(19);
  t.policy_name = text(20);
  t.policy_sha256 = text(21);
  t.policy_activated_on = text(22);
  t.amount = Money::fromFen(s->getInt(23));
  return t;
}

}  // namespace edupay::store
