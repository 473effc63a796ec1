// Students: look-up, explain, the lifelong record, difficulty levels, accounts, returned payments.
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

Reply findStudent(const Request& req, Env& env) {
  const std::string id = req.queryOr("resident_id");
  std::optional<std::string> hash;
  std::string student_no;
  if (auto rid = ResidentId::parse(id)) {
    hash = env.cipher().blindIndex("resident_id", rid->str());
  } else if (auto no = StudentNumber::parse(id)) {
    student_no = no->str();
  } else {
    throw Error(ErrorCode::kInvalidInput, msg("api.student.key"));
  }
  return studentReply(req, env, env.registry().findStudent(hash, student_no));
}

Reply explain(const Request& req, Env& env) {
  const auto rid = ResidentId::parse(req.queryOr("resident_id"));
  if (!rid) throw Error(ErrorCode::kInvalidInput, msg("api.student.rid"));
  const Term term = Term::parse(req.queryOr("term"));
  const auto person =
      env.entitlements().personIdByHash(env.cipher().blindIndex("resident_id", rid->str()));
  if (!person) throw Error(ErrorCode::kNotFound, msg("scope.no_student_term"));
  auto stored = env.entitlements().activePolicy();
  if (!stored) throw Error(ErrorCode::kNotFound, msg("policy.none_active"));
  const auto policy = rules::parsePolicy(stored->content, "active policy " + stored->name);
  const Date reference = term.referenceDate(policy.term_config);
  const auto facts = env.entitlements().studentFacts(*person, reference, term.academicYear());
  if (!facts || !seesSchool(*req.user, env, facts->school_code))
    throw Error(ErrorCode::kNotFound, msg("scope.no_student_term"));
  const auto decisions = rules::evaluate(policy, term, *facts);
  return json(explainJson(policy, term, reference, *facts, decisions,
                          env.entitlements().entitlementsOf(*person, term), req.lang));
}

Reply correctAccount(const Request& req, Env& env) {
  const auto o = bodyObject(req);
  bankfiles::AccountCorrection c;
  c.student = field(o, "student", false);
  c.payment = field(o, "payment", false);
  if (c.student.empty() && c.payment.empty())
    throw Error(ErrorCode::kInvalidInput, msg("api.account.student_or_payment"));
  c.account = field(o, "account");
  c.holder = field(o, "holder");
  c.bank_code = field(o, "bank_code");
  if (o->has("kind")) c.kind = field(o, "kind");
  const auto r = bankfiles::correctAccount(env.registry(), env.disburse(), env.security(),
                                           *req.user, env.cipher(), c);
  Object out;
  out.set("person_id", r.person_id);
  out.set("account", r.mask);
  out.set("released_for_reissue", r.released);
  return json(out);
}

/// A school's basic account (masked), into which fee waivers are paid.

Reply recordDifficulty(const Request& req, Env& env) {
  const auto o = bodyObject(req);
  const std::string year = field(o, "academic_year");
  if (!text::isAllDigits(year) || year.size() != 4)
    throw Error(ErrorCode::kInvalidInput, msg("api.academic_year"));
  const auto c = registry::recordDifficulty(env.registry(), env.security(), *req.user, req.id("id"),
                                            std::stoi(year), field(o, "level"));
  Object out;
  json::set(out, "person_id", c.person_id, "academic_year", c.academic_year, "level", c.level,
            "previous", c.previous);
  return json(out);
}

/// One student's lifelong record by person id (masked), for pages that list students.
Reply studentById(const Request& req, Env& env) {
  return studentReply(req, env, env.registry().studentById(req.id("id")));
}

/// A school's decisions for a term (who is entitled and why), in keyset pages.

Reply returnedFunds(const Request& req, Env& env) {
  const auto& u = *req.user;
  const std::string region = u.role == Role::kSchoolAdmin ? env.schoolRegion(u.scope) : u.scope;
  Array arr;
  const ReturnReasons reasons(env);
  for (const auto& r : env.disburse().returnedFunds(region)) {
    if (u.role == Role::kSchoolAdmin && r.school_code != u.scope) continue;
    const std::string status = req.queryOr("status");
    if (!status.empty() && status != r.status) continue;
    arr.add(returnedJson(r, reasons.of(r.bank_code, r.reason_code, r.reason_text), req.lang));
  }
  Object o;
  o.set("returned", arr);
  return json(o);
}

}  // namespace edupay::api::handlers
