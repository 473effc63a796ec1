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
                msg("api.whole_number", {arg("name", name), arg("value", text::cutUtf8(v, 20))}));
  }
  return std::stoi(v);
}

/// An object of `pairs`, in one statement (the shapes below are lists of fields).
Object fields(std::initializer_list<std::pair<const char*, Poco::Dynamic::Var>> pairs) {
  Object o;
  for (const auto& [k, v] : pairs) o.set(k, v);
  return o;
}

Object withScope(Object o, const security::ObjectScope& s) {
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

Object auditPageJson(const security::AuditPage& page, Lang lang) {
  Array events;
  for (const auto& entry : page.entries) {
    const auto& e = entry.event;
    const std::string after = security::auditText(e.after, lang);
    events.add(withScope(fields({{"seq", e.seq},
                                 {"at", e.at},
                                 {"user", e.actor},
                                 {"action", e.action},
                                 {"action_name", security::actionName(e.action, lang)},
                                 {"object", e.object},
                                 {"summary", after},
                                 {"before", security::auditText(e.before, lang)},
                                 {"after", after},
                                 {"before_record", e.before},
                                 {"after_record", e.after}}),
                         entry.scope));
  }
  Array actions;
  for (const auto& [code, name] : security::actionNames(lang))
    actions.add(fields({{"code", code}, {"name", name}}));
  return fields({{"page", page.page},
                 {"page_size", page.page_size},
                 {"more", page.more},
                 {"events", events},
                 {"actions", actions}});
}

Object uploadsJson(const std::string& kind, int page, bool more,
                   const std::vector<security::UploadRecord>& uploads, Lang lang) {
  Array list;
  for (const auto& u : uploads) {
    Object o = fields({{"seq", u.seq},
                       {"at", u.at},
                       {"user", u.actor},
                       {"file_name", u.file_name},
                       {"sha256", u.sha256},
                       {"outcome", u.refused     ? "refused"
                                   : u.unchanged ? "unchanged"
                                                 : "imported"},
                       {"summary", security::auditText(u.summary, lang)},
                       {"reason", u.reason ? security::maskLongNumbers(
                                                 lang == Lang::kZh ? u.reason->zh : u.reason->en)
                                           : std::string()}});
    const Object counts = kind == "roll" ? fields({{"rows", u.rows},
                                                   {"rows_ok", u.rows_ok},
                                                   {"rows_bad", u.rows_bad},
                                                   {"students_new", u.students_new},
                                                   {"students_changed", u.students_changed}})
                                         : fields({{"paid", u.paid},
                                                   {"paid_total", u.paid_total},
                                                   {"returned", u.returned},
                                                   {"returned_total", u.returned_total},
                                                   {"pending", u.pending},
                                                   {"unchanged_lines", u.unchanged_lines}});
    for (const auto& [k, v] : counts) o.set(k, v);
    list.add(withScope(o, u.scope));
  }
  return fields({{"kind", kind}, {"page", page}, {"more", more}, {"uploads", list}});
}

Object studentTraceJson(const std::string& query,
                        const std::vector<bankfiles::TracedStudent>& students) {
  Array list;
  for (const auto& t : students) {
    Array schools;
    for (const auto& s : t.schools) {
      schools.add(
          fields({{"code", s.code}, {"name", s.name}, {"region", s.region}, {"status", s.status}}));
    }
    Array ents;
    for (const auto& e : t.entitlements) {
      Array pays;
      for (const auto& p : e.payments) {
        Object o = fields({{"reference", p.reference},
                           {"state", p.state},
                           {"amount", p.amount.toYuan()},
                           {"share", p.share.toYuan()},
                           {"attempt", p.attempt},
                           {"batch", p.batch_id},
                           {"batch_status", p.batch_status},
                           {"payee", p.payee},
                           {"bank_code", p.bank_code},
                           {"holder", p.holder},
                           {"account", p.acct_mask}});
        if (!p.outcome.empty()) {
          o.set("result", fields({{"outcome", p.outcome},
                                  {"reason_code", p.reason_code},
                                  {"reason_text", p.reason_text},
                                  {"settled_on", p.settled_on},
                                  {"file", security::sentName(p.result_file)}}));
        }
        pays.add(o);
      }
      ents.add(fields({{"id", e.id},
                       {"programme", e.programme},
                       {"term", e.term},
                       {"status", e.status},
                       {"amount", e.amount.toYuan()},
                       {"paying_region", e.paying_region},
                       {"hold_reason", e.hold_reason},
                       {"reason", e.reason},
                       {"decided_on", e.decided_on},
                       {"payments", pays}}));
    }
    list.add(fields({{"person_id", t.person_id},
                     {"name", t.name},
                     {"resident_id", t.rid_mask},
                     {"student_no", t.student_no},
                     {"schools", schools},
                     {"entitlements", ents}}));
  }
  // The query as sent may be a full resident ID: it is echoed masked.
  return fields({{"query", security::maskLongNumbers(query)}, {"students", list}});
}

}  // namespace edupay::api
