#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/Csv.h"
#include "common/Date.h"
#include "registry/Model.h"
#include "registry/RegistryStore.h"
#include "security/FieldCipher.h"

namespace edupay::registry {

struct RollImportOptions {
  bool dry_run = false;          ///< validate and apply inside a transaction, then roll it back
  bool accept_valid = false;     ///< write the good rows even when some rows are bad
  std::string report_path;       ///< CSV of every issue (line, column, value, severity, reason)
  Lang report_lang = Lang::kEn;  ///< the language of the report's reasons
  Date as_of = Date::today();
  TextEncoding encoding = TextEncoding::kAuto;
  size_t chunk_rows = 1000;                    ///< rows applied per store round trip
  std::function<void(int64_t rows)> progress;  ///< called every `progress_every` rows
  int64_t progress_every = 100000;
  std::string only_school;  ///< a school administrator's import: other schools' rows are errors
  std::string only_region;  ///< an officer's import: rows of schools outside this prefix are errors
};

struct RollImportResult;
/// Called inside the import's transaction just before it commits (the use case's audit event).
using RollCommitHook = std::function<void(const RollImportResult&)>;

struct RollImportResult {
  std::string file_sha256;
  TextEncoding encoding = TextEncoding::kUtf8;
  int64_t run_id = 0;
  int64_t rows_total = 0;
  int64_t rows_ok = 0;
  int64_t rows_bad = 0;
  int64_t warnings = 0;
  ApplyCounts counts;
  std::vector<Issue> issues;  ///< the first kMaxIssuesKept issues; the report has all of them
  int64_t issues_total = 0;
  bool committed = false;
  static constexpr size_t kMaxIssuesKept = 200;
};

/// Imports a school roll (templates/roll/README.md). Streams the file in constant memory; every
/// row is validated and every problem reported. Default all-or-nothing: one bad row and nothing
/// is written. Re-importing the same file changes nothing; changed rows update the record and
/// keep the old values in the change log; a student at a new school closes the old enrollment as
/// transferred. Throws Error for file-level failures (missing file, bad header, bad encoding).
[[nodiscard]] RollImportResult importRoll(RegistryStore& store, const security::FieldCipher& cipher,
                                          const std::string& path, const RollImportOptions& options,
                                          const RollCommitHook& before_commit = {});

/// Imports schools (code, name, region_code, stages, ownership[, bank_code, bank_account,
/// account_holder]); all-or-nothing, every bad row reported in the thrown Error's message.
struct SchoolImportResult {
  int64_t added = 0;
  int64_t updated = 0;
  int64_t accounts = 0;  ///< school accounts opened or replaced
};
/// `region_prefix`, when given, refuses rows of schools outside it (an officer's own county).
/// `before_commit` runs inside the transaction just before it commits. A row's `bank_account`
/// (the school's basic account, at the 12-digit CNAPS `bank_code`; holder `account_holder`, or
/// the school's name) is encrypted with `cipher`, which a file with accounts requires, and
/// recorded by `recorded_by`.
[[nodiscard]] SchoolImportResult importSchools(
    RegistryStore& store, const std::string& path, const std::string& region_prefix = {},
    const std::function<void(const SchoolImportResult&)>& before_commit = {},
    const security::FieldCipher* cipher = nullptr, const std::string& recorded_by = "import");
/// Imports regions (code, name, parent_code, level).
[[nodiscard]] SchoolImportResult importRegions(
    RegistryStore& store, const std::string& path,
    const std::function<void(const SchoolImportResult&)>& before_commit = {});

}  // namespace edupay::registry
