#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "registry/Model.h"

namespace edupay::registry {

/// A unit of work on the store: rolled back on destruction unless commit() ran.
class StoreTransaction {
 public:
  virtual ~StoreTransaction() = default;
  virtual void commit() = 0;
};

/// Persistence the registry needs. Implemented in src/store for SQLite and MySQL; the SQL lives
/// there. All methods throw edupay::Error (kConflict, kUnavailable, kInternal) on failure.
class RegistryStore {
 public:
  virtual ~RegistryStore() = default;

  virtual std::unique_ptr<StoreTransaction> transaction() = 0;

  /// Records the key fingerprint on first use; Error(kForbidden) when the database was written
  /// with a different key.
  virtual void checkKeyFingerprint(const std::string& fingerprint) = 0;

  /// Inserts or updates by code; returns {added, updated}.
  virtual std::pair<int64_t, int64_t> upsertRegions(const std::vector<Region>& regions) = 0;
  virtual std::pair<int64_t, int64_t> upsertSchools(const std::vector<School>& schools) = 0;
  virtual std::vector<School> listSchools() = 0;
  virtual bool regionExists(const std::string& code) = 0;

  /// Starts an import run record (inside the caller's transaction) and returns its id.
  virtual int64_t beginImportRun(const std::string& kind, const std::string& file_name,
                                 const std::string& file_sha256, const Date& as_of) = 0;
  virtual void finishImportRun(int64_t run_id, int64_t total, int64_t ok, int64_t bad) = 0;

  /// Applies a chunk of validated roll rows (de-duplicated against earlier chunks of the same run
  /// through persons.last_run_id). A row whose student already appeared earlier in the same run is
  /// not applied and is returned as an Issue naming the first line.
  virtual ApplyCounts applyRollChunk(const ImportContext& ctx, const std::vector<RollRecord>& rows,
                                     std::vector<Issue>& issues) = 0;

  /// By resident-ID blind index or student number.
  virtual std::optional<StudentRecord> findStudent(const std::optional<std::string>& rid_hash,
                                                   const std::string& student_no) = 0;
};

}  // namespace edupay::registry
