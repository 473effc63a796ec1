// Listings the bureau pages through: a batch's payees (what the approver checks), objections
// (with the batch each holds), and the held or excluded decisions of a county with their reasons.
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include "api/Handlers.h"
#include "api/Json.h"
#include "common/Error.h"
#include "common/JsonWrite.h"
#include "common/Term.h"
#include "common/Text.h"
#include "store/SqlListings.h"

namespace edupay::api::handlers {

using Poco::JSON::Array;
using Poco::JSON::Object;

namespace {

/// ?name= as a whole number, or `fallback`; Error(kInvalidInput) naming it otherwise.
int64_t queryNumber(const Request& req, const std::string& name, int64_t fallback) {
  const std::string v = req.queryOr(name);
  if (v.empty()) return fallback;
  if (!text::isAllDigits(v) || v.size() > 15)
    throw Error(ErrorCode::kInvalidInput, msg("api.param.whole_number", {arg("name", name)}));
  return std::stoll(v);
}

/// ?region= within the caller's scope (default: the whole scope); not found outside it.
std::string regionOf(const Request& req) {
  const std::string region = req.queryOr("region", req.user->scope == "*" ? "" : req.user->scope);
  if (!req.user->covers(region))
    throw Error(ErrorCode::kNotFound, msg("scope.no_region", {arg("region", region)}));
  return region;
}

}  // namespace

Reply batchPayees(const Request& req, Env& env) {
  const auto b = loadBatch(env, req);
  const int64_t limit = std::min<int64_t>(queryNumber(req, "limit", 100), 1000);
  store::SqlListings listings(env.db());
  const auto rows = listings.batchPayees(b.id, queryNumber(req, "after", 0),
                                         static_cast<size_t>(limit), req.queryOr("search"));
  Array arr;
  for (const auto& p : rows) arr.add(payeeJson(p));
  Object o;
  o.set("batch", b.id);
  o.set("payees", arr);
  if (static_cast<int64_t>(rows.size()) == limit) o.set("next_after", rows.back().seq);
  return json(o);
}

Reply objections(const Request& req, Env& env) {
  const std::string status = req.queryOr("status");
  if (!status.empty() && status != "open" && status != "upheld" && status != "dismissed")
    throw Error(ErrorCode::kInvalidInput, msg("api.status.objection"));
  store::SqlListings listings(env.db());
  Array arr;
  for (const auto& x : listings.objections(regionOf(req), status)) arr.add(objectionJson(x));
  Object o;
  o.set("objections", arr);
  return json(o);
}

Reply decisions(const Request& req, Env& env) {
  const Term term = Term::parse(req.queryOr("term"));
  const std::string region = regionOf(req);
  const std::string status = req.queryOr("status", "held");
  if (status != "held" && status != "excluded")
    throw Error(ErrorCode::kInvalidInput, msg("api.status.decision"));
  store::SqlListings listings(env.db());
  Array arr;
  int64_t total = 0;
  for (const auto& d : listings.decisions(term.str(), region, status)) {
    total += d.count;
    arr.add(decisionCountJson(d, req.lang));
  }
  Object o;
  json::set(o, "term", term.str(), "region", region, "status", status, "total", total, "reasons",
            arr);
  return json(o);
}

}  // namespace edupay::api::handlers
