// The report part of SqlDisbursementStore: reconciliation (对账) by programme and paying county,
// the facts of the money reports, and a payment traced back to its decision.
#include "bankfiles/Reconciliation.h"
#include "store/SqlDisbursementStore.h"
#include "store/SqlHelpers.h"

namespace edupay::store {

std::vector<bankfiles::ReconcileRow> SqlDisbursementStore::reconcile(
    const Term& term, const std::string& region_prefix) {
  const std::string prefix = region_prefix + "%";
  std::vector<bankfiles::EntitledGroup> entitled;
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
    s->bind(2, prefix);
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
    auto s = db_.prepare(
        std::string("SELECT b.programme, b.paying_region, ") + kState +
        ", COUNT(*), SUM(pe.amount_fen) FROM payments p JOIN payment_entitlements pe ON "
        "pe.payment_id = p.id JOIN batches b ON b.id = p.batch_id LEFT JOIN payment_results r ON "
        "r.payment_id = p.id LEFT JOIN payment_returns lr ON lr.payment_id = p.id WHERE b.term = "
        "? AND b.paying_region LIKE ? AND p.status <> 'removed' GROUP BY b.programme, "
        "b.paying_region, " +
        kState);
    s->bind(1, term.str());
    s->bind(2, prefix);
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
    auto s = db_.prepare(
        "SELECT b.programme, b.paying_region, COUNT(*), SUM(pe.amount_fen) FROM returned_funds r "
        "JOIN payments p ON p.id = r.payment_id JOIN payment_entitlements pe ON pe.payment_id = "
        "p.id JOIN batches b ON b.id = p.batch_id WHERE b.term "
        "= ? AND b.paying_region LIKE ? AND r.status = 'awaiting_account' GROUP BY b.programme, "
        "b.paying_region");
    s->bind(1, term.str());
    s->bind(2, prefix);
    while (s->next())
      awaiting.push_back(
          {s->getText(0), s->getText(1), s->getInt(2), Money::fromFen(s->getInt(3))});
  }
  return bankfiles::reconcileRows(entitled, payments, awaiting);
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
