#pragma once

#include <string>

#include "registry/RegistryStore.h"
#include "security/Users.h"

namespace edupay::registry {

/// A school administrator (of the student's school) or a bureau officer over it records the
/// student's assessed difficulty level for an academic year. One transaction: the level, the
/// field history and the audit event. Returns the previous level ("none" when none was recorded).
/// Error(kInvalidInput) for an unknown level or a year outside 2000..2100, kNotFound for an
/// unknown student, kForbidden out of scope.
struct DifficultyChange {
  int64_t person_id = 0;
  int academic_year = 0;
  std::string level, previous;
};
DifficultyChange recordDifficulty(RegistryStore& store, security::SecurityStore& audit,
                                  const security::User& user, int64_t person_id, int academic_year,
                                  const std::string& level);

/// The school a student is (or was last) enrolled at, and whether `user` may edit the student:
/// the school's administrator, or a bureau officer whose region covers the school.
std::string currentSchool(const StudentRecord& rec);
bool mayEditStudent(RegistryStore& store, const security::User& user, const std::string& school);

}  // namespace edupay::registry
