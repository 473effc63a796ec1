#pragma once
// The /api/v1 handlers, one file per resource (SessionRoutes, StudentRoutes, SchoolRoutes,
// BatchRoutes, BankRoutes, ListingRoutes, OperationRoutes, FamilyRoutes), and what they share.
// Each handler only parses the request, calls the library's use case and renders its outcome;
// Api.cpp holds the route table (paths, roles, summaries). Internal to the service: not installed,
// not used by the CLI.
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "api/Env.h"
#include "api/Router.h"
#include "disburse/Batches.h"
#include "registry/Model.h"
#include "registry/RegistryStore.h"

namespace edupay::api::handlers {

// ---- shared (Handlers.cpp) ----

/// A JSON reply with `status`.
Reply json(const Poco::JSON::Object& o, int status = 200);
/// The request body as a JSON object; Error(kInvalidInput) when it is not one.
Poco::JSON::Object::Ptr bodyObject(const Request& req);
/// A string field of a JSON body; Error(kInvalidInput) naming it when required and missing.
std::string field(const Poco::JSON::Object::Ptr& o, const std::string& name, bool required = true);
/// Error(kNotFound, not_found) unless `u` covers `region` (bank operators: `bank`); callers pass
/// the same message as when the object does not exist, so the two read alike.
void scoped(const security::User& u, const std::string& region, const std::string& bank,
            const Message& not_found);
/// The reason a bank gave for returning a payment, as people read it: the code's explanation
/// from the bank's layout (or the shared ISO 20022 codes) in the reader's language, the code
/// beside it. Reads the banks once.
class ReturnReasons {
 public:
  explicit ReturnReasons(Env& env);
  Message of(const std::string& bank_code, const std::string& code, const std::string& text) const;

 private:
  const bankfiles::LayoutSet& layouts_;
  std::map<std::string, std::string> layout_of_;  ///< bank code -> layout name
};

/// Whether `u` sees school `code` (its administrator, or bureau staff and auditors of its county).
bool seesSchool(const security::User& u, Env& env, const std::string& code);
/// A student's masked lifelong record for a user who sees one of the student's schools;
/// Error(kNotFound) otherwise.
Reply studentReply(const Request& req, Env& env, const std::optional<registry::StudentRecord>& rec);
Poco::JSON::Object userJson(const security::User& u);
/// The batch `{id}` of the request, within the caller's scope (bank operators see only exported
/// batches of their bank); Error(kNotFound) otherwise.
disburse::Batch loadBatch(Env& env, const Request& req);
/// The 422 reply for an import refused whole, with its row problems.
Reply refusedImport(const std::string& what, const Poco::JSON::Array& issues, int64_t total,
                    Lang lang);

/// The uploaded file on disk under files.dir/uploads (mode 600), named by its digest. Rolls,
/// rosters and budgets carry personal data and are removed when this goes out of scope; bank result
/// files are kept (`keep`) as the bank's evidence.
class Upload {
 public:
  Upload(const Request& req, Env& env, const std::string& kind, bool keep);
  ~Upload();
  Upload(const Upload&) = delete;
  Upload& operator=(const Upload&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  bool keep_;
};

// ---- SessionRoutes.cpp ----
Reply login(const Request& req, Env& env);
Reply logout(const Request& req, Env& env);
Reply me(const Request& req, Env& env);

// ---- StudentRoutes.cpp ----
Reply findStudent(const Request& req, Env& env);
Reply explain(const Request& req, Env& env);
Reply studentById(const Request& req, Env& env);
Reply recordDifficulty(const Request& req, Env& env);
Reply correctAccount(const Request& req, Env& env);
Reply returnedFunds(const Request& req, Env& env);

// ---- SchoolRoutes.cpp ----
Reply schools(const Request& req, Env& env);
Reply schoolStudents(const Request& req, Env& env);
Reply uploadRoll(const Request& req, Env& env);
Reply uploadRoster(const Request& req, Env& env);
Reply schoolEntitlements(const Request& req, Env& env);
Reply schoolAccount(const Request& req, Env& env);
Reply setSchoolAccount(const Request& req, Env& env);

// ---- BatchRoutes.cpp ----
Reply listBatches(const Request& req, Env& env);
Reply batchDetail(const Request& req, Env& env);
/// submit / approve / reject / return-to-draft / close of the batch `{id}`.
Reply transition(const Request& req, Env& env, const std::string& what);
Reply clearFlag(const Request& req, Env& env);
Reply buildBatches(const Request& req, Env& env);
Reply exportBatch(const Request& req, Env& env);
Reply download(const Request& req, Env& env);
Reply publishNotice(const Request& req, Env& env);
Reply noticeFile(const Request& req, Env& env);
Reply addObjection(const Request& req, Env& env);
Reply resolveObjection(const Request& req, Env& env);

// ---- BankRoutes.cpp ----
Reply uploadResult(const Request& req, Env& env);
Reply reconcile(const Request& req, Env& env);

// ---- ListingRoutes.cpp ----
Reply batchPayees(const Request& req, Env& env);
Reply objections(const Request& req, Env& env);
Reply decisions(const Request& req, Env& env);

// ---- OperationRoutes.cpp ----
Reply programmes(const Request& req, Env& env);
Reply startEntitlementRun(const Request& req, Env& env);
Reply jobStatus(const Request& req, Env& env);
Reply budgets(const Request& req, Env& env);
/// The bureau's paying account at each bank (付款账户) for the user's region, and recording one.
Reply payers(const Request& req, Env& env);
Reply setPayer(const Request& req, Env& env);
Reply importBudgets(const Request& req, Env& env);
Reply report(const Request& req, Env& env);
Reply tracePayment(const Request& req, Env& env);
Reply auditVerify(const Request& req, Env& env);

// ---- AuditRoutes.cpp ----
Reply auditEvents(const Request& req, Env& env);
Reply uploads(const Request& req, Env& env);
Reply traceStudent(const Request& req, Env& env);

// ---- FamilyRoutes.cpp ----
Reply publicLookup(const Request& req, Env& env);
Reply publicCounties(const Request& req, Env& env);
Reply publicFileComplaint(const Request& req, Env& env);
Reply publicComplaintStatus(const Request& req, Env& env);
Reply listComplaints(const Request& req, Env& env);
Reply showComplaint(const Request& req, Env& env);
Reply assignComplaint(const Request& req, Env& env);
Reply noteComplaint(const Request& req, Env& env);
Reply closeComplaint(const Request& req, Env& env);
Reply actOnComplaint(const Request& req, Env& env);
Reply releaseComplaintHolds(const Request& req, Env& env);
Reply complaintReport(const Request& req, Env& env);
Reply familySlips(const Request& req, Env& env);
// ---- IdentificationRoutes.cpp ----
Reply identificationRounds(const Request& req, Env& env);
Reply openIdentification(const Request& req, Env& env);
Reply identificationRound(const Request& req, Env& env);
Reply addIdentificationApplication(const Request& req, Env& env);
Reply assessIdentificationCase(const Request& req, Env& env);
Reply decideIdentificationCase(const Request& req, Env& env);
Reply publishIdentificationNotice(const Request& req, Env& env);
Reply addIdentificationObjection(const Request& req, Env& env);
Reply resolveIdentificationObjection(const Request& req, Env& env);
Reply fileIdentification(const Request& req, Env& env);
Reply reviewIdentification(const Request& req, Env& env);
Reply drawIdentificationSpotChecks(const Request& req, Env& env);
Reply recordIdentificationSpotCheck(const Request& req, Env& env);
Reply identificationFamily(const Request& req, Env& env);
Reply identificationCounty(const Request& req, Env& env);
Reply identificationReport(const Request& req, Env& env);

}  // namespace edupay::api::handlers
