#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "registry/Model.h"

namespace edupay::registry {

// The roll merge: what a chunk of validated roll rows changes in the registry. The store loads
// what is on record for the chunk (RollSnapshot), decideRollMerge() decides — a pure function, no
// database — and the store applies the decisions with set-based statements. Rules: DESIGN.md
// (one open enrollment per student, a school speaks for its own claims, one open account per
// student and kind) and templates/roll/README.md.

/// A person on record (a student, or a guardian) as the merge compares it with a row.
struct PersonOnRecord {
  int64_t id = 0;
  bool has_rid = false;  ///< false for a person known so far by a student number only
  std::string name, sex, birth_date, ethnicity, hukou_region, student_no, hukou_type;
  int64_t last_run_id = 0;  ///< the import run that last wrote the person as a roll row
  int64_t last_line = 0;    ///< and its line there
};

/// A child on record with the same name and birth date as a row whose ID is new: a possible
/// duplicate when it also shares a household, a guardian or a bank account with the row.
struct DuplicateCandidate {
  int64_t id = 0;
  std::string key_mask;  ///< masked resident ID, or masked student number
  std::string name, birth_date;
  std::set<std::string> households;  ///< household codes
  std::set<std::string> guardians;   ///< guardians' resident-ID blind indexes
  std::set<std::string> accounts;    ///< bank accounts' blind indexes
};

struct EnrollmentOnRecord {
  int64_t id = 0;
  int64_t school_id = 0;
  std::string stage, class_name, major, status, enroll_date, status_date, end_date;
  int64_t grade = 0, agri_major = 0, boarding = 0;
  bool open = false;  ///< no end date
};

/// A household status a school claimed, still open.
struct ClaimOnRecord {
  int64_t id = 0;
  std::string category, valid_from;
};

/// An open payee account.
struct AccountOnRecord {
  int64_t id = 0;
  std::string acct_hash, bank_code, holder_name, owner;
};

/// What is on record for one chunk of roll rows (and possibly more: the decisions look up only
/// what the rows name).
struct RollSnapshot {
  /// By resident-ID blind index, or "sno:" + student number; a person with both is under both;
  /// the identifier of a record merged into another leads to the record kept.
  std::unordered_map<std::string, PersonOnRecord> persons;
  /// Children on record (not written by this same run, not merged away) sharing a name and birth
  /// date with a row, in the order loaded (the first with evidence is named).
  std::vector<DuplicateCandidate> candidates;
  std::unordered_map<std::string, int64_t> school_ids;  ///< school code -> id
  std::unordered_map<std::string, int64_t> households;  ///< household code -> id
  /// Open claimed statuses by (household id, claiming school code).
  std::map<std::pair<int64_t, std::string>, std::vector<ClaimOnRecord>> open_claims;
  /// Enrollments by person id, in the order they were recorded (by id).
  std::unordered_map<int64_t, std::vector<EnrollmentOnRecord>> enrollments;
  /// Difficulty level by person id for the import's academic year.
  std::unordered_map<int64_t, std::string> difficulty;
  /// Open payee accounts by (person id, account kind code).
  std::map<std::pair<int64_t, std::string>, AccountOnRecord> accounts;
};

/// A person the decisions name: one on record (`id`), or one the chunk adds (`id` 0), known by
/// its key (resident-ID blind index, or "sno:" + student number) until the store has its id;
/// `key` is empty for a person on record.
struct PersonRef {
  int64_t id = 0;
  std::string key;
};

/// One row of the field history (change_log); values are the stored forms (masked for IDs).
struct ChangeRow {
  std::string entity;  ///< person, enrollment, household_status, difficulty, bank_account
  int64_t entity_id = 0;
  std::string field, old_value, new_value;
};

/// What a chunk changes. `row` fields index the rows given to decideRollMerge().
struct RollDecisions {
  /// A claimed status or an account closed (valid_to) on a date.
  struct Closing {
    int64_t id = 0;
    std::string valid_to;
  };
  ApplyCounts counts;  ///< all but guardians_added: the store counts links it actually adds
  /// Rows not applied (the same student twice, a possible duplicate) and rows applied without
  /// their enrollment (out of date), each naming line, column and value.
  std::vector<Issue> issues;

  struct NewPerson {
    size_t row = 0;
    bool guardian = false;   ///< the row's guardian (no run marker: not a roll row) or student
    std::string hukou_type;  ///< a student's: rural, urban, or empty when the roll does not say
  };
  std::vector<NewPerson> persons_to_add;  ///< students first, then guardians
  struct PersonUpdate {
    int64_t id = 0;
    size_t row = 0;
    bool set_identifier = false;  ///< a person known by a G number gets the row's resident ID
    std::string student_no, hukou_type;  ///< as stored after the update (empty: NULL)
  };
  std::vector<PersonUpdate> persons_to_update;  ///< every row on record (run marker and line)
  struct GuardianLink {
    PersonRef student, guardian;
  };
  std::vector<GuardianLink> guardian_links;
  struct NewHousehold {
    std::string code, hukou_region;
  };
  std::vector<NewHousehold> households_to_add;
  struct Member {
    std::string household;  ///< code
    PersonRef person;
    std::string relation;  ///< student, guardian
  };
  std::vector<Member> household_members;
  std::vector<Closing> claims_to_close;
  struct ClaimOpen {
    std::string household, category, valid_from, school_code;
  };
  std::vector<ClaimOpen> claims_to_open;
  /// The row's stage, grade, class, major, agricultural major and boarding with these values.
  struct EnrollmentValues {
    size_t row = 0;
    std::string status, status_date, end_date;  ///< empty: NULL
  };
  struct EnrollmentUpdate : EnrollmentValues {
    int64_t id = 0;
  };
  std::vector<EnrollmentUpdate> enrollments_to_update;
  struct EnrollmentClose {
    int64_t id = 0;
    std::string status, status_date, end_date;  ///< graduated or transferred
  };
  std::vector<EnrollmentClose> enrollments_to_close;
  struct EnrollmentOpen : EnrollmentValues {
    PersonRef person;
    int64_t school_id = 0;
  };
  std::vector<EnrollmentOpen> enrollments_to_open;
  struct DifficultySet {
    PersonRef person;
    std::string level;
    int64_t school_id = 0;
  };
  std::vector<DifficultySet> difficulty_to_add, difficulty_to_update;
  struct AccountUpdate {
    int64_t id = 0;
    std::string bank_code, holder_name, owner;
  };
  std::vector<AccountUpdate> accounts_to_update;
  std::vector<Closing> accounts_to_close;
  struct AccountOpen {
    PersonRef person;
    size_t row = 0;  ///< account number, bank, holder and check-digit result from the row
    std::string owner, kind, valid_from;
  };
  std::vector<AccountOpen> accounts_to_open;
  std::vector<ChangeRow> changes;  ///< in the order the changes are made
};

/// The key a row's student is known by: resident-ID blind index, or "sno:" + student number.
std::string personKey(const RollRecord& r);

/// The person on record for a row's student: by its key, or — for a row with a resident ID — a
/// person known so far only by the G number made of that ID. nullptr when none.
const PersonOnRecord* findOnRecord(const RollSnapshot& on_record, const RollRecord& r);

/// Blind indexes and student numbers the store looks up for `rows` (students, the G numbers
/// their IDs make, guardians).
struct RollLookupKeys {
  std::vector<std::string> rid_hashes, student_nos;
};
RollLookupKeys lookupKeys(const std::vector<RollRecord>& rows);

/// Decides what `rows` (one chunk, in file order) change, given what is on record. Pure: the
/// same inputs give the same decisions. Throws Error(kInternal) when a row names a school or a
/// person that `on_record` lacks (the store loads them all).
[[nodiscard]] RollDecisions decideRollMerge(const RollSnapshot& on_record,
                                            const std::vector<RollRecord>& rows,
                                            const ImportContext& ctx);

}  // namespace edupay::registry
