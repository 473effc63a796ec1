#pragma once

#include <map>
#include <string>

#include "registry/RegistryStore.h"
#include "registry/RollMerge.h"
#include "store/Database.h"
#include "store/SqlStore.h"

namespace edupay::store {

/// RegistryStore over either dialect: the SQL is written once (portable `?` placeholders,
/// multi-row VALUES, `IN (...)` look-ups per chunk), so a chunk of 1,000 roll rows costs a
/// fixed number of round trips whatever the database.
class SqlRegistryStore : public SqlStore<registry::RegistryStore> {
 public:
  explicit SqlRegistryStore(Database& db) : SqlStore(db) {}

  void checkKeyFingerprint(const std::string& fingerprint) override;
  std::pair<int64_t, int64_t> upsertRegions(const std::vector<registry::Region>& regions) override;
  std::pair<int64_t, int64_t> upsertSchools(const std::vector<registry::School>& schools) override;
  std::vector<registry::School> listSchools() override;
  int64_t beginImportRun(const std::string& kind, const std::string& file_name,
                         const std::string& file_sha256, const Date& as_of) override;
  void finishImportRun(int64_t run_id, int64_t total, int64_t ok, int64_t bad) override;
  registry::ApplyCounts applyRollChunk(const registry::ImportContext& ctx,
                                       const std::vector<registry::RollRecord>& rows,
                                       std::vector<registry::Issue>& issues) override;
  registry::RosterCounts applyRoster(const std::string& source, int64_t run_id,
                                     const std::vector<registry::RosterRow>& rows) override;
  std::vector<std::string> replaceNominations(const std::string& programme, int academic_year,
                                              const std::vector<std::string>& rid_hashes) override;
  std::vector<registry::MissingChild> rosterChildrenNotEnrolled(const Date& reference, int min_age,
                                                                int max_age) override;
  int64_t replaceAccount(int64_t person_id, const AccountUpdate& a) override;
  std::string setDifficulty(int64_t person_id, int academic_year, const std::string& level,
                            const std::string& school_code) override;
  std::optional<registry::StudentRecord> studentById(int64_t person_id) override;
  std::string schoolRegion(const std::string& school_code) override;
  SchoolAccountChange replaceSchoolAccount(const std::string& school_code,
                                           const SchoolAccountUpdate& a) override;
  std::optional<SchoolAccountView> schoolAccount(const std::string& school_code) override;
  std::vector<StudentRow> studentsAt(const std::string& school_code, int64_t after_id,
                                     size_t limit) override;
  void replaceIdentifier(int64_t person_id, const registry::Protected& id,
                         const std::string& document, const std::string& today) override;
  registry::MergeCounts mergePersons(int64_t keep, int64_t lose, const std::string& today) override;
  std::optional<registry::StudentRecord> findStudent(const std::optional<std::string>& rid_hash,
                                                     const std::string& student_no) override;

 private:
  std::optional<registry::StudentRecord> studentWhere(const char* column, const SqlValue& value);
  int64_t schoolId(const std::string& code);
  /// The roll merge's load and apply steps (SqlRollLoad.cpp, SqlRollApply.cpp) around
  /// registry::decideRollMerge; `d.counts.guardians_added` is counted as links are written.
  registry::RollSnapshot loadRollSnapshot(const registry::ImportContext& ctx,
                                          const std::vector<registry::RollRecord>& rows);
  void applyRollDecisions(const registry::ImportContext& ctx,
                          const std::vector<registry::RollRecord>& rows,
                          const registry::RollSnapshot& on_record, registry::RollDecisions& d);
  std::map<std::string, int64_t> school_ids_;
};

}  // namespace edupay::store
