#include "api/Json.h"

#include <Poco/JSON/Array.h>

#include <map>
#include <sstream>

#include "bankfiles/Reconciliation.h"
#include "common/Catalogue.h"
#include "common/JsonWrite.h"

namespace edupay::api {

Poco::JSON::Object messageArgs(const Message& m, Lang lang) {
  Poco::JSON::Object o;
  for (const auto& a : m.args()) {
    if (a.number)
      o.set(a.name, *a.number);
    else
      o.set(a.name, lang == Lang::kZh ? a.zh : a.en);
  }
  return o;
}

Poco::JSON::Object messageJson(const Message& m, Lang lang) {
  Poco::JSON::Object o;
  o.set("code", m.code());
  o.set("args", messageArgs(m, lang));
  o.set("text", i18n::render(m, lang));
  return o;
}

Poco::JSON::Object batchJson(const disburse::Batch& b) {
  Poco::JSON::Object o;
  json::set(o, "id", b.id, "programme", b.programme, "term", b.term, "paying_region",
            b.paying_region, "bank", b.bank_code, "part", b.part, "status",
            std::string(disburse::code(b.status)), "payments", b.payment_count, "total",
            b.total.toYuan(), "total_fen", b.total.fen(), "central", b.central.toYuan(),
            "provincial", b.provincial.toYuan(), "county", b.county.toYuan(), "required_approvals",
            b.required_approvals, "approvals", b.approvals(), "prepared_by", b.prepared_by,
            "version", b.version);
  Poco::JSON::Array actions;
  for (const auto& a : b.actions) {
    Poco::JSON::Object j;
    json::set(j, "cycle", a.cycle, "user", a.user, "action", a.action, "reason", a.reason, "at",
              a.at);
    actions.add(j);
  }
  o.set("actions", actions);
  return o;
}

Poco::JSON::Array issuesJson(const std::vector<registry::Issue>& issues, Lang lang) {
  Poco::JSON::Array out;
  for (const auto& i : issues) {
    Poco::JSON::Object o;
    json::set(o, "line", i.line, "column", i.column, "column_zh", i.column_zh, "value", i.value,
              "severity", i.warning ? "warning" : "error", "reason", i.text(lang));
    o.set("reason_message", messageJson(i.message, lang));
    out.add(o);
  }
  return out;
}

Poco::JSON::Object rollImportJson(const registry::RollImportResult& r, bool dry_run, Lang lang) {
  Poco::JSON::Object j;
  json::set(j, "sha256", r.file_sha256, "encoding", encodingName(r.encoding), "outcome",
            r.committed ? "imported" : (dry_run ? "dry_run" : "rejected"), "committed", r.committed,
            "run_id", r.run_id, "rows", r.rows_total, "rows_total", r.rows_total, "rows_ok",
            r.rows_ok, "rows_bad", r.rows_bad, "warnings", r.warnings);
  const auto& c = r.counts;
  Poco::JSON::Object counts;
  json::set(counts, "persons_added", c.persons_added, "persons_updated", c.persons_updated,
            "persons_unchanged", c.persons_unchanged, "enrollments_opened", c.enrollments_opened,
            "enrollments_updated", c.enrollments_updated, "transfers", c.transfers,
            "accounts_added", c.accounts_added, "accounts_replaced", c.accounts_replaced,
            "statuses_opened", c.statuses_opened, "statuses_closed", c.statuses_closed,
            "guardians_added", c.guardians_added);
  j.set("changes", counts);
  j.set("unchanged", r.committed && c.persons_added + c.persons_updated + c.enrollments_opened +
                                            c.enrollments_updated + c.transfers + c.accounts_added +
                                            c.accounts_replaced + c.statuses_opened +
                                            c.statuses_closed + c.guardians_added ==
                                        0);
  j.set("issues", issuesJson(r.issues, lang));
  j.set("issues_total", r.issues_total);
  return j;
}

Poco::JSON::Object complaintJson(const disburse::Complaint& c, const Date& today) {
  Poco::JSON::Object o;
  json::set(o, "id", c.id, "category", c.category, "category_zh",
            disburse::complaintCategoryZh(c.category), "region", c.region, "status", c.status,
            "assigned_to", c.assigned_to, "filed_on", c.filed_on, "due_on", c.due_on, "overdue",
            c.overdue(today), "outcome", c.outcome, "closed_on", c.closed_on, "student",
            c.student_mask, "school", c.school_name, "anonymous", c.contact_enc.empty());
  return o;
}

Poco::JSON::Object complaintDetailJson(const disburse::ComplaintDetail& d, const Date& today) {
  Poco::JSON::Object o = complaintJson(d.complaint, today);
  json::set(o, "text", d.complaint.body, "contact", d.contact, "outcome_text",
            d.complaint.outcome_text, "closed_by", d.complaint.closed_by);
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
    json::set(x, "kind", l.kind, "entitlement", l.entitlement_id, "programme", l.programme, "term",
              l.term);
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

Poco::JSON::Object complaintActionJson(const disburse::ComplaintAction& a) {
  Poco::JSON::Object o;
  o.set("kind", a.kind);
  o.set("links", json::arrayOf(a.links, [](const disburse::ComplaintLink& l) {
          Poco::JSON::Object x;
          x.set("entitlement", l.entitlement_id);
          if (l.flag_id) x.set("flag", l.flag_id);
          if (l.objection_id) x.set("objection", l.objection_id);
          return x;
        }));
  return o;
}

Poco::JSON::Object complaintReportJson(const disburse::ComplaintReport& r) {
  auto counts = [](const std::map<std::string, int64_t>& m) {
    Poco::JSON::Object o;
    for (const auto& [k, v] : m) o.set(k, v);
    return o;
  };
  Poco::JSON::Object o;
  json::set(o, "total", r.total, "open", r.open, "overdue", r.overdue, "closed", r.closed,
            "by_category", counts(r.by_category), "by_county", counts(r.by_county), "by_outcome",
            counts(r.by_outcome), "days_to_close", counts(r.days_to_close), "mean_days_to_close",
            r.mean_days_to_close, "max_days_to_close", r.max_days_to_close);
  return o;
}

Poco::JSON::Object payeeJson(const store::SqlListings::Payee& p) {
  Poco::JSON::Object o;
  json::set(o, "payment_id", p.payment_id, "seq", p.seq, "reference", p.reference, "payee", p.payee,
            "name", p.name, "resident_id", p.rid_mask, "holder", p.holder, "account", p.acct_mask,
            "bank", p.bank_code, "school", p.school_code, "school_name", p.school_name, "students",
            p.students, "amount", p.amount.toYuan(), "state", p.state, "reason_code", p.reason_code,
            "reason", p.reason_text);
  return o;
}

Poco::JSON::Object returnedJson(const bankfiles::BankFileStore::Returned& r) {
  Poco::JSON::Object o;
  json::set(o, "reference", r.reference, "school", r.school_code, "school_name", r.school_name,
            "holder", r.holder, "account", r.acct_mask, "bank", r.bank_code, "reason_code",
            r.reason_code, "reason_text", r.reason_text, "returned_on", r.returned_on, "status",
            r.status, "payee", r.payee, "students", r.students, "programme", r.programme, "term",
            r.term, "region", r.region, "amount", r.amount.toYuan());
  return o;
}

Poco::JSON::Object objectionJson(const store::SqlListings::Objection& x) {
  Poco::JSON::Object o;
  json::set(o, "id", x.id, "status", x.status, "student", x.student, "resident_id", x.rid_mask,
            "programme", x.programme, "term", x.term, "school", x.school_code, "school_name",
            x.school_name, "region", x.region, "raised_on", x.raised_on, "recorded_by",
            x.recorded_by, "text", x.text, "resolved_by", x.resolved_by, "resolution", x.resolution,
            "resolved_on", x.resolved_on);
  if (x.batch_id) o.set("holds_batch", x.batch_id);
  return o;
}

Poco::JSON::Object schoolListJson(const store::SqlListings::School& s) {
  Poco::JSON::Object o;
  json::set(o, "code", s.code, "name", s.name, "region", s.region, "stages", s.stages, "ownership",
            s.ownership, "bank", s.bank_code, "enrolled", s.enrolled);
  return o;
}

Poco::JSON::Object needJson(const store::SqlListings::Need& n) {
  Poco::JSON::Object o;
  json::set(o, "programme", n.programme, "source", n.source, "amount", n.amount.toYuan(),
            "entitlements", n.entitlements);
  return o;
}

std::string decisionReasonText(const store::SqlListings::DecisionCount& d, Lang lang,
                               std::optional<Message>* sentence) {
  // People read the hold's sentence, or the first condition not met by its name and its fact.
  if (const auto m = rules::holdMessageOf(d.reason)) {
    if (sentence) *sentence = m;
    return i18n::render(*m, lang);
  }
  const char* colon_word = lang == Lang::kZh ? "：" : ": ";
  if (!d.check.empty() && !d.fact.empty()) {
    if (sentence) *sentence = d.fact;
    return rules::checkLabel(d.check, lang == Lang::kZh) + colon_word + i18n::render(d.fact, lang);
  }
  // Stored before reasons were kept as sentences: the label in words, the fact as it was.
  if (const auto colon = d.reason.find(": ");
      d.status == "excluded" && colon != std::string::npos) {
    return rules::checkLabel(d.reason.substr(0, colon), lang == Lang::kZh) + colon_word +
           d.reason.substr(colon + 2);
  }
  return d.reason;
}

Poco::JSON::Object decisionCountJson(const store::SqlListings::DecisionCount& d, Lang lang) {
  std::optional<Message> sentence;
  const std::string reason = decisionReasonText(d, lang, &sentence);
  Poco::JSON::Object o;
  json::set(o, "programme", d.programme, "status", d.status, "reason", reason, "stored_reason",
            d.reason, "count", d.count);
  if (!d.check.empty()) o.set("check", d.check);
  if (sentence) o.set("reason_message", messageJson(*sentence, lang));
  return o;
}

Poco::JSON::Object flagJson(const disburse::Flag& f, Lang lang) {
  Poco::JSON::Object o;
  const Message evidence = f.evidenceMessage();
  json::set(o, "id", f.id, "payment_id", f.payment_id, "kind", f.kind, "evidence",
            i18n::render(evidence, lang), "status", f.status, "cleared_by", f.cleared_by, "reason",
            f.reason);
  o.set("evidence_message", messageJson(evidence, lang));
  return o;
}

Poco::JSON::Object budgetJson(const disburse::BudgetLine& l) {
  Poco::JSON::Object o;
  json::set(o, "programme", l.programme, "region", l.region, "fiscal_year", l.fiscal_year, "source",
            l.source, "allocated", l.allocated.toYuan(), "committed", l.committed.toYuan(), "paid",
            l.paid.toYuan(), "returned", l.returned.toYuan(), "available",
            (l.allocated - l.committed - l.paid).toYuan());
  return o;
}

Poco::JSON::Object reconcileJson(const bankfiles::ReconcileRow& r, Lang lang) {
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
  const Message check = bankfiles::reconcileCheckMessage(r);
  o.set("check", i18n::render(check, lang));
  o.set("check_message", messageJson(check, lang));
  return o;
}

Poco::JSON::Object explainJson(const rules::Policy& policy, const Term& term, const Date& reference,
                               const rules::StudentFacts& facts,
                               const std::vector<rules::Decision>& decisions,
                               const std::vector<rules::StoredEntitlement>& stored, Lang lang) {
  Poco::JSON::Object o;
  o.set("student", facts.display);
  o.set("term", term.str());
  o.set("reference_date", reference.str());
  Poco::JSON::Array arr;
  for (size_t i = 0; i < decisions.size(); ++i) {
    const auto& d = decisions[i];
    Poco::JSON::Object j;
    json::set(j, "programme", d.programme, "name_zh", policy.programmes[i].name_zh, "name_en",
              policy.programmes[i].name_en, "status", std::string(rules::code(d.status)), "amount",
              d.amount.toYuan(), "hold_reason",
              d.hold_message.code().empty() ? d.hold_reason : i18n::render(d.hold_message, lang));
    if (!d.hold_message.code().empty())
      j.set("hold_reason_message", messageJson(d.hold_message, lang));
    Poco::JSON::Array tr;
    for (const auto& ch : d.trace) {
      Poco::JSON::Object t;
      const bool has = !ch.message.code().empty();
      json::set(t, "check", ch.code, "label_zh", rules::checkLabel(ch.code, true), "label_en",
                rules::checkLabel(ch.code, false), "ok", ch.ok, "fact",
                has ? i18n::render(ch.message, lang) : ch.fact);
      if (has) t.set("fact_message", messageJson(ch.message, lang));
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
  json::set(o, "resident_id", resident_id, "student_no", rec.student_no, "name", rec.name, "sex",
            rec.sex, "birth_date", rec.birth_date, "ethnicity", rec.ethnicity, "hukou_region",
            rec.hukou_region);
  Poco::JSON::Array en;
  for (const auto& e : rec.enrollments) {
    Poco::JSON::Object j;
    json::set(j, "school_code", e.school_code, "school_name", e.school_name, "stage", e.stage,
              "grade", e.grade, "class", e.class_name, "major", e.major, "agri_major", e.agri_major,
              "boarding", e.boarding, "status", e.status, "enroll_date", e.enroll_date,
              "status_date", e.status_date, "end_date", e.end_date);
    en.add(j);
  }
  o.set("enrollments", en);
  if (rec.household) o.set("household", rec.household->code);
  Poco::JSON::Array st;
  for (const auto& s : rec.statuses) {
    Poco::JSON::Object j;
    json::set(j, "category", s.category, "valid_from", s.valid_from, "valid_to", s.valid_to,
              "source", s.source);
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
    json::set(j, "kind", a.kind, "owner", a.owner, "account", acct(a), "bank_code", a.bank_code,
              "holder", a.holder_name, "luhn_ok", a.luhn_ok, "valid_from", a.valid_from, "valid_to",
              a.valid_to);
    ac.add(j);
  }
  o.set("accounts", ac);
  Poco::JSON::Array ch;
  for (const auto& h : rec.changes) {
    Poco::JSON::Object j;
    json::set(j, "entity", h.entity, "field", h.field, "old", h.old_value, "new", h.new_value, "on",
              h.changed_on);
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

Poco::JSON::Object resultImportJson(const bankfiles::ImportResult& r, Lang lang) {
  Poco::JSON::Object o;
  json::set(o, "already_imported", r.already_imported, "accepted", r.problems.empty(), "lines",
            r.lines, "paid", r.paid, "paid_total", r.paid_total.toYuan(), "returned", r.returned,
            "returned_total", r.returned_total.toYuan(), "returned_late", r.returned_late,
            "unchanged", r.unchanged, "pending", r.pending);
  Poco::JSON::Array batches;
  for (const auto& [id, st] : r.batches) {
    Poco::JSON::Object b;
    b.set("id", id);
    b.set("status", st);
    batches.add(b);
  }
  o.set("batches", batches);
  Poco::JSON::Array problems;
  for (const auto& m : r.problem_messages) problems.add(messageJson(m, lang));
  o.set("problem_messages", problems);
  return o;
}

Poco::JSON::Object returnedJson(const bankfiles::BankFileStore::Returned& r, const Message& reason,
                                Lang lang) {
  Poco::JSON::Object o = returnedJson(r);
  o.set("reason", i18n::render(reason, lang));
  o.set("reason_message", messageJson(reason, lang));
  return o;
}

std::string toJson(const Poco::JSON::Object& o) {
  std::ostringstream out;
  o.stringify(out);
  return out.str();
}

Poco::JSON::Array reasonChecksJson(const std::string& reason, const std::string& reason_messages,
                                   Lang lang) {
  Poco::JSON::Array out;
  for (const auto& check : rules::storedChecks(reason, reason_messages)) {
    Poco::JSON::Object c;
    json::set(c, "code", check.code, "label_zh", rules::checkLabel(check.code, true), "label_en",
              rules::checkLabel(check.code, false), "ok", check.ok, "fact",
              i18n::render(check.message, lang));
    c.set("fact_message", messageJson(check.message, lang));
    out.add(c);
  }
  return out;
}

Poco::JSON::Object schoolAccountJson(
    const std::string& code, const std::optional<registry::RegistryStore::SchoolAccountView>& a) {
  Poco::JSON::Object out;
  out.set("school", code);
  if (a) {
    json::set(out, "name", a->school_name, "account", a->acct_mask, "bank_code", a->bank_code,
              "holder", a->holder, "since", a->valid_from, "recorded_by", a->recorded_by);
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
