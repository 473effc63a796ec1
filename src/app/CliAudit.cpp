// `edupay audit log`: the operation log (操作日志) from the command line, the same use case and
// JSON as GET /api/v1/audit/events.
#include "api/AuditJson.h"
#include "app/Cli.h"
#include "app/CliContext.h"
#include "store/SqlAuditLog.h"

namespace edupay::app {

int cmdAuditLog(Context& c) {
  const auto user = c.actingUser();
  const auto q = api::auditQueryFrom(
      [&](const std::string& k) { return c.args().get(k == "page_size" ? "limit" : k); });
  store::SqlAuditLog log(c.db());
  const auto page = security::auditLog(log, user, q);
  if (c.json()) {
    c.out() << toJson(api::auditPageJson(page)) << "\n";
    return kExitOk;
  }
  for (const auto& entry : page.entries) {
    const auto& e = entry.event;
    c.out() << e.seq << "  " << e.at << "  " << e.actor << "  " << security::actionName(e.action)
            << " (" << e.action << ")  " << e.object << "\n";
    if (!e.before.empty()) c.out() << "    before: " << e.before << "\n";
    c.out() << "    " << (e.before.empty() ? "" : "after:  ") << e.after << "\n";
  }
  c.out() << "page " << page.page
          << (page.more ? " (more: --page " + std::to_string(page.page + 1) + ")" : " (last)")
          << "\n";
  return kExitOk;
}

}  // namespace edupay::app
