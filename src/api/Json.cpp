#include "api/Json.h"

#include <Poco/JSON/Array.h>

#include <sstream>

namespace edupay::api {

Poco::JSON::Object batchJson(const disburse::Batch& b) {
  Poco::JSON::Object o;
  o.set("id", b.id);
  o.set("programme", b.programme);
  o.set("term", b.term);
  o.set("paying_region", b.paying_region);
  o.set("bank", b.bank_code);
  o.set("part", b.part);
  o.set("status", std::string(disburse::code(b.status)));
  o.set("payments", b.payment_count);
  o.set("total", b.total.toYuan());
  o.set("total_fen", b.total.fen());
  o.set("central", b.central.toYuan());
  o.set("provincial", b.provincial.toYuan());
  o.set("county", b.county.toYuan());
  o.set("required_approvals", b.required_approvals);
  o.set("approvals", b.approvals());
  o.set("prepared_by", b.prepared_by);
  o.set("version", b.version);
  Poco::JSON::Array actions;
  for (const auto& a : b.actions) {
    Poco::JSON::Object j;
    j.set("cycle", a.cycle);
    j.set("user", a.user);
    j.set("action", a.action);
    j.set("reason", a.reason);
    j.set("at", a.at);
    actions.add(j);
  }
  o.set("actions", actions);
  return o;
}

Poco::JSON::Object flagJson(const disburse::Flag& f) {
  Poco::JSON::Object o;
  o.set("id", f.id);
  o.set("payment_id", f.payment_id);
  o.set("kind", f.kind);
  o.set("evidence", f.evidence);
  o.set("status", f.status);
  o.set("cleared_by", f.cleared_by);
  o.set("reason", f.reason);
  return o;
}

Poco::JSON::Object budgetJson(const disburse::BudgetLine& l) {
  Poco::JSON::Object o;
  o.set("programme", l.programme);
  o.set("region", l.region);
  o.set("fiscal_year", l.fiscal_year);
  o.set("source", l.source);
  o.set("allocated", l.allocated.toYuan());
  o.set("committed", l.committed.toYuan());
  o.set("paid", l.paid.toYuan());
  o.set("returned", l.returned.toYuan());
  o.set("available", (l.allocated - l.committed - l.paid).toYuan());
  return o;
}

Poco::JSON::Object reconcileJson(const bankfiles::ReconcileRow& r) {
  Poco::JSON::Object o;
  o.set("programme", r.programme);
  o.set("region", r.region);
  auto pair = [&](const char* name, int64_t n, Money m) {
    Poco::JSON::Object x;
    x.set("count", n);
    x.set("amount", m.toYuan());
    o.set(name, x);
  };
  pair("entitled", r.entitled_n, r.entitled);
  pair("not_batched", r.unbatched_n, r.unbatched);
  pair("in_approval", r.in_approval_n, r.in_approval);
  pair("approved", r.approved_n, r.approved);
  pair("at_bank", r.in_bank_n, r.in_bank);
  pair("paid", r.paid_n, r.paid);
  pair("returned", r.returned_n, r.returned);
  pair("awaiting_account", r.awaiting_account_n, r.awaiting_account);
  pair("reissued", r.reissued_n, r.reissued);
  pair("outstanding", r.outstandingCount(), r.outstanding());
  o.set("adds_up", r.addsUp());
  return o;
}

Poco::JSON::Object explainJson(const rules::Policy& policy, const Term& term, const Date& reference,
                               const rules::StudentFacts& facts,
                               const std::vector<rules::Decision>& decisions,
                               const std::vector<rules::StoredEntitlement>& stored) {
  Poco::JSON::Object o;
  o.set("student", facts.display);
  o.set("term", term.str());
  o.set("reference_date", reference.str());
  Poco::JSON::Array arr;
  for (size_t i = 0; i < decisions.size(); ++i) {
    const auto& d = decisions[i];
    Poco::JSON::Object j;
    j.set("programme", d.programme);
    j.set("name_zh", policy.programmes[i].name_zh);
    j.set("name_en", policy.programmes[i].name_en);
    j.set("status", std::string(rules::code(d.status)));
    j.set("amount", d.amount.toYuan());
    j.set("hold_reason", d.hold_reason);
    Poco::JSON::Array tr;
    for (const auto& ch : d.trace) {
      Poco::JSON::Object t;
      t.set("check", ch.code);
      t.set("label_zh", rules::checkLabel(ch.code, true));
      t.set("label_en", rules::checkLabel(ch.code, false));
      t.set("ok", ch.ok);
      t.set("fact", ch.fact);
      tr.add(t);
    }
    j.set("trace", tr);
    for (const auto& s : stored) {
      if (s.programme == d.programme)
        j.set("stored_status", s.status + " " + Money::fromFen(s.amount_fen).toYuan());
    }
    arr.add(j);
  }
  o.set("programmes", arr);
  return o;
}

std::string toJson(const Poco::JSON::Object& o) {
  std::ostringstream out;
  o.stringify(out);
  return out.str();
}

}  // namespace edupay::api
