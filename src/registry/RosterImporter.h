#pragma once

#include <functional>

#include <string>
#include <vector>

#include "common/Date.h"
#include "registry/Model.h"
#include "registry/RegistryStore.h"
#include "security/FieldCipher.h"

namespace edupay::registry {

/// The official departments whose rosters edupay takes, and the categories each reports.
bool isRosterSource(const std::string& source);
/// The department a roster source names (poverty: 乡村振兴部门), as the message argument `name`.
MessageArg rosterSourceWords(const char* name, std::string_view source);

struct RosterImportResult {
  std::string file_sha256;
  int64_t rows_total = 0;
  int64_t rows_bad = 0;
  RosterCounts counts;
  std::vector<Issue> issues;  ///< the first 200
  int64_t issues_total = 0;
  bool committed = false;
};

/// Imports an official roster (resident_id, name, household_id, category, valid_from, valid_to,
/// region) from `source` (poverty, civil_affairs, disabled, orphan). Rosters are authoritative
/// for household status on a date. All-or-nothing; re-importing is idempotent; an exit arrives as
/// a valid_to, never a delete. Throws Error for file-level problems.
/// `region_prefix`, when given, refuses rows of regions outside it (an officer's scope);
/// `before_commit` runs inside the transaction just before it commits (the audit event).
[[nodiscard]] RosterImportResult importRoster(
    RegistryStore& store, const security::FieldCipher& cipher, const std::string& path,
    const std::string& source, bool dry_run, const std::string& region_prefix = {},
    const std::function<void(const RosterImportResult&)>& before_commit = {});

struct NominationImportResult {
  int64_t rows = 0;
  int64_t matched = 0;
  std::vector<std::string> unmatched;  ///< masked IDs of nominees with no registered student
};

/// Replaces the nomination list of a programme for an academic year (resident_id[, name]).
/// Refused whole (Error) when a row's ID is malformed or a nominee is not a registered student.
[[nodiscard]] NominationImportResult importNominations(
    RegistryStore& store, const security::FieldCipher& cipher, const std::string& path,
    const std::string& programme, int academic_year,
    const std::function<void(const NominationImportResult&)>& before_commit = {});

}  // namespace edupay::registry
