#include "api/IdentificationJson.h"
#include "common/JsonWrite.h"

#include <Poco/JSON/Array.h>

namespace edupay::api {

using Poco::JSON::Array;
using Poco::JSON::Object;

Object::Ptr roundJson(const identify::Round& r) {
  Object::Ptr o = new Object;
  json::set(*o, "id", r.id, "school", r.school_code, "school_name", r.school_name, "region",
            r.region, "academic_year", r.academic_year, "identification_date",
            r.identification_date, "status", r.status, "opened_by", r.opened_by);
  if (!r.submitted_by.empty()) o->set("submitted_by", r.submitted_by);
  if (!r.reviewed_by.empty()) o->set("reviewed_by", r.reviewed_by);
  if (!r.review_reason.empty()) o->set("review_reason", r.review_reason);
  return o;
}

Object::Ptr caseJson(const identify::Case& k) {
  Object::Ptr o = new Object;
  json::set(*o, "id", k.id, "round", k.round_id, "student", k.student, "name", k.name, "class",
            k.class_name, "kind", k.kind, "state", k.state);
  if (!k.category.empty()) o->set("category", k.category);
  if (!k.evidence.empty()) o->set("evidence", k.evidence);
  o->set("effective_from", k.effective_from);
  o->set("commitment_signed", k.commitment_signed);
  if (!k.commitment_date.empty()) o->set("commitment_date", k.commitment_date);
  o->set("entered_by", k.entered_by);
  if (k.score >= 0) {
    json::set(*o, "score", k.score, "score_level", k.score_level, "proposed_level",
              k.proposed_level, "panel_teacher", k.panel_teacher, "panel_representatives",
              k.panel_representatives);
    if (!k.panel_reason.empty()) o->set("panel_reason", k.panel_reason);
    o->set("assessed_by", k.assessed_by);
  }
  if (!k.level.empty()) o->set("level", k.level);
  if (!k.decided_by.empty()) o->set("decided_by", k.decided_by);
  if (!k.decision_reason.empty()) o->set("decision_reason", k.decision_reason);
  if (k.notice_id) o->set("notice", k.notice_id);
  return o;
}

Object::Ptr familyJson(const identify::FamilySituation& f) {
  Object::Ptr o = new Object;
  o->set("members", f.members);
  o->set("income_band", f.income_band);
  Array::Ptr ind = new Array;
  for (const auto& i : f.indicators) ind->add(i);
  o->set("indicators", ind);
  o->set("details", f.details);
  return o;
}

Object::Ptr spotCheckJson(const identify::SpotCheck& s) {
  Object::Ptr o = new Object;
  json::set(*o, "id", s.id, "round", s.round_id, "case", s.case_id, "seed", s.seed, "percent",
            s.percent, "drawn_by", s.drawn_by);
  if (!s.outcome.empty()) {
    o->set("outcome", s.outcome);
    if (!s.new_level.empty()) o->set("new_level", s.new_level);
    o->set("note", s.note);
    o->set("recorded_by", s.recorded_by);
    o->set("recorded_on", s.recorded_on);
  }
  return o;
}

Object::Ptr objectionJson(const identify::Objection& x) {
  Object::Ptr o = new Object;
  json::set(*o, "id", x.id, "case", x.case_id, "text", x.text, "status", x.status, "recorded_by",
            x.recorded_by);
  if (!x.resolution.empty()) o->set("resolution", x.resolution);
  if (!x.new_level.empty()) o->set("new_level", x.new_level);
  return o;
}

}  // namespace edupay::api
