// Schools: their students, rolls, rosters, entitlements and fee-waiver accounts.
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <sys/stat.h>

#include <filesystem>
#include <sstream>

#include "api/Env.h"
#include "api/Handlers.h"
#include "api/Json.h"
#include "api/RequestBody.h"
#include "api/Spreadsheet.h"
#include "bankfiles/BankFiles.h"
#include "bankfiles/Manifest.h"
#include "bankfiles/Reports.h"
#include "common/AtomicFile.h"
#include "common/Catalogue.h"
#include "common/Csv.h"
#include "common/Error.h"
#include "common/JsonWrite.h"
#include "common/ResidentId.h"
#include "common/Text.h"
#include "disburse/Notices.h"
#include "registry/Imports.h"
#include "registry/RollImporter.h"
#include "registry/RosterImporter.h"
#include "registry/StudentEdits.h"
#include "rules/EntitlementRun.h"
#include "security/PasswordHasher.h"

namespace edupay::api::handlers {

using Poco::JSON::Array;
using Poco::JSON::Object;
using security::Role;

Reply schools(const Request& req, Env& env) {
  Array arr;
  for (const auto& sc : env.registry().listSchools()) {
    const bool visible = req.user->role == Role::kSchoolAdmin ? req.user->covers(sc.code)
                                                              : req.user->covers(sc.region_code);
    if (!visible) continue;
    Object o;
    o.set("code", sc.code);
    o.set("name", sc.name);
    o.set("region", sc.region_code);
    arr.add(o);
  }
  Object o;
  o.set("schools", arr);
  return json(o);
}

Reply schoolStudents(const Request& req, Env& env) {
  const std::string code = req.param("code");
  if (!seesSchool(*req.user, env, code))
    throw Error(ErrorCode::kNotFound, msg("scope.no_school", {arg("school", code)}));
  const std::string after = req.queryOr("after", "0"), limit = req.queryOr("limit", "100");
  if (!text::isAllDigits(after) || after.size() > 15 || !text::isAllDigits(limit) ||
      limit.empty() || std::stoi(limit) < 1 || std::stoi(limit) > 1000)
    throw Error(ErrorCode::kInvalidInput, msg("api.paging"));
  const auto rows = env.registry().studentsAt(code, after.empty() ? 0 : std::stoll(after),
                                              static_cast<size_t>(std::stoi(limit)));
  Array arr;
  for (const auto& r : rows) {
    Object o;
    json::set(o, "person_id", r.person_id, "name", r.name, "resident_id", r.rid_mask, "stage",
              r.stage, "grade", r.grade, "class", r.class_name);
    arr.add(o);
  }
  Object o;
  o.set("students", arr);
  if (rows.size() == static_cast<size_t>(std::stoi(limit)))
    o.set("next", "/api/v1/schools/" + code + "/students?after=" +
                      std::to_string(rows.back().person_id) + "&limit=" + limit);
  return json(o);
}

Reply uploadRoll(const Request& req, Env& env) {
  const Upload upload(req, env, "roll", false);
  const std::string& path = upload.path();
  registry::RollImportOptions o;
  o.dry_run = req.queryOr("dry_run") == "1";
  o.accept_valid = req.queryOr("accept_valid") == "1";
  const auto r =
      registry::importRollAs(env.registry(), env.security(), env.cipher(), *req.user, path, o);
  if (!r.committed && !o.dry_run)
    return refusedImport("the roll", issuesJson(r.issues, req.lang), r.issues_total, req.lang);
  return json(rollImportJson(r, o.dry_run, req.lang));
}

Reply uploadRoster(const Request& req, Env& env) {
  const std::string source = req.queryOr("source");
  const Upload upload(req, env, "roster-" + source, false);
  const std::string& path = upload.path();
  const auto r = registry::importRosterAs(env.registry(), env.security(), env.cipher(), *req.user,
                                          path, source, req.queryOr("dry_run") == "1");
  if (!r.committed && r.rows_bad > 0)
    return refusedImport("the roster", issuesJson(r.issues, req.lang), r.issues_total, req.lang);
  Object out;
  out.set("committed", r.committed);
  out.set("rows", r.rows_total);
  return json(out);
}

Reply schoolAccount(const Request& req, Env& env) {
  const std::string code = req.param("code");
  if (!seesSchool(*req.user, env, code))
    throw Error(ErrorCode::kNotFound, msg("scope.no_school", {arg("school", code)}));
  return json(schoolAccountJson(code, env.registry().schoolAccount(code)));
}

/// Records a school's account (an officer over its county); returned payments to the school are
/// released for re-issue.
Reply setSchoolAccount(const Request& req, Env& env) {
  bankfiles::SchoolAccountSetting s;
  s.school = req.param("code");
  const auto o = bodyObject(req);
  // Checked by the use case, after the school's scope: another county's school is not found.
  s.account = field(o, "account", false);
  s.bank_code = field(o, "bank_code", false);
  s.holder = field(o, "holder", false);
  const auto r =
      bankfiles::setSchoolAccount(env.registry(), env.security(), *req.user, env.cipher(), s);
  return json(schoolAccountChangeJson(r, env.registry().schoolAccount(r.school_code)));
}

Reply schoolEntitlements(const Request& req, Env& env) {
  const std::string code = req.param("code");
  if (!seesSchool(*req.user, env, code))
    throw Error(ErrorCode::kNotFound, msg("scope.no_school", {arg("school", code)}));
  const Term term = Term::parse(req.queryOr("term"));
  const std::string status = req.queryOr("status");
  if (!status.empty() && status != "eligible" && status != "held" && status != "excluded")
    throw Error(ErrorCode::kInvalidInput, msg("api.status.entitlement"));
  const std::string after = req.queryOr("after", "0"), limit = req.queryOr("limit", "100");
  if (!text::isAllDigits(after) || after.empty() || after.size() > 15 ||
      !text::isAllDigits(limit) || limit.empty() || limit.size() > 4 || std::stoi(limit) < 1 ||
      std::stoi(limit) > 1000)
    throw Error(ErrorCode::kInvalidInput, msg("api.paging"));
  const auto rows = env.entitlements().schoolEntitlements(code, term, status, std::stoll(after),
                                                          static_cast<size_t>(std::stoi(limit)));
  Array arr;
  for (const auto& e : rows) {
    Object o;
    json::set(o, "id", e.id, "person_id", e.person_id, "name", e.name, "resident_id", e.rid_mask,
              "programme", e.programme, "status", e.status, "amount", e.amount.toYuan(), "reason",
              e.reason, "checks", reasonChecksJson(e.reason, e.reason_messages, req.lang));
    if (!e.hold_reason.empty()) {
      const auto why = rules::holdMessageOf(e.hold_reason);
      o.set("hold_reason", why ? i18n::render(*why, req.lang) : e.hold_reason);
    }
    arr.add(o);
  }
  Object o;
  o.set("term", term.str());
  o.set("entitlements", arr);
  if (rows.size() == static_cast<size_t>(std::stoi(limit)))
    o.set("next", "/api/v1/schools/" + code + "/entitlements?term=" + term.str() +
                      (status.empty() ? "" : "&status=" + status) +
                      "&after=" + std::to_string(rows.back().id) + "&limit=" + limit);
  return json(o);
}

/// Returned payments waiting for a corrected account: a school administrator sees their
/// school's, bureau staff their region's.
}  // namespace edupay::api::handlers
