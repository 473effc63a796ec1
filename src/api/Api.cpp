// The /api/v1 route table: every path, its roles and summary. The handlers are in one file per
// resource (see Handlers.h); which county, school or bank a user may touch is checked by the
// library call or by the handlers' scope helpers.
#include <set>

#include "api/Env.h"
#include "api/Handlers.h"
#include "api/Router.h"
#include "security/PasswordHasher.h"

namespace edupay::api {

std::string csrfToken(const std::string& session_token) {
  return security::sha256Hex("edupay-csrf:" + session_token).substr(0, 32);
}

namespace {

/// Marks a route that takes an uploaded file (see Route::upload).
Route upload(Route r) {
  r.upload = true;
  return r;
}

/// Families can see and report: the public page's look-up and complaints (no login; rate-limited
/// per address and per identifier), the county's complaint handling, the schools' slips.
void addFamilyRoutes(Router& r) {
  using namespace handlers;
  using security::Role;
  const std::set<Role> officer = {Role::kBureauOfficer};
  const std::set<Role> bureau = {Role::kBureauOfficer, Role::kBureauApprover, Role::kAuditor};
  r.add({"POST",
         "/api/v1/public/lookup",
         "a family looks up the aid of a child by name, ID or student number and birth date",
         true,
         {},
         publicLookup});
  r.add({"GET",
         "/api/v1/public/counties",
         "the counties a complaint can be sent to",
         true,
         {},
         publicCounties});
  Route file{"POST",
             "/api/v1/public/complaints",
             "file a complaint (投诉/举报); returns a tracking code",
             true,
             {},
             publicFileComplaint};
  file.max_body = 16 * 1024;
  r.add(file);
  r.add({"GET",
         "/api/v1/public/complaints/{code}",
         "a complaint's status and outcome by tracking code",
         true,
         {},
         publicComplaintStatus});
  r.add({"GET", "/api/v1/complaints", "complaints of the region, overdue first (?status=)", false,
         bureau, listComplaints});
  r.add({"GET", "/api/v1/complaints/{id}", "a complaint with its notes and links", false, bureau,
         showComplaint});
  r.add({"POST", "/api/v1/complaints/{id}/assign", "assign a complaint {\"to\"}", false, officer,
         assignComplaint});
  r.add({"POST", "/api/v1/complaints/{id}/notes", "add an investigation note {\"text\"}", false,
         officer, noteComplaint});
  r.add({"POST", "/api/v1/complaints/{id}/close",
         "close with {\"outcome\": confirmed|not_confirmed|referred, \"text\"}", false, officer,
         closeComplaint});
  r.add({"POST", "/api/v1/complaints/{id}/actions",
         "act on a confirmed complaint {\"kind\": hold|flag|objection, \"programme\", \"term\"}",
         false, officer, actOnComplaint});
  r.add({"POST", "/api/v1/complaints/{id}/release", "release a complaint's holds {\"reason\"}",
         false, officer, releaseComplaintHolds});
  r.add({"GET", "/api/v1/reports/complaints",
         "complaints by category, county, outcome and days to close", false, bureau,
         complaintReport});
  r.add({"GET",
         "/api/v1/schools/{code}/slips",
         "printable slips with the families' page address, one per student (HTML)",
         false,
         {Role::kSchoolAdmin, Role::kBureauOfficer},
         familySlips});
}

}  // namespace

void addRoutes(Router& r) {
  using namespace handlers;
  using security::Role;
  const std::set<Role> officer = {Role::kBureauOfficer};
  const std::set<Role> approver = {Role::kBureauApprover};
  const std::set<Role> bureau = {Role::kBureauOfficer, Role::kBureauApprover, Role::kAuditor};
  const std::set<Role> readers = {Role::kSchoolAdmin, Role::kBureauOfficer, Role::kBureauApprover,
                                  Role::kAuditor};
  r.add({"POST", "/api/v1/login", "log in; returns a bearer token", true, {}, login});
  r.add({"POST", "/api/v1/logout", "revoke the session", false, {}, logout});
  r.add({"GET", "/api/v1/me", "the logged-in user", false, {}, me});
  r.add({"GET", "/api/v1/students", "look a student up by resident ID (masked record)", false,
         readers, findStudent});
  r.add({"GET", "/api/v1/explain", "why a student gets or does not get each programme", false,
         readers, explain});
  r.add({"GET", "/api/v1/schools", "schools in scope", false, readers, schools});
  r.add({"GET", "/api/v1/programmes", "the active policy's programmes", false, {}, programmes});
  r.add({"GET", "/api/v1/schools/{code}/students",
         "a school's students (?after=PERSON&limit=N keyset pages, masked)", false, readers,
         schoolStudents});
  r.add(upload({"POST",
                "/api/v1/rolls",
                "upload the school's roll (?dry_run=1, ?accept_valid=1)",
                false,
                {Role::kSchoolAdmin, Role::kBureauOfficer},
                uploadRoll}));
  r.add({"GET", "/api/v1/students/{id}", "a student's lifelong record by person id (masked)", false,
         readers, studentById});
  r.add({"POST",
         "/api/v1/students/{id}/difficulty",
         "record a difficulty level {\"academic_year\", \"level\"}",
         false,
         {Role::kSchoolAdmin, Role::kBureauOfficer},
         recordDifficulty});
  r.add({"GET", "/api/v1/schools/{code}/entitlements",
         "a school's decisions for a term with reasons (?term=, ?status=, keyset pages)", false,
         readers, schoolEntitlements});
  r.add({"POST",
         "/api/v1/accounts",
         "correct a student's payee account (releases returned payments for re-issue)",
         false,
         {Role::kSchoolAdmin, Role::kBureauOfficer},
         correctAccount});
  r.add({"GET", "/api/v1/schools/{code}/account", "a school's account for fee waivers (masked)",
         false, readers, schoolAccount});
  r.add({"PUT",
         "/api/v1/schools/{code}/account",
         "record a school's account for fee waivers (releases its returned payments for re-issue)",
         false,
         {Role::kBureauOfficer, Role::kSysadmin},
         setSchoolAccount});
  r.add({"GET", "/api/v1/returned", "returned payments waiting for a corrected account (?status=)",
         false, readers, returnedFunds});
  r.add(upload({"POST", "/api/v1/rosters", "upload an official roster (?source=)", false, officer,
                uploadRoster}));
  r.add({"POST", "/api/v1/entitlement-runs", "start the term's entitlement run (a job)", false,
         officer, startEntitlementRun});
  r.add({"GET", "/api/v1/jobs/{id}", "a job's progress and result", false, {}, jobStatus});
  r.add({"POST",
         "/api/v1/notices",
         "publish a school's public notice",
         false,
         {Role::kBureauOfficer, Role::kSchoolAdmin},
         publishNotice});
  r.add({"GET", "/api/v1/notices/{file}", "a published notice (printable HTML or CSV)", false,
         readers, noticeFile});
  r.add({"POST", "/api/v1/objections", "record an objection", false, officer, addObjection});
  r.add({"POST", "/api/v1/objections/{id}/resolve", "resolve an objection", false, officer,
         resolveObjection});
  r.add({"GET",
         "/api/v1/batches",
         "batches in scope (?term=, ?status=)",
         false,
         {Role::kBureauOfficer, Role::kBureauApprover, Role::kAuditor, Role::kBankOperator},
         listBatches});
  r.add({"GET",
         "/api/v1/batches/{id}",
         "a batch with totals, flags, budget and files",
         false,
         {Role::kBureauOfficer, Role::kBureauApprover, Role::kAuditor, Role::kBankOperator},
         batchDetail});
  r.add({"POST", "/api/v1/batches", "build draft batches {\"programme\", \"term\", \"region\"}",
         false, officer, buildBatches});
  r.add({"POST", "/api/v1/batches/{id}/submit", "submit a draft batch", false, officer,
         [](const Request& q, Env& e) { return transition(q, e, "submit"); }});
  r.add({"POST", "/api/v1/batches/{id}/approve", "approve a submitted batch", false, approver,
         [](const Request& q, Env& e) { return transition(q, e, "approve"); }});
  r.add({"POST", "/api/v1/batches/{id}/reject", "reject with {\"reason\"}", false, approver,
         [](const Request& q, Env& e) { return transition(q, e, "reject"); }});
  r.add({"POST", "/api/v1/batches/{id}/return-to-draft",
         "send an approved batch that cannot be exported back to draft with {\"reason\"}", false,
         approver, [](const Request& q, Env& e) { return transition(q, e, "return-to-draft"); }});
  r.add({"POST", "/api/v1/batches/{id}/export", "write the payment files of an approved batch",
         false, officer, exportBatch});
  r.add({"POST", "/api/v1/batches/{id}/close", "close a settled batch", false, officer,
         [](const Request& q, Env& e) { return transition(q, e, "close"); }});
  r.add({"GET",
         "/api/v1/batches/{id}/files/{name}",
         "a payment file, manifest or signature",
         false,
         {Role::kBureauOfficer, Role::kBankOperator},
         download});
  r.add({"GET", "/api/v1/batches/{id}/payees",
         "the batch's payees, masked, in file order (?search=, ?after=, ?limit=)", false, bureau,
         batchPayees});
  r.add({"GET", "/api/v1/objections", "objections in scope (?status=, ?region=)", false, bureau,
         objections});
  r.add({"GET", "/api/v1/decisions",
         "held or excluded decisions counted by programme and reason (?term=, ?status=, ?region=)",
         false, bureau, decisions});
  r.add({"POST", "/api/v1/flags/{id}/clear", "clear a precision flag with {\"reason\"}", false,
         officer, clearFlag});
  r.add({"GET", "/api/v1/budgets", "budget lines in scope (?year=)", false, bureau, budgets});
  r.add({"GET",
         "/api/v1/payers",
         "the bureau's paying account at each bank for the user's region (?region=)",
         false,
         {Role::kBureauOfficer, Role::kBureauApprover, Role::kAuditor, Role::kSysadmin},
         payers});
  r.add({"PUT",
         "/api/v1/payers/{bank}",
         "record the account the region pays from at a bank ({\"account\", \"name\", \"region\"?})",
         false,
         {Role::kBureauOfficer, Role::kSysadmin},
         setPayer});
  r.add(upload({"POST", "/api/v1/budgets", "import budget allocations (CSV)", false, officer,
                importBudgets}));
  r.add(upload({"POST",
                "/api/v1/results",
                "upload a bank result file (raw or multipart)",
                false,
                {Role::kBankOperator, Role::kBureauOfficer},
                uploadResult}));
  r.add({"GET", "/api/v1/reconciliation", "reconciliation (?term=, ?region=, ?format=csv)", false,
         bureau, reconcile});
  r.add({"GET", "/api/v1/reports",
         "entitled, paid, returned (?term=, ?region=, ?by=programme,region,stage,category,term, "
         "?format=json|csv|xlsx)",
         false, bureau, report});
  r.add({"GET",
         "/api/v1/payments/{reference}",
         "trace a payment to its entitlement, rule, roster rows and approvers",
         false,
         {Role::kBureauOfficer, Role::kBureauApprover, Role::kAuditor},
         tracePayment});
  // The identification of needy students (资助对象认定): the school's administrator enters, a
  // school approver decides, the county's officer reviews and spot-checks.
  const std::set<Role> school_admin = {Role::kSchoolAdmin};
  const std::set<Role> school_approver = {Role::kSchoolApprover};
  const std::set<Role> ident_readers = {Role::kSchoolAdmin, Role::kSchoolApprover,
                                        Role::kBureauOfficer, Role::kBureauApprover,
                                        Role::kAuditor};
  r.add({"GET", "/api/v1/identification/rounds",
         "identification rounds in scope (?school=, ?year=)", false, ident_readers,
         identificationRounds});
  r.add({"POST", "/api/v1/identification/rounds",
         "open a school's identification for an academic year; special groups come in from the "
         "rosters {\"school\", \"academic_year\", \"identification_date\"}",
         false, school_admin, openIdentification});
  r.add({"GET", "/api/v1/identification/rounds/{id}",
         "a round with its cases, notices, objections and spot checks (masked)", false,
         ident_readers, identificationRound});
  r.add({"POST", "/api/v1/identification/rounds/{id}/applications",
         "enter a student's application (or a change during the year, \"kind\": \"change\")", false,
         school_admin, addIdentificationApplication});
  r.add({"POST", "/api/v1/identification/cases/{id}/assessment",
         "record the class panel's score and proposal", false, school_admin,
         assessIdentificationCase});
  r.add({"POST", "/api/v1/identification/cases/{id}/decision",
         "the school working group's decision (not by who entered or assessed it)", false,
         school_approver, decideIdentificationCase});
  r.add({"GET", "/api/v1/identification/cases/{id}/family",
         "a case's family situation, decrypted (school, county, auditors)", false, ident_readers,
         identificationFamily});
  r.add({"POST", "/api/v1/identification/rounds/{id}/notice",
         "publish the in-school notice (name, class, level) of the decided cases", false,
         school_admin, publishIdentificationNotice});
  r.add({"POST",
         "/api/v1/identification/cases/{id}/objections",
         "record an objection; blocks the student's level until resolved",
         false,
         {Role::kSchoolAdmin, Role::kSchoolApprover},
         addIdentificationObjection});
  r.add({"POST", "/api/v1/identification/objections/{id}/resolve",
         "resolve an objection {\"decision\", \"level\", \"reason\"}", false, school_approver,
         resolveIdentificationObjection});
  r.add({"POST", "/api/v1/identification/rounds/{id}/file",
         "file the noticed cases: levels in force, the county reviews", false, school_admin,
         fileIdentification});
  r.add({"POST", "/api/v1/identification/rounds/{id}/review",
         "county review {\"decision\": \"accept\"|\"send_back\", \"reason\"}", false, officer,
         reviewIdentification});
  r.add({"POST", "/api/v1/identification/rounds/{id}/spot-checks",
         "draw the seeded spot-check sample {\"seed\", \"percent\"}", false, officer,
         drawIdentificationSpotChecks});
  r.add({"POST", "/api/v1/identification/spot-checks/{id}",
         "record a spot check's outcome (false information revokes and lists money to recover)",
         false, officer, recordIdentificationSpotCheck});
  r.add({"GET", "/api/v1/identification/county",
         "each school's outcome against enrollment, with outliers (?year=, ?region=)", false,
         bureau, identificationCounty});
  r.add({"GET", "/api/v1/identification/report",
         "identified students per school, level and group; spot-check outcomes; money to "
         "recover (?year=, ?region=)",
         false, bureau, identificationReport});
  r.add({"GET",
         "/api/v1/audit/verify",
         "walk the audit chain",
         false,
         {Role::kAuditor, Role::kSysadmin},
         auditVerify});
  r.add({"GET",
         "/api/v1/audit/events",
         "the operation log, newest first (?user=, ?action=, ?object=, ?from=, ?to=, ?page=)",
         false,
         {Role::kAuditor, Role::kSysadmin},
         auditEvents});
  r.add({"GET",
         "/api/v1/uploads",
         "upload history of rolls or bank result files (?kind=roll|result, ?page=)",
         false,
         {Role::kSchoolAdmin, Role::kBureauOfficer, Role::kBureauApprover, Role::kAuditor,
          Role::kBankOperator, Role::kSysadmin},
         uploads});
  r.add({"GET", "/api/v1/trace", "trace a student (?student=NAME-or-ID) to payments and results",
         false, bureau, traceStudent});
  addFamilyRoutes(r);
}

}  // namespace edupay::api
