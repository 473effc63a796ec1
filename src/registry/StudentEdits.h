#pragma once

#include <string>

#include "registry/RegistryStore.h"
#include "security/FieldCipher.h"
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

/// Merges a corrected identifier into the record of the child it belongs to (`edupay student
/// merge OLD NEW`). When only `old_key` (resident ID or student number) has a record, that record
/// takes `new_id` (any document ResidentId::parse accepts, or a G student number) as its
/// identifier. When `new_id` has a record too, the child was recorded twice: the record under
/// `new_id` is kept and the other's enrollments, household, guardians, accounts, levels,
/// nominations and entitlements move into it (RegistryStore::mergePersons: nothing is paid
/// twice; pairs already paid twice are reported for recovery); the old record keeps its
/// identifier as a pointer, so later rolls carrying it land on the kept record. The change log
/// keeps the old and new identifiers; the audit event names the actor, the records, the counts
/// and the reason. A school administrator of the child's school(s) or a bureau officer over
/// them; a reason is required. Error(kInvalidInput) for an unreadable identifier or no reason,
/// kNotFound for no record under `old_key` (or one out of scope), kConflict when both records
/// have an open enrollment or an entitlement to supersede is locked in a batch.
struct IdentifierMerge {
  int64_t person_id = 0;         ///< the record kept
  int64_t merged_person_id = 0;  ///< the record merged into it, or 0 when only the ID changed
  std::string old_mask, new_mask, document;
  MergeCounts counts;
};
IdentifierMerge mergeIdentifier(RegistryStore& store, security::SecurityStore& audit,
                                const security::FieldCipher& cipher, const security::User& user,
                                const std::string& old_key, const std::string& new_id,
                                const std::string& reason);

/// How a person is looked up from what a user typed: a resident ID (its blind index), a G student
/// number (the ID inside it), another student number, or a record number (up to 12 digits, as
/// refusals and the console show it). Error(kInvalidInput) naming the value masked when it is
/// none of these.
struct StudentKey {
  std::optional<std::string> rid_hash;
  std::string student_no;
  int64_t person_id = 0;
};
StudentKey studentKey(const security::FieldCipher& cipher, const std::string& text);
/// The record a key names (a merged record answers with the record kept).
std::optional<StudentRecord> findByKey(RegistryStore& store, const StudentKey& key);

/// The school a student is (or was last) enrolled at, and whether `user` may edit the student:
/// the school's administrator, or a bureau officer whose region covers the school.
std::string currentSchool(const StudentRecord& rec);
bool mayEditStudent(RegistryStore& store, const security::User& user, const std::string& school);

}  // namespace edupay::registry
