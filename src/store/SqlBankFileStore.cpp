// The bank-file part of SqlDisbursementStore: bank layouts and payer accounts, exports and their
// files and annexes; reconciliation (对账) by programme and paying county, the facts of the money
// reports, and a payment traced back to its decision. Result imports and the returned-funds
// ledger are in SqlReturns.cpp.
#include "bankfiles/Reconciliation.h"

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
  if (!bank(code)) throw Error(ErrorCode::kNotFound, msg("bank.unknown", {arg("code", code)}));
  if (!layout.empty()) execute(db_, "UPDATE banks SET layout = ? WHERE code = ?", {layout, code});
  if (max_lines > 0) {
    execute(db_, "UPDATE banks SET max_lines = ? WHERE code = ?", {int64_t{max_lines}, code});
    max_lines_.erase(code);
  }
}

std::optional<Payer> SqlDisbursementStore::payer(const std::string& region,
                                                 const std::string& bank) {
  auto s = query(
      db_,
      "SELECT region, bank_code, account, name FROM payer_accounts WHERE bank_code = ? ORDER BY "
      "LENGTH(region) DESC",
      {bank});
  while (s->next()) {
    const std::string r = s->getText(0);
    if (region.rfind(r, 0) == 0) return Payer{r, s->getText(1), s->getText(2), s->getText(3)};
  }
  return std::nullopt;
}

void SqlDisbursementStore::setPayer(const Payer& p) {
  if (!bank(p.bank_code))
    throw Error(ErrorCode::kNotFound, msg("bank.unknown", {arg("code", p.bank_code)}));
  execute(db_, "DELETE FROM payer_accounts WHERE region = ? AND bank_code = ?",
          {p.region, p.bank_code});
  execute(db_, "INSERT INTO payer_accounts (region, bank_code, account, name) VALUES (?, ?, ?, ?)",
          {p.region, p.bank_code, p.account, p.name});
}

std::vector<bankfiles::PartTotals> SqlDisbursementStore::partTotals(int64_t batch_id,
                                                                    int max_lines) {
  // Integer division: `/` in SQLite, DIV in MySQL (where `/` gives a decimal).
  const std::string div = db_.dialect() == Dialect::kSQLite ? " / " : " DIV ";
  auto s = query(db_,
                 "SELECT (seq - 1)" + div +
                     "? AS part, COUNT(*), SUM(amount_fen), MIN(seq), MAX(seq) FROM payments "
                     "WHERE batch_id = ? AND status <> 'removed' GROUP BY (seq - 1)" +
                     div + "? ORDER BY 1",
                 {int64_t{max_lines}, batch_id, int64_t{max_lines}});
  std::vector<bankfiles::PartTotals> out;
  int part = 0;
  while (s->next()) {
    bankfiles::PartTotals p;
    p.part = ++part;
    readColumns(*s, 1, p.count, p.total, p.first_seq, p.last_seq);
    out.push_back(p);
  }
  return out;
}

std::vector<bankfiles::ExportRow> SqlDisbursementStore::exportRows(int64_t batch_id,
                                                                   int64_t first_seq,
                                                                   int64_t last_seq, size_t limit) {
  Statement& s = cachedQuery(
      db_,
      "SELECT id, seq, end_to_end_ref, payee, acct_enc, holder_name, amount_fen FROM payments "
      "WHERE batch_id = ? AND seq >= ? AND seq <= ? AND status <> 'removed' ORDER BY seq LIMIT ?",
      {batch_id, first_seq, last_seq, static_cast<int64_t>(limit)});
  std::vector<bankfiles::ExportRow> out;
  out.reserve(limit);
  while (s.next()) {
    bankfiles::ExportRow r;
    readColumns(s, 0, r.id, r.seq, r.reference, r.payee);
    r.acct_enc = s.isNull(4) ? "" : s.getText(4);
    r.holder = s.getText(5);
    r.amount = Money::fromFen(s.getInt(6));
    out.push_back(std::move(r));
  }
  s.reset();
  return out;
}

std::string SqlDisbursementStore::exportedOn(int64_t batch_id) {
  auto s = query(db_, "SELECT exported_on FROM batches WHERE id = ?", {batch_id});
  if (!s->next() || s->isNull(0)) return {};
  return s->getText(0);
}

std::optional<bankfiles::ExportPlan> SqlDisbursementStore::exportPlan(int64_t batch_id) {
  auto s = query(
      db_,
      "SELECT batch_version, created_on, layout, max_lines, payer_account, payer_name, purpose, "
      "planned_by, planned_at FROM export_plans WHERE batch_id = ?",
      {batch_id});
  if (!s->next()) return std::nullopt;
  bankfiles::ExportPlan p;
  p.batch_id = batch_id;
  readColumns(*s, 0, p.batch_version, p.created_on, p.layout, p.max_lines, p.payer_account,
              p.payer_name, p.purpose, p.planned_by, p.planned_at);
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
  auto s = query(
      db_,
      "SELECT part, file_name, layout, sha256, key_id, count, total_fen, payer_account, payer_name "
      "FROM payment_files WHERE batch_id = ? ORDER BY part",
      {batch_id});
  std::vector<bankfiles::ExportedFile> out;
  while (s->next()) {
    bankfiles::ExportedFile f;
    readColumns(*s, 0, f.part, f.file_name, f.layout, f.sha256, f.key_id, f.count, f.total,
                f.payer_account, f.payer_name);
    out.push_back(std::move(f));
  }
  return out;
}

std::optional<bankfiles::SentFile> SqlDisbursementStore::sentFile(int64_t batch_id, int part) {
  auto s = query(
      db_,
      "SELECT f.count, f.total_fen, (SELECT COALESCE(SUM(e.count), 0) FROM payment_files e WHERE "
      "e.batch_id = f.batch_id AND e.part < f.part), b.bank_code, b.paying_region FROM "
      "payment_files f JOIN batches b ON b.id = f.batch_id WHERE f.batch_id = ? AND f.part = ?",
      {batch_id, int64_t{part}});
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
    auto q = query(
        db_,
        "SELECT seq FROM payments WHERE batch_id = ? AND status <> 'removed' ORDER BY seq LIMIT 1 "
        "OFFSET ?",
        {batch_id, offset});
    if (!q->next()) return std::nullopt;
    return q->getInt(0);
  };
  const auto first = seqAt(before), last = seqAt(before + f.count - 1);
  if (!first || !last) return std::nullopt;
  f.first_seq = *first;
  f.last_seq = *last;
  return f;
}

std::optional<int64_t> SqlDisbursementStore::personOfPayment(const std::string& reference) {
  auto s = query(
      db_,
      "SELECT e.person_id FROM payments p JOIN entitlements e ON e.id = p.entitlement_id WHERE "
      "p.end_to_end_ref = ?",
      {reference});
  if (!s->next()) return std::nullopt;
  return s->getInt(0);
}

std::optional<std::string> SqlDisbursementStore::schoolOfPayment(const std::string& reference) {
  auto s = query(
      db_,
      "SELECT sc.code FROM payments p JOIN entitlements e ON e.id = p.entitlement_id JOIN schools "
      "sc ON sc.id = e.school_id WHERE p.end_to_end_ref = ? AND p.payee = 'school'",
      {reference});
  if (!s->next()) return std::nullopt;
  return s->getText(0);
}

std::vector<bankfiles::AnnexRow> SqlDisbursementStore::annexRows(int64_t batch_id,
                                                                 int64_t first_seq,
                                                                 int64_t last_seq) {
  auto s = query(
      db_,
      "SELECT p.seq, p.end_to_end_ref, sc.code, sc.name, st.name, COALESCE(st.rid_mask, "
      "st.student_no), en.stage, en.grade, en.class_name, pe.amount_fen FROM payments p JOIN "
      "payment_entitlements pe ON pe.payment_id = p.id JOIN entitlements e ON e.id = "
      "pe.entitlement_id JOIN persons st ON st.id = e.person_id JOIN schools sc ON sc.id = "
      "e.school_id LEFT JOIN enrollments en ON en.id = (SELECT MAX(en2.id) FROM enrollments en2 "
      "WHERE en2.person_id = e.person_id AND en2.school_id = e.school_id) WHERE p.batch_id = ? AND "
      "p.seq >= ? AND p.seq <= ? AND p.status <> 'removed' AND p.payee = 'school' ORDER BY p.seq, "
      "en.grade, en.class_name, st.name, e.id",
      {batch_id, first_seq, last_seq});
  std::vector<bankfiles::AnnexRow> out;
  while (s->next()) {
    bankfiles::AnnexRow r{s->getInt(0),  s->getText(1), s->getText(2),
                          s->getText(3), s->getText(4), s->isNull(5) ? "" : s->getText(5)};
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

std::vector<bankfiles::ReconcileRow> SqlDisbursementStore::reconcile(
    const Term& term, const std::string& region_prefix) {
  const std::string prefix = region_prefix + "%";
  std::vector<bankfiles::EntitledGroup> entitled;
  {
    // Entitled, and entitled without a live payment (not batched, or waiting for a re-issue).
    auto s = query(
        db_,
        "SELECT e.programme, e.paying_region, COUNT(*), SUM(e.amount_fen), SUM(CASE WHEN NOT "
        "EXISTS (SELECT 1 FROM payment_entitlements pe WHERE pe.entitlement_id = e.id AND pe.live "
        "= 1) THEN 1 ELSE 0 END), SUM(CASE WHEN NOT EXISTS (SELECT 1 FROM payment_entitlements pe "
        "WHERE pe.entitlement_id = e.id AND pe.live = 1) THEN e.amount_fen ELSE 0 END) FROM "
        "entitlements e WHERE e.term = ? AND e.status = "
        "'eligible' AND e.paying_region LIKE ? GROUP BY e.programme, e.paying_region",
        {term.str(), prefix});
    while (s->next()) {
      entitled.push_back({s->getText(0), s->getText(1), s->getInt(2), s->getInt(4),
                          Money::fromFen(s->getInt(3)), Money::fromFen(s->getInt(5))});
    }
  }
  std::vector<bankfiles::PaymentGroup> payments;
  {
    // Counted per entitlement covered: a payment to a school counts its students and amounts.
    constexpr const char* kState =
        "p.status, b.status, r.outcome, CASE WHEN lr.payment_id IS NULL THEN 0 ELSE 1 END, CASE "
        "WHEN p.attempt > 1 THEN 1 ELSE 0 END";
    auto s =
        query(db_,
              std::string("SELECT b.programme, b.paying_region, ") + kState +
                  ", COUNT(*), SUM(pe.amount_fen) FROM payments p JOIN payment_entitlements pe ON "
                  "pe.payment_id = p.id JOIN batches b ON b.id = p.batch_id LEFT JOIN "
                  "payment_results r ON "
                  "r.payment_id = p.id LEFT JOIN payment_returns lr ON lr.payment_id = p.id WHERE "
                  "b.term = "
                  "? AND b.paying_region LIKE ? AND p.status <> 'removed' GROUP BY b.programme, "
                  "b.paying_region, " +
                  kState,
              {term.str(), prefix});
    while (s->next()) {
      bankfiles::PaymentGroup g;
      g.programme = s->getText(0);
      g.region = s->getText(1);
      g.state = {s->getText(2), s->getText(3), s->isNull(4) ? "" : s->getText(4), s->getInt(5) == 1,
                 s->getInt(6) == 1};
      g.count = s->getInt(7);
      g.amount = Money::fromFen(s->getInt(8));
      payments.push_back(std::move(g));
    }
  }
  std::vector<bankfiles::AwaitingGroup> awaiting;
  {
    auto s = query(
        db_,
        "SELECT b.programme, b.paying_region, COUNT(*), SUM(pe.amount_fen) FROM returned_funds r "
        "JOIN payments p ON p.id = r.payment_id JOIN payment_entitlements pe ON pe.payment_id = "
        "p.id JOIN batches b ON b.id = p.batch_id WHERE b.term "
        "= ? AND b.paying_region LIKE ? AND r.status = 'awaiting_account' GROUP BY b.programme, "
        "b.paying_region",
        {term.str(), prefix});
    while (s->next())
      awaiting.push_back(
          {s->getText(0), s->getText(1), s->getInt(2), Money::fromFen(s->getInt(3))});
  }
  return bankfiles::reconcileRows(entitled, payments, awaiting);
}
void SqlDisbursementStore::reportFacts(const std::string& term, const std::string& region_prefix,
                                       const std::function<void(const ReportFact&)>& each) {
  auto s = query(
      db_,  // What the bank answered, summed per entitlement in one pass (not three look-ups per
            // row).
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
      "e.term = ?) AND e.paying_region LIKE ? ORDER BY e.id",
      {term, term, region_prefix + "%"});
  ReportFact f;
  while (s->next()) {
    readColumns(*s, 0, f.term, f.programme, f.region, f.reason, f.amount_fen, f.paid_fen,
                f.returned_n, f.returned_fen);
    each(f);
  }
}

std::optional<bankfiles::BankFileStore::PaymentTrace> SqlDisbursementStore::tracePayment(
    const std::string& reference) {
  auto s = query(
      db_,
      "SELECT ps.id, p.batch_id, p.entitlement_id, e.person_id, e.policy_id, p.attempt, "
      "p.end_to_end_ref, ps.state, ps.reason_code, ps.reason_text, ps.settled_on, p.payee, "
      "p.holder_name, p.acct_mask, p.bank_code, e.programme, e.term, e.paying_region, e.reason, "
      "e.updated_on, pol.name, pol.sha256, pol.activated_on, p.amount_fen, rs.messages "
      "FROM payments p JOIN "
      "payment_states ps ON ps.id = p.id JOIN entitlements e ON e.id = p.entitlement_id JOIN "
      "policies pol ON pol.id = e.policy_id LEFT JOIN reason_sentences rs ON rs.sha256 = "
      "e.reason_sha WHERE p.end_to_end_ref = ?",
      {reference});
  if (!s->next()) return std::nullopt;
  auto text = [&](int i) { return s->isNull(i) ? std::string() : s->getText(i); };
  PaymentTrace t{s->getInt(0), s->getInt(1), s->getInt(2),
                 s->getInt(3), s->getInt(4), static_cast<int>(s->getInt(5)),
                 text(6),      text(7),      text(8),
                 text(9),      text(10),     text(11),
                 text(12),     text(13),     text(14),
                 text(15),     text(16),     text(17),
                 text(18),     text(19),     text(20),
                 text(21),     text(22),     Money::fromFen(s->getInt(23))};
  t.entitlement_reason_messages = text(24);
  return t;
}

}  // namespace edupay::store
