// The auditor's oversight: the operation log (操作日志), upload histories (上传记录) and the trace
// by student (按学生追溯). Reads only; scope is applied by the library calls.
#include "api/AuditJson.h"
#include "api/Handlers.h"
#include "store/SqlAuditLog.h"

namespace edupay::api::handlers {

Reply auditEvents(const Request& req, Env& env) {
  store::SqlAuditLog log(env.db());
  const auto q = auditQueryFrom([&](const std::string& k) { return req.queryOr(k); });
  return json(auditPageJson(security::auditLog(log, *req.user, q), req.lang));
}

Reply uploads(const Request& req, Env& env) {
  store::SqlAuditLog log(env.db());
  const auto q = auditQueryFrom([&](const std::string& k) { return req.queryOr(k); });
  const std::string kind =
      req.queryOr("kind", req.user->role == security::Role::kBankOperator ? "result" : "roll");
  bool more = false;
  const auto list = security::uploadHistory(log, *req.user, kind, q.page, q.page_size, &more);
  return json(uploadsJson(kind, q.page, more, list, req.lang));
}

Reply traceStudent(const Request& req, Env& env) {
  store::SqlAuditLog log(env.db());
  const std::string query = req.queryOr("student");
  return json(
      studentTraceJson(query, bankfiles::traceStudents(log, env.cipher(), *req.user, query)));
}

}  // namespace edupay::api::handlers
