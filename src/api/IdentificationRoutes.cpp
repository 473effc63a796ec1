// The identification of needy students (资助对象认定): a school's round, its cases, notice,
// objections, filing, the county's review and spot checks. Each handler parses, calls the use
// case in identify/Identify.h and renders; role and scope are the use case's.
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include "api/Env.h"
#include "api/Handlers.h"
#include "api/IdentificationJson.h"
#include "api/Json.h"
#include "common/Error.h"
#include "common/JsonWrite.h"
#include "common/ResidentId.h"
#include "common/Text.h"
#include "identify/Identify.h"
#include "store/SqlIdentificationStore.h"

namespace edupay::api::handlers {

using Poco::JSON::Array;
using Poco::JSON::Object;

namespace {

rules::Policy activePolicy(Env& env) {
  auto stored = env.entitlements().activePolicy();
  if (!stored) throw Error(ErrorCode::kNotFound, msg("ident.api.no_policy"));
  return rules::parsePolicy(stored->content, "active policy");
}

/// A list field: a JSON array of strings, or one comma-separated string.
std::vector<std::string> listField(const Object::Ptr& o, const std::string& name) {
  std::vector<std::string> out;
  if (!o->has(name) || o->isNull(name)) return out;
  if (auto a = o->getArray(name)) {
    for (size_t i = 0; i < a->size(); ++i) out.push_back(a->getElement<std::string>(i));
    return out;
  }
  for (auto& p : text::split(o->getValue<std::string>(name), ',')) {
    auto t = text::trim(p);
    if (!t.empty()) out.push_back(t);
  }
  return out;
}

int intField(const Object::Ptr& o, const std::string& name, bool required) {
  const std::string v = field(o, name, required);
  if (v.empty()) return 0;
  if (!text::isAllDigits(v) || v.size() > 9)
    throw Error(ErrorCode::kInvalidInput,
                msg("ident.api.whole_number", {words("field",
                                                     name == "members"   ? "家庭人口数"
                                                     : name == "percent" ? "抽查比例"
                                                                         : name,
                                                     name)}));
  return std::stoi(v);
}

identify::Level levelField(const std::string& s) {
  if (s == "none") return identify::Level::kNone;
  auto l = domain::parseDifficultyLevel(s);
  if (!l) throw Error(ErrorCode::kInvalidInput, msg("ident.api.level"));
  return *l;
}

int yearQuery(const Request& req) {
  const std::string y = req.queryOr("year", "0");
  if (!text::isAllDigits(y) || y.size() > 4)
    throw Error(ErrorCode::kInvalidInput, msg("ident.api.year"));
  return y.empty() ? 0 : std::stoi(y);
}

Reply roundReply(const identify::Round& r) { return json(*roundJson(r)); }

}  // namespace

Reply identificationRounds(const Request& req, Env& env) {
  store::SqlIdentificationStore ids(env.db());
  Array arr;
  for (const auto& r :
       identify::visibleRounds(ids, *req.user, req.queryOr("school"), yearQuery(req)))
    arr.add(roundJson(r));
  Object o;
  o.set("rounds", arr);
  return json(o);
}

Reply openIdentification(const Request& req, Env& env) {
  const auto o = bodyObject(req);
  store::SqlIdentificationStore ids(env.db());
  return roundReply(identify::openRound(
      ids, env.security(), *req.user, identify::identificationPolicy(activePolicy(env)),
      field(o, "school"), intField(o, "academic_year", true), field(o, "identification_date")));
}

Reply identificationRound(const Request& req, Env& env) {
  store::SqlIdentificationStore ids(env.db());
  const auto r = identify::visibleRound(ids, *req.user, req.id("id"));
  auto out = roundJson(r);
  Array cases, notices, objections, checks;
  for (const auto& c : ids.cases(r.id)) cases.add(caseJson(c));
  for (const auto& n : ids.notices(r.id)) {
    Object x;
    json::set(x, "id", n.id, "published_on", n.published_on, "window_ends", n.window_ends,
              "entries", n.entries);
    notices.add(x);
  }
  for (const auto& x : ids.objections(r.id)) objections.add(objectionJson(x));
  for (const auto& s : ids.spotChecks(r.id)) checks.add(spotCheckJson(s));
  json::set(*out, "cases", cases, "notices", notices, "objections", objections, "spot_checks",
            checks);
  // What the class panel scores against (the console draws its form from it).
  if (env.entitlements().activePolicy()) {
    const auto ip = identify::identificationPolicy(activePolicy(env));
    Array indicators;
    for (const auto& i : ip.indicators) {
      Object x;
      json::set(x, "code", i.code, "name_zh", i.name_zh, "name_en", i.name_en, "points", i.points,
                "confidence", i.confidence);
      indicators.add(x);
    }
    Object tiers;
    tiers.set("generally", ip.generally);
    tiers.set("difficult", ip.difficult);
    tiers.set("especially", ip.especially);
    out->set("indicators", indicators);
    out->set("tiers", tiers);
  }
  return json(*out);
}

Reply addIdentificationApplication(const Request& req, Env& env) {
  const auto o = bodyObject(req);
  const std::string key = field(o, "resident_id");
  std::string why;
  auto rid = ResidentId::parse(key, &why);
  if (!rid)
    throw Error(ErrorCode::kInvalidInput,
                msg("ident.resident_id", {arg("id", maskMiddle(key, 4, 4)), arg("why", why)}));
  identify::Application a;
  a.rid_hash = env.cipher().blindIndex("resident_id", rid->str());
  a.family.members = intField(o, "members", true);
  a.family.income_band = field(o, "income_band", false);
  a.family.indicators = listField(o, "indicators");
  a.family.details = field(o, "details", false);
  a.commitment_date = field(o, "commitment_date", false);
  a.commitment_signed = !a.commitment_date.empty();
  a.evidence_notes = field(o, "notes", false);
  a.effective_from = field(o, "effective_from", false);
  a.change_reason = field(o, "change_reason", false);
  const bool change = field(o, "kind", false) == "change";
  store::SqlIdentificationStore ids(env.db());
  const auto c = identify::addApplication(ids, env.security(), env.cipher(), *req.user,
                                          identify::identificationPolicy(activePolicy(env)),
                                          req.id("id"), a, change);
  return json(*caseJson(c));
}

Reply assessIdentificationCase(const Request& req, Env& env) {
  const auto o = bodyObject(req);
  identify::Assessment a;
  a.indicators = listField(o, "indicators");
  a.class_teacher = field(o, "class_teacher");
  a.representatives = listField(o, "representatives");
  a.proposed = levelField(field(o, "level"));
  a.reason = field(o, "reason", false);
  store::SqlIdentificationStore ids(env.db());
  return json(*caseJson(identify::assessCase(ids, env.security(), *req.user,
                                             identify::identificationPolicy(activePolicy(env)),
                                             req.id("id"), a)));
}

Reply decideIdentificationCase(const Request& req, Env& env) {
  const auto o = bodyObject(req);
  store::SqlIdentificationStore ids(env.db());
  return json(*caseJson(identify::decideCase(ids, env.security(), *req.user, req.id("id"),
                                             field(o, "level", false), field(o, "reason", false))));
}

Reply publishIdentificationNotice(const Request& req, Env& env) {
  const auto policy = activePolicy(env);
  store::SqlIdentificationStore ids(env.db());
  const auto [n, lines] = identify::publishNotice(ids, env.security(), *req.user,
                                                  identify::identificationPolicy(policy),
                                                  req.id("id"), policy.holidays, Date::today());
  Object out;
  json::set(out, "notice", n.id, "published_on", n.published_on, "window_ends", n.window_ends,
            "entries", n.entries);
  Array arr;
  for (const auto& l : lines) {
    Object x;  // name, class and level: nothing else is shown on a notice
    x.set("name", l.name);
    x.set("class", l.class_name);
    x.set("level", l.level);
    arr.add(x);
  }
  out.set("lines", arr);
  return json(out);
}

Reply addIdentificationObjection(const Request& req, Env& env) {
  const auto o = bodyObject(req);
  store::SqlIdentificationStore ids(env.db());
  return json(*objectionJson(
      identify::addObjection(ids, env.security(), *req.user, req.id("id"), field(o, "text"))));
}

Reply resolveIdentificationObjection(const Request& req, Env& env) {
  const auto o = bodyObject(req);
  store::SqlIdentificationStore ids(env.db());
  return json(*objectionJson(
      identify::resolveObjection(ids, env.security(), *req.user, req.id("id"), field(o, "decision"),
                                 field(o, "level", false), field(o, "reason"))));
}

Reply fileIdentification(const Request& req, Env& env) {
  store::SqlIdentificationStore ids(env.db());
  return roundReply(
      identify::fileRound(ids, env.security(), *req.user, req.id("id"), Date::today()));
}

Reply reviewIdentification(const Request& req, Env& env) {
  const auto o = bodyObject(req);
  store::SqlIdentificationStore ids(env.db());
  return roundReply(identify::reviewRound(ids, env.security(), *req.user, req.id("id"),
                                          field(o, "decision"), field(o, "reason", false)));
}

Reply drawIdentificationSpotChecks(const Request& req, Env& env) {
  const auto o = bodyObject(req);
  const std::string seed = field(o, "seed");
  if (!text::isAllDigits(seed) || seed.empty() || seed.size() > 15)
    throw Error(ErrorCode::kInvalidInput, msg("ident.api.seed"));
  store::SqlIdentificationStore ids(env.db());
  const auto drawn = identify::drawSpotChecks(
      ids, env.security(), *req.user, identify::identificationPolicy(activePolicy(env)),
      req.id("id"), std::stoll(seed), intField(o, "percent", false));
  Array arr;
  for (const auto& s : drawn) arr.add(spotCheckJson(s));
  Object out;
  out.set("spot_checks", arr);
  return json(out);
}

Reply recordIdentificationSpotCheck(const Request& req, Env& env) {
  const auto o = bodyObject(req);
  const std::string on = field(o, "date", false);
  auto date = on.empty() ? std::optional<Date>(Date::today()) : Date::parse(on);
  if (!date) throw Error(ErrorCode::kInvalidInput, msg("ident.api.date"));
  store::SqlIdentificationStore ids(env.db());
  return json(*spotCheckJson(
      identify::recordSpotCheck(ids, env.security(), *req.user, req.id("id"), field(o, "outcome"),
                                field(o, "level", false), field(o, "note", false), *date)));
}

Reply identificationFamily(const Request& req, Env& env) {
  store::SqlIdentificationStore ids(env.db());
  return json(*familyJson(identify::revealFamily(ids, env.cipher(), *req.user, req.id("id"))));
}

Reply identificationCounty(const Request& req, Env& env) {
  store::SqlIdentificationStore ids(env.db());
  const int year = yearQuery(req);
  Array arr;
  for (const auto& r : identify::countyReview(ids, *req.user, req.queryOr("region"), year)) {
    Object x;
    json::set(x, "school", r.outcome.school_code, "name", r.outcome.school_name, "enrolled",
              r.outcome.enrolled, "identified", r.outcome.identified(), "special",
              r.outcome.special, "identified_permille", r.outcome.identifiedPermille(),
              "special_permille", r.outcome.specialPermille());
    Object levels;
    for (const auto& [l, n] : r.outcome.by_level) levels.set(std::string(domain::code(l)), n);
    x.set("by_level", levels);
    Array out;
    for (const auto& s : r.outliers) out.add(s);
    x.set("outliers", out);
    Array said;
    for (const auto& m : r.outlier_messages) said.add(messageJson(m, req.lang));
    x.set("outlier_messages", said);
    arr.add(x);
  }
  Object o;
  o.set("schools", arr);
  return json(o);
}

Reply identificationReport(const Request& req, Env& env) {
  store::SqlIdentificationStore ids(env.db());
  const int year = yearQuery(req);
  (void)identify::countyReview(ids, *req.user, req.queryOr("region"), year);  // role, scope
  const std::string region = req.queryOr("region", req.user->scope);
  Array rows, rec, checks;
  for (const auto& r : ids.identified(region, year)) {
    Object x;
    json::set(x, "school", r.school_code, "name", r.school_name, "region", r.region, "level",
              r.level, "group", r.group, "students", r.students);
    rows.add(x);
  }
  Money total;
  for (const auto& r : ids.recoveries(region, year)) {
    Object x;
    json::set(x, "school", r.school_code, "student", r.student, "name", r.name, "programme",
              r.programme, "term", r.term, "reference", r.end_to_end_ref, "amount",
              r.amount.toYuan());
    total += r.amount;
    rec.add(x);
  }
  std::map<std::string, int64_t> outcomes;
  for (const auto& r : identify::visibleRounds(ids, *req.user, "", year)) {
    if (r.school_code.rfind(region, 0) != 0 && r.region.rfind(region, 0) != 0) continue;
    for (const auto& s : ids.spotChecks(r.id))
      ++outcomes[s.outcome.empty() ? "waiting" : s.outcome];
  }
  Object spot;
  for (const auto& [k, n] : outcomes) spot.set(k, n);
  Object o;
  json::set(o, "identified", rows, "spot_checks", spot, "to_recover", rec, "to_recover_total",
            total.toYuan());
  return json(o);
}

}  // namespace edupay::api::handlers
