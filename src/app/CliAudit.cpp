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
    c.out() << toJson(api::auditPageJson(page, c.lang())) << "\n";
    return kExitOk;
  }
  for (const auto& entry : page.entries) {
    const auto& e = entry.event;
    c.out() << e.seq << "  " << e.at << "  " << e.actor << "  "
            << security::actionName(e.action, c.lang()) << " (" << e.action << ")  " << e.object
            << "\n";
    const std::string after = security::auditText(e.after, c.lang());
    if (e.before.empty()) {
      c.out() << "    " << after << "\n";
    } else {
      c.out() << "    "
              << c.text(msg("cli.audit.before",
                            {arg("state", security::auditText(e.before, c.lang()))}))
              << "\n";
      c.out() << "    " << c.text(msg("cli.audit.after", {arg("state", after)})) << "\n";
    }
  }
  c.out() << c.text(page.more
                        ? msg("cli.audit.page_more", {arg("page", std::to_string(page.page)),
                                                      arg("next", std::to_string(page.page + 1))})
                        : msg("cli.audit.page_last", {arg("page", std::to_string(page.page))}))
          << "\n";
  return kExitOk;
}

}  // namespace edupay::app
