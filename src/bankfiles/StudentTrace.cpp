#include "bankfiles/StudentTrace.h"

#include "common/Error.h"
#include "common/ResidentId.h"
#include "common/Text.h"
#include "security/AuditLog.h"

namespace edupay::bankfiles {

std::vector<TracedStudent> traceStudents(StudentTraceStore& store,
                                         const security::FieldCipher& cipher,
                                         const security::User& user, const std::string& query) {
  using security::Role;
  if (user.role != Role::kBureauOfficer && user.role != Role::kBureauApprover &&
      user.role != Role::kAuditor) {
    throw Error(ErrorCode::kForbidden, msg("bank.trace.forbidden"));
  }
  const std::string q = text::cleanField(query);
  if (q.empty() || q.size() > 64) {
    throw Error(ErrorCode::kInvalidInput, msg("bank.trace.query"));
  }
  std::string rid_hash, student_no, name;
  if (const auto rid = ResidentId::parse(q)) {
    rid_hash = cipher.blindIndex("resident_id", rid->str());
  } else if (const auto no = StudentNumber::parse(q)) {
    student_no = no->str();
  } else {
    name = q;
  }
  std::vector<TracedStudent> out;
  for (const int64_t id : store.findPersons(name, rid_hash, student_no, kTraceMatches)) {
    auto t = store.traceStudent(id);
    if (!t) continue;
    bool visible = false;
    for (const auto& s : t->schools) visible |= security::seesScope(user, {s.region, s.code, ""});
    if (visible) out.push_back(std::move(*t));
  }
  return out;
}

}  // namespace edupay::bankfiles
