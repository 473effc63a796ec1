#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/StoreTransaction.h"
#include "registry/Model.h"

namespace edupay::registry {

using edupay::StoreTransaction;

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

  /// Starts an import run record (inside the caller's transaction) and returns its id.
  virtual int64_t beginImportRun(const std::string& kind, const std::string& file_name,
                                 const std::string& file_sha256, const Date& as_of) = 0;
  virtual void finishImportRun(int64_t run_id, int64_t total, int64_t ok, int64_t bad) = 0;

  /// Applies a chunk of validated roll rows (de-duplicated against earlier chunks of the same run
  /// through persons.last_run_id). A row whose student already appeared earlier in the same run is
  /// not applied and is returned as an Issue naming the first line.
  virtual ApplyCounts applyRollChunk(const ImportContext& ctx, const std::vector<RollRecord>& rows,
                                     std::vector<Issue>& issues) = 0;

  /// Roster rows for one source, applied idempotently: (household, category, source, valid_from)
  /// identifies a status; a changed valid_to updates it; nothing is deleted.
  virtual RosterCounts applyRoster(const std::string& source, int64_t run_id,
                                   const std::vector<RosterRow>& rows) = 0;

  /// Nominations (scholarship lists) per programme and academic year, by resident-ID blind index.
  /// Returns the blind indexes that matched no registered student.
  virtual std::vector<std::string> replaceNominations(
      const std::string& programme, int academic_year,
      const std::vector<std::string>& rid_hashes) = 0;

  /// Roster children aged [min_age, max_age] on `reference` with no enrollment open then.
  virtual std::vector<MissingChild> rosterChildrenNotEnrolled(const Date& reference, int min_age,
                                                              int max_age) = 0;

  /// A corrected payee account (`edupay account update`): closes the student's open account of
  /// `kind`, opens this one, records both in the field history; returns the new account's id.
  struct AccountUpdate {
    std::string kind, owner, hash, enc, mask, bank_code, holder, as_of;
    bool luhn_ok = true;
  };
  virtual int64_t replaceAccount(int64_t person_id, const AccountUpdate& a) = 0;
  /// Records a student's difficulty level for an academic year (at `school_code`), with the field
  /// history; returns the previous level ("none" when there was none).
  virtual std::string setDifficulty(int64_t person_id, int academic_year, const std::string& level,
                                    const std::string& school_code) = 0;

  virtual std::optional<StudentRecord> studentById(int64_t person_id) = 0;
  /// Gives the person a corrected identifier (its blind index, ciphertext, mask and document
  /// type) and records the old and new masked values in the change log. Error(kConflict) when the
  /// new identifier already belongs to another person (the database's unique index).
  virtual void replaceIdentifier(int64_t person_id, const Protected& id,
                                 const std::string& document, const std::string& today) = 0;
  /// Merges the record `lose` into `keep` (one child recorded twice): enrollments, household
  /// memberships, guardians, accounts, difficulty levels and nominations move to `keep`; each
  /// entitlement of `lose` moves too, unless `keep` has one for the same programme and term —
  /// then the one without a live payment is superseded (excluded, amount 0, the old version in
  /// entitlement_history), and when both have live payments both stay and the pair is reported
  /// (paid twice: to recover). `lose` keeps its identifier and points at `keep` (merged_into).
  /// Error(kConflict) when both have an open enrollment, or an entitlement that would be
  /// superseded is locked in a batch.
  virtual MergeCounts mergePersons(int64_t keep, int64_t lose, const std::string& today) = 0;
  /// The region code of a school; empty when the school is unknown.
  virtual std::string schoolRegion(const std::string& school_code) = 0;
  /// A school's basic account, into which fee waivers are paid (held like every account:
  /// encrypted, blind-indexed, masked).
  struct SchoolAccountUpdate {
    std::string hash, enc, mask, bank_code, holder, as_of, recorded_by;
  };
  struct SchoolAccountChange {
    bool changed = false;  ///< false: the same account was already open
    int64_t released = 0;  ///< returned payments to the school now ready for re-issue
  };
  /// Opens `a` as the school's account, closing the one open (valid_to = as_of), unless the same
  /// account, bank and holder are already open. The school's returned payments that waited for an
  /// account become ready: the next `batch build` pays the school again. Error(kNotFound) for an
  /// unknown school.
  virtual SchoolAccountChange replaceSchoolAccount(const std::string& school_code,
                                                   const SchoolAccountUpdate& a) = 0;
  struct SchoolAccountView {
    std::string school_code, school_name, region, acct_mask, bank_code, holder, valid_from,
        recorded_by;
  };
  /// The school's open account, masked; nullopt when none is on file.
  virtual std::optional<SchoolAccountView> schoolAccount(const std::string& school_code) = 0;
  /// Students actively enrolled at a school, by person id after `after_id`, at most `limit`
  /// (keyset pagination), masked.
  struct StudentRow {
    int64_t person_id = 0;
    std::string name, rid_mask, stage, class_name;
    int grade = 0;
  };
  virtual std::vector<StudentRow> studentsAt(const std::string& school_code, int64_t after_id,
                                             size_t limit) = 0;
  /// By resident-ID blind index or student number.
  virtual std::optional<StudentRecord> findStudent(const std::optional<std::string>& rid_hash,
                                                   const std::string& student_no) = 0;
};

}  // namespace edupay::registry
