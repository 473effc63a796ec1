#include "api/Json.h"

#include <Poco/JSON/Array.h>

#include <map>
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

Poco::JSON::Array issuesJson(const std::vector<registry::Issue>& issues) {
  Poco::JSON::Array out;
  for (const auto& i : issues) {
    Poco::JSON::Object o;
    o.set("line", i.line);
    o.set("column", i.column);
    o.set("value", i.value);
    o.set("severity", i.warning ? "warning" : "error");
    o.set("reason", i.reason);
    out.add(o);
  }
  return out;
}

Poco::JSON::Object rollImportJson(const registry::RollImportResult& r, bool dry_run) {
  Poco::JSON::Object j;
  j.set("sha256", r.file_sha256);
  j.set("encoding", encodingName(r.encoding));
  j.set("outcome", r.committed ? "imported" : (dry_run ? "dry_run" : "rejected"));
  j.set("committed", r.committed);
  j.set("run_id", r.run_id);
  j.set("rows", r.rows_total);
  j.set("rows_total", r.rows_total);
  j.set("rows_ok", r.rows_ok);
  j.set("rows_bad", r.rows_bad);
  j.set("warnings", r.warnings);
  const auto& c = r.counts;
  Poco::JSON::Object counts;
  counts.set("persons_added", c.persons_added);
  counts.set("persons_updated", c.persons_updated);
  counts.set("persons_unchanged", c.persons_unchanged);
  counts.set("enrollments_opened", c.enrollments_opened);
  counts.set("enrollments_updated", c.enrollments_updated);
  counts.set("transfers", c.transfers);
  counts.set("accounts_added", c.accounts_added);
  counts.set("accounts_replaced", c.accounts_replaced);
  counts.set("statuses_opened", c.statuses_opened);
  counts.set("statuses_closed", c.statuses_closed);
  counts.set("guardians_added", c.guardians_added);
  j.set("changes", counts);
  j.set("unchanged", r.committed && c.persons_added + c.persons_updated + c.enrollments_opened +
                                            c.enrollments_updated + c.transfers + c.accounts_added +
                                            c.accounts_replaced + c.statuses_opened +
                                            c.statuses_closed + c.guardians_added ==
                                        0);
  j.set("issues", issuesJson(r.issues));
  j.set("issues_total", r.issues_total);
  return j;
}

Poco::JSON::Object complaintJson(const disburse::Complaint& c, const Date& today) {
  Poco::JSON::Object o;
  o.set("id", c.id);
  o.set("category", c.category);
  o.set("category_zh", disburse::complaintCategoryZh(c.category));
  o.set("region", c.region);
  o.set("status", c.status);
  o.set("assigned_to", c.assigned_to);
  o.set("filed_on", c.filed_on);
  o.set("due_on", c.due_on);
  o.set("overdue", c.overdue(today));
  o.set("outcome", c.outcome);
  o.set("closed_on", c.closed_on);
  o.set("student", c.student_mask);
  o.set("school", c.school_name);
  o.set("anonymous", c.contact_enc.empty());
  return o;
}

Poco::JSON::Object complaintDetailJson(const disburse::ComplaintDetail& d, const Date& today) {
  Poco::JSON::Object o = complaintJson(d.complaint, today);
  o.set("text", d.complaint.body);
  o.set("contact", d.contact);
  o.set("outcome_text", d.complaint.outcome_text);
  o.set("closed_by", d.complaint.closed_by);
  Poco::JSON::Array notes;
  for (const auto& n : d.notes) {
    Poco::JSON::Object x;
    x.set("author", n.author);
    x.set("at", n.at);
    x.set("text", n.body);
    notes.add(x);
  }
  o.set("notes", notes);
  Poco::JSON::Array links;
  for (const auto& l : d.links) {
    Poco::JSON::Object x;
    x.set("kind", l.kind);
    x.set("entitlement", l.entitlement_id);
    x.set("programme", l.programme);
    x.set("term", l.term);
    if (l.flag_id) x.set("flag", l.flag_id);
    if (l.objection_id) x.set("objection", l.objection_id);
    x.set("status", l.status);
    x.set("by", l.created_by);
    x.set("on", l.created_on);
    links.add(x);
  }
  o.set("links", links);
  return o;
}

Poco::JSON::Object complaintReportJson(const disburse::ComplaintReport& r) {
  auto counts = [](const std::map<std::string, int64_t>& m) {
    Poco::JSON::Object o;
    for (const auto& [k, v] : m) o.set(k, v);
    return o;
  };
  Poco::JSON::Object o;
  o.set("total", r.total);
  o.set("open", r.open);
  o.set("overdue", r.overdue);
  o.set("closed", r.closed);
  o.set("by_category", counts(r.by_category));
  o.set("by_county", counts(r.by_county));
  o.set("by_outcome", counts(r.by_outcome));
  o.set("days_to_close", counts(r.days_to_close));
  o.set("mean_days_to_close", r.mean_days_to_close);
  o.set("max_days_to_close", r.max_days_to_close);
  return o;
}

Poco::JSON::Object payeeJson(const store::SqlListings::Payee& p) {
  Poco::JSON::Object o;
  o.set("payment_id", p.payment_id);
  o.set("seq", p.seq);
  o.set("reference", p.reference);
  o.set("payee", p.payee);
  o.set("name", p.name);
  o.set("resident_id", p.rid_mask);
  o.set("holder", p.holder);
  o.set("account", p.acct_mask);
  o.set("bank", p.bank_code);
  o.set("school", p.school_code);
  o.set("school_name", p.school_name);
  o.set("students", p.students);
  o.set("amount", p.amount.toYuan());
  o.set("state", p.state);
  o.set("reason_code", p.reason_code);
  o.set("reason", p.reason_text);
  return o;
}

Poco::JSON::Object returnedJson(const bankfiles::BankFileStore::Returned& r) {
  Poco::JSON::Object o;
  o.set("reference", r.reference);
  o.set("school", r.school_code);
  o.set("school_name", r.school_name);
  o.set("holder", r.holder);
  o.set("account", r.acct_mask);
  o.set("bank", r.bank_code);
  o.set("reason_code", r.reason_code);
  o.set("reason_text", r.reason_text);
  o.set("returned_on", r.returned_on);
  o.set("status", r.status);
  o.set("payee", r.payee);
  o.set("students", r.students);
  o.set("programme", r.programme);
  o.set("term", r.term);
  o.set("region", r.region);
  o.set("amount", r.amount.toYuan());
  return o;
}

Poco::JSON::Object objectionJson(const store::SqlListings::Objection& x) {
  Poco::JSON::Object o;
  o.set("id", x.id);
  o.set("status", x.status);
  o.set("student", x.student);
  o.set("resident_id", x.rid_mask);
  o.set("programme", x.programme);
  o.set("term", x.term);
  o.set("school", x.school_code);
  o.set("school_name", x.school_name);
  o.set("region", x.region);
  o.set("raised_on", x.raised_on);
  o.set("recorded_by", x.recorded_by);
  o.set("text", x.text);
  o.set("resolved_by", x.resolved_by);
  o.set("resolution", x.resolution);
  o.set("resolved_on", x.resolved_on);
  if (x.batch_id) o.set("holds_batch", x.batch_id);
  return o;
}

Poco::JSON::Object schoolListJson(const store::SqlListings::School& s) {
  Poco::JSON::Object o;
  o.set("code", s.code);
  o.set("name", s.name);
  o.set("region", s.region);
  o.set("stages", s.stages);
  o.set("ownership", s.ownership);
  o.set("bank", s.bank_code);
  o.set("enrolled", s.enrolled);
  return o;
}

Poco::JSON::Object needJson(const store::SqlListings::Need& n) {
  Poco::JSON::Object o;
  o.set("programme", n.programme);
  o.set("source", n.source);
  o.set("amount", n.amount.toYuan());
  o.set("entitlements", n.entitlements);
  return o;
}

Poco::JSON::Object decisionCountJson(const store::SqlListings::DecisionCount& d) {
  Poco::JSON::Object o;
  o.set("programme", d.programme);
  o.set("status", d.status);
  o.set("reason", d.reason);
  o.set("count", d.count);
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

Poco::JSON::Object studentJson(
    const registry::StudentRecord& rec, const std::string& resident_id,
    const std::function<std::string(const registry::StudentRecord::Account&)>& acct) {
  Poco::JSON::Object o;
  o.set("resident_id", resident_id);
  o.set("student_no", rec.student_no);
  o.set("name", rec.name);
  o.set("sex", rec.sex);
  o.set("birth_date", rec.birth_date);
  o.set("ethnicity", rec.ethnicity);
  o.set("hukou_region", rec.hukou_region);
  Poco::JSON::Array en;
  for (const auto& e : rec.enrollments) {
    Poco::JSON::Object j;
    j.set("school_code", e.school_code);
    j.set("school_name", e.school_name);
    j.set("stage", e.stage);
    j.set("grade", e.grade);
    j.set("class", e.class_name);
    j.set("major", e.major);
    j.set("agri_major", e.agri_major);
    j.set("boarding", e.boarding);
    j.set("status", e.status);
    j.set("enroll_date", e.enroll_date);
    j.set("status_date", e.status_date);
    j.set("end_date", e.end_date);
    en.add(j);
  }
  o.set("enrollments", en);
  if (rec.household) o.set("household", rec.household->code);
  Poco::JSON::Array st;
  for (const auto& s : rec.statuses) {
    Poco::JSON::Object j;
    j.set("category", s.category);
    j.set("valid_from", s.valid_from);
    j.set("valid_to", s.valid_to);
    j.set("source", s.source);
    st.add(j);
  }
  o.set("household_status", st);
  Poco::JSON::Array df;
  for (const auto& d : rec.difficulty) {
    Poco::JSON::Object j;
    j.set("academic_year", d.academic_year);
    j.set("level", d.level);
    df.add(j);
  }
  o.set("difficulty", df);
  Poco::JSON::Array gs;
  for (const auto& g : rec.guardians) {
    Poco::JSON::Object j;
    j.set("name", g.name);
    j.set("resident_id", g.rid_mask);
    gs.add(j);
  }
  o.set("guardians", gs);
  Poco::JSON::Array ac;
  for (const auto& a : rec.accounts) {
    Poco::JSON::Object j;
    j.set("kind", a.kind);
    j.set("owner", a.owner);
    j.set("account", acct(a));
    j.set("bank_code", a.bank_code);
    j.set("holder", a.holder_name);
    j.set("luhn_ok", a.luhn_ok);
    j.set("valid_from", a.valid_from);
    j.set("valid_to", a.valid_to);
    ac.add(j);
  }
  o.set("accounts", ac);
  Poco::JSON::Array ch;
  for (const auto& h : rec.changes) {
    Poco::JSON::Object j;
    j.set("entity", h.entity);
    j.set("field", h.field);
    j.set("old", h.old_value);
    j.set("new", h.new_value);
    j.set("on", h.changed_on);
    ch.add(j);
  }
  o.set("changes", ch);
  return o;
}

std::vector<std::string> reconcileCsvHeader() {
  return {"programme",
          "region",
          "entitled_n",
          "entitled",
          "not_batched_n",
          "not_batched",
          "in_approval_n",
          "in_approval",
          "approved_n",
          "approved",
          "at_bank_n",
          "at_bank",
          "paid_n",
          "paid",
          "returned_n",
          "returned",
          "awaiting_account_n",
          "awaiting_account",
          "reissued_n",
          "reissued",
          "outstanding_n",
          "outstanding",
          "adds_up"};
}

std::vector<std::string> reconcileCsvRow(const bankfiles::ReconcileRow& r) {
  return std::vector<std::string>{r.programme,
                                  r.region,
                                  std::to_string(r.entitled_n),
                                  r.entitled.toYuan(),
                                  std::to_string(r.unbatched_n),
                                  r.unbatched.toYuan(),
                                  std::to_string(r.in_approval_n),
                                  r.in_approval.toYuan(),
                                  std::to_string(r.approved_n),
                                  r.approved.toYuan(),
                                  std::to_string(r.in_bank_n),
                                  r.in_bank.toYuan(),
                                  std::to_string(r.paid_n),
                                  r.paid.toYuan(),
                                  std::to_string(r.returned_n),
                                  r.returned.toYuan(),
                                  std::to_string(r.awaiting_account_n),
                                  r.awaiting_account.toYuan(),
                                  std::to_string(r.reissued_n),
                                  r.reissued.toYuan(),
                                  std::to_string(r.outstandingCount()),
                                  r.outstanding().toYuan(),
                                  r.addsUp() ? "yes" : "NO"};
}

Poco::JSON::Object resultImportJson(const bankfiles::ImportResult& r) {
  Poco::JSON::Object o;
  o.set("already_imported", r.already_imported);
  o.set("accepted", r.problems.empty());
  o.set("lines", r.lines);
  o.set("paid", r.paid);
  o.set("paid_total", r.paid_total.toYuan());
  o.set("returned", r.returned);
  o.set("returned_total", r.returned_total.toYuan());
  o.set("returned_late", r.returned_late);
  o.set("unchanged", r.unchanged);
  o.set("pending", r.pending);
  Poco::JSON::Array batches;
  for (const auto& [id, st] : r.batches) {
    Poco::JSON::Object b;
    b.set("id", id);
    b.set("status", st);
    batches.add(b);
  }
  o.set("batches", batches);
  return o;
}

std::string toJson(const Poco::JSON::Object& o) {
  std::ostringstream out;
  o.stringify(out);
  return out.str();
}

Poco::JSON::Array reasonChecksJson(const std::string& reason) {
  Poco::JSON::Array out;
  size_t pos = 0;
  while (pos < reason.size()) {
    size_t end = reason.find("; ", pos);
    if (end == std::string::npos) end = reason.size();
    std::string part = reason.substr(pos, end - pos);
    pos = end + 2;
    const bool ok = part.empty() || part.front() != '!';
    if (!ok) part.erase(0, 1);
    const auto eq = part.find('=');
    if (eq == std::string::npos) continue;
    const std::string code = part.substr(0, eq);
    Poco::JSON::Object c;
    c.set("code", code);
    c.set("label_zh", rules::checkLabel(code, true));
    c.set("label_en", rules::checkLabel(code, false));
    c.set("ok", ok);
    c.set("fact", part.substr(eq + 1));
    out.add(c);
  }
  return out;
}

Poco::JSON::Object schoolAccountJson(
    const std::string& code, const std::optional<registry::RegistryStore::SchoolAccountView>& a) {
  Poco::JSON::Object out;
  out.set("school", code);
  if (a) {
    out.set("name", a->school_name);
    out.set("account", a->acct_mask);
    out.set("bank_code", a->bank_code);
    out.set("holder", a->holder);
    out.set("since", a->valid_from);
    out.set("recorded_by", a->recorded_by);
  }
  return out;
}

Poco::JSON::Object schoolAccountChangeJson(
    const bankfiles::SchoolAccountResult& r,
    const std::optional<registry::RegistryStore::SchoolAccountView>& now) {
  Poco::JSON::Object out = schoolAccountJson(r.school_code, now);
  out.set("changed", r.changed);
  out.set("released_for_reissue", r.released);
  return out;
}

}  // namespace edupay::api
