#pragma once
// Trace by student (按学生追溯): a student found by name, resident ID or national student number,
// with every entitlement, the payments that carried it and the bank's answer to each — the
// auditor's path from a person to the money, as `GET /api/v1/payments/{reference}` is from a
// payment. Masked: the resident ID and accounts only as stored masks.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/Money.h"
#include "security/FieldCipher.h"
#include "security/Users.h"

namespace edupay::bankfiles {

struct TracedPayment {
  std::string reference, state, bank_code, holder, acct_mask, payee, batch_status;
  int64_t batch_id = 0, attempt = 0;
  Money amount;  ///< the whole payment (for a payment to a school: every student it covers)
  Money share;   ///< this entitlement's part of it
  /// The bank's answer: paid / returned (empty while none), its reason, the day, the file.
  std::string outcome, reason_code, reason_text, settled_on, result_file;
};

struct TracedEntitlement {
  int64_t id = 0;
  std::string programme, term, status, paying_region, hold_reason, reason, decided_on;
  Money amount;
  std::vector<TracedPayment> payments;  ///< attempts in order
};

struct TracedStudent {
  int64_t person_id = 0;
  std::string name, rid_mask, student_no;
  struct School {
    std::string code, name, region, status;
  };
  std::vector<School> schools;                  ///< enrollments in order, the current one last
  std::vector<TracedEntitlement> entitlements;  ///< by term, programme
};

/// Reading students, their entitlements, payments and results (implemented in src/store).
class StudentTraceStore {
 public:
  virtual ~StudentTraceStore() = default;
  /// Students whose name is exactly `name` (at most `limit`), or whose resident ID has the
  /// blind index `rid_hash`, or whose student number is `student_no`.
  virtual std::vector<int64_t> findPersons(const std::string& name, const std::string& rid_hash,
                                           const std::string& student_no, size_t limit) = 0;
  virtual std::optional<TracedStudent> traceStudent(int64_t person_id) = 0;
};

/// Matches a name search returns at most (a common name in a province).
inline constexpr size_t kTraceMatches = 20;

/// The students `query` names — a resident ID, a national student number or a name (exact) —
/// that `user` sees (a school they were enrolled at is in the user's scope), each traced.
/// Bureau staff and auditors; Error(kForbidden) for other roles, Error(kInvalidInput) for an
/// empty or over-long query. An empty result means no such student in the user's scope.
[[nodiscard]] std::vector<TracedStudent> traceStudents(StudentTraceStore& store,
                                                       const security::FieldCipher& cipher,
                                                       const security::User& user,
                                                       const std::string& query);

}  // namespace edupay::bankfiles
