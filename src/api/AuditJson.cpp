#include "api/AuditJson.h"

#include <Poco/JSON/Array.h>

#include "common/Error.h"
#include "common/Text.h"

namespace edupay::api {
namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

int wholeNumber(const std::string& name, const std::string& v, int fallback) {
  if (v.empty()) return fallback;
  if (!text::isAllDigits(v) || v.size() > 6) {
    throw Error(ErrorCode::kInvalidInput,
                name + ": 应为正整数 / a whole number (got \"" + text::cutUtf8(v, 20) + "\")");
  }
  return std::stoi(v);
}

Object scopeJson(Object o, const security::ObjectScope& s) {
  o.set("region", s.region);
  o.set("school", s.school);
  o.set("bank", s.bank);
  return o;
}

}  // namespace

security::AuditQuery auditQueryFrom(const std::function<std::string(const std::string&)>& get) {
  security::AuditQuery q;
  q.user = text::cleanField(get("user"));
  q.action = text::cleanField(get("action"));
  q.object = text::cleanField(get("object"));
  q.from = text::cleanField(get("from"));
  q.to = text::cleanField(get("to"));
  q.page = wholeNumber("page", get("page"), 1);
  q.page_size = wholeNumber("page_size", get("page_size"), 50);
  return q;
}

Object auditPageJson(const security::AuditPage& page) {
  Array events;
  for (const auto& entry : page.entries) {
    const auto& e = entry.event;
    Object o;
    o.set("seq", e.seq);
    o.set("at", e.at);
    o.set("user", e.actor);
    o.set("action", e.action);
    o.set("action_name", security::actionName(e.action));
    o.set("object", e.object);
    o.set("summary", e.after);
    o.set("before", e.before);
    o.set("after", e.after);
    events.add(scopeJson(o, entry.scope));
  }
  Array actions;
  for (const auto& [code, name] : security::actionNames()) {
    Object a;
    a.set("code", code);
    a.set("name", name);
    actions.add(a);
  }
  Object out;
  out.set("page", page.page);
  out.set("page_size", page.page_size);
  out.set("more", page.more);
  out.set("events", events);
  out.set("actions", actions);
  return out;
}

Object uploadsJson(const std::string& kind, int page, bool more,
                   const std::vector<security::UploadRecord>& uploads) {
  Array list;
  for (const auto& u : uploads) {
    Object o;
    o.set("seq", u.seq);
    o.set("at", u.at);
    o.set("user", u.actor);
    o.set("file_name", u.file_name);
    o.set("sha256", u.sha256);
    o.set("outcome", u.unchanged ? "unchanged" : "imported");
    if (kind == "roll") {
      o.set("rows", u.rows);
      o.set("rows_ok", u.rows_ok);
      o.set("rows_bad", u.rows_bad);
      o.set("students_new", u.students_new);
      o.set("students_changed", u.students_changed);
    } else {
      o.set("paid", u.paid);
      o.set("paid_total", u.paid_total);
      o.set("returned", u.returned);
      o.set("returned_total", u.returned_total);
      o.set("pending", u.pending);
      o.set("unchanged_lines", u.unchanged_lines);
    }
    o.set("summary", u.summary);
    list.add(scopeJson(o, u.scope));
  }
  Object out;
  out.set("kind", kind);
  out.set("page", page);
  out.set("more", more);
  out.set("uploads", list);
  return out;
}

Object studentTraceJson(const std::string& query,
                        const std::vector<bankfiles::TracedStudent>& students) {
  Array list;
  for (const auto& t : students) {
    Array schools;
    for (const auto& s : t.schools) {
      Object o;
      o.set("code", s.code);
      o.set("name", s.name);
      o.set("region", s.region);
      o.set("status", s.status);
      schools.add(o);
    }
    Array ents;
    for (const auto& e : t.entitlements) {
      Array pays;
      for (const auto& p : e.payments) {
        Object o;
        o.set("reference", p.reference);
        o.set("state", p.state);
        o.set("amount", p.amount.toYuan());
        o.set("share", p.share.toYuan());
        o.set("attempt", p.attempt);
        o.set("batch", p.batch_id);
        o.set("batch_status", p.batch_status);
        o.set("payee", p.payee);
        o.set("bank_code", p.bank_code);
        o.set("holder", p.holder);
        o.set("account", p.acct_mask);
        if (!p.outcome.empty()) {
          Object r;
          r.set("outcome", p.outcome);
          r.set("reason_code", p.reason_code);
          r.set("reason_text", p.reason_text);
          r.set("settled_on", p.settled_on);
          r.set("file", p.result_file);
          o.set("result", r);
        }
        pays.add(o);
      }
      Object o;
      o.set("id", e.id);
      o.set("programme", e.programme);
      o.set("term", e.term);
      o.set("status", e.status);
      o.set("amount", e.amount.toYuan());
      o.set("paying_region", e.paying_region);
      o.set("hold_reason", e.hold_reason);
      o.set("reason", e.reason);
      o.set("decided_on", e.decided_on);
      o.set("payments", pays);
      ents.add(o);
    }
    Object o;
    o.set("person_id", t.person_id);
    o.set("name", t.name);
    o.set("resident_id", t.rid_mask);
    o.set("student_no", t.student_no);
    o.set("schools", schools);
    o.set("entitlements", ents);
    list.add(o);
  }
  Object out;
  out.set("query", security::maskLongNumbers(query));  // never a full resident ID
  out.set("students", list);
  return out;
}

}  // namespace edupay::api
