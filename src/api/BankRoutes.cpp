// The bank's answers and reconciliation.
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

Reply uploadResult(const Request& req, Env& env) {
  const Upload upload(req, env, "result", true);
  const std::string& path = upload.path();
  const auto r =
      bankfiles::importResultFile(env.disburse(), env.security(), *req.user, path, std::nullopt);
  Array problems;  // in the reader's language, without the server's path
  for (const auto& p : r.problem_messages) problems.add(i18n::render(p, req.lang));
  if (!r.problems.empty())
    return refusedImport("the result file", problems, static_cast<int64_t>(r.problems.size()),
                         req.lang);
  Object o = resultImportJson(r, req.lang);
  o.set("problems", problems);
  return json(o);
}

Reply reconcile(const Request& req, Env& env) {
  const Term term = Term::parse(req.queryOr("term"));
  const std::string region = req.queryOr("region", req.user->scope);
  if (!req.user->covers(region))
    throw Error(ErrorCode::kForbidden, msg("bank.reconcile.out_of_scope", {arg("region", region)}));
  const auto rows = env.disburse().reconcile(term, region);
  if (req.queryOr("format") == "csv") {
    std::ostringstream out;
    CsvWriter w(out);
    w.writeRow(reconcileCsvHeader());
    for (const auto& r : rows) w.writeRow(reconcileCsvRow(r));
    Reply rep;
    rep.content_type = "text/csv; charset=utf-8";
    rep.body = out.str();
    return rep;
  }
  Array arr;
  bool all = true;
  for (const auto& r : rows) {
    arr.add(reconcileJson(r, req.lang));
    all &= r.addsUp();
  }
  Object o;
  json::set(o, "term", term.str(), "region", region, "rows", arr, "adds_up", all);
  return json(o);
}

}  // namespace edupay::api::handlers
