// Logging in and out.
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

Reply login(const Request& req, Env& env) {
  const auto o = bodyObject(req);
  const std::string name = field(o, "name"), password = field(o, "password");
  auto& throttle = env.runtime().logins;
  if (const int wait = throttle.retryAfter(req.client); wait > 0) {
    Object err;
    err.set("code", "too_many_requests");
    err.set("message", "too many failed logins from this address; try again in " +
                           std::to_string(wait) + " seconds");
    err.set("details", Array());
    Object body;
    body.set("error", err);
    Reply r = json(body, 429);
    r.headers["Retry-After"] = std::to_string(wait);
    return r;
  }
  security::Session s;
  try {
    s = security::openSession(env.security(), security::PasswordHasher(), name, password,
                              env.runtime().config.session_minutes);
  } catch (const Error& e) {
    if (e.code() != ErrorCode::kForbidden) throw;
    throttle.record(req.client);
    throw Error(ErrorCode::kUnauthenticated, e.what());
  }
  Object out;
  json::set(out, "token", s.token, "expires_at", s.expires_at, "user", userJson(s.user),
            "csrf_token", csrfToken(s.token));
  Reply r = json(out);
  const std::string attrs = std::string("; Path=/; SameSite=Strict") + (req.tls ? "; Secure" : "");
  r.cookies.push_back(std::string(kSessionCookie) + "=" + s.token + attrs + "; HttpOnly");
  r.cookies.push_back(std::string(kCsrfCookie) + "=" + csrfToken(s.token) + attrs);
  return r;
}

Reply logout(const Request& req, Env& env) {
  env.runtime().sessions.drop(req.token);
  security::closeSession(env.security(), req.token);
  Object out;
  out.set("logged_out", true);
  Reply r = json(out);
  r.cookies.push_back(std::string(kSessionCookie) + "=; Path=/; Max-Age=0; HttpOnly");
  r.cookies.push_back(std::string(kCsrfCookie) + "=; Path=/; Max-Age=0");
  return r;
}

Reply me(const Request& req, Env&) {
  Object out;
  out.set("user", userJson(*req.user));
  return json(out);
}

}  // namespace edupay::api::handlers
