#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/Date.h"
#include "common/Message.h"
#include "common/ResidentId.h"
#include "domain/Codes.h"

namespace edupay::registry {

/// A sensitive identifier as the store keeps it: never the plaintext.
struct Protected {
  std::string hash;  ///< keyed blind index (lookup, uniqueness)
  std::string enc;   ///< AES-256-GCM ciphertext
  std::string mask;  ///< display form
};

struct Region {
  std::string code;  ///< 6 digits (GB/T 2260)
  std::string name;
  std::string parent_code;
  std::string level;  ///< province, city, county
};

struct School {
  std::string code;  ///< 10-digit school identification code (学校标识码)
  std::string name;
  std::string region_code;
  std::vector<domain::Stage> stages;
  bool is_public = true;
  std::string bank_code;  ///< the school's own account bank, for fee waivers paid to the school
  /// The school's basic account (基本存款账户) at `bank_code`, into which fee waivers are paid;
  /// absent when the schools file leaves it empty (the account on file, if any, stays).
  std::optional<Protected> account;
  std::string account_holder;  ///< the account's holder: the school's name unless the file says
};

/// One validated row of a school roll, with sensitive fields already protected.
struct RollRecord {
  int64_t line = 0;
  std::optional<Protected> resident_id;     ///< absent when the student has only a student number
  std::string id_document = "resident_id";  ///< code(IdDocument) of resident_id
  /// `G` + the resident ID: the national student number the same child may have been imported
  /// under before (looked up, never stored: it holds the ID in clear).
  std::string derived_student_no;
  std::string student_no;  ///< a J / L number, or a G number that is not `G` + resident_id
  std::string name;
  Sex sex = Sex::kMale;
  Date birth_date;
  std::string ethnicity;
  std::string school_code;
  domain::Stage stage = domain::Stage::kPrimary;
  int grade = 1;
  std::string class_name;
  std::string major;
  bool agri_major = false;
  bool boarding = false;
  Date enroll_date;
  domain::EnrollmentStatus status = domain::EnrollmentStatus::kActive;
  std::optional<Date> status_date;
  std::string household_code;
  std::string hukou_region;
  std::optional<bool> rural_hukou;  ///< hukou type: rural (农业) or urban; unknown when not given
  std::string guardian_name;
  std::optional<Protected> guardian_id;
  std::optional<Date> guardian_birth;
  std::optional<Sex> guardian_sex;
  std::string guardian_document = "resident_id";  ///< code(IdDocument) of guardian_id
  domain::DifficultyLevel difficulty = domain::DifficultyLevel::kNone;
  std::vector<domain::Category> claimed_categories;
  std::optional<Protected> account;
  bool account_luhn_ok = true;
  std::string bank_code;
  std::string account_holder;
  domain::AccountKind account_kind = domain::AccountKind::kStudentCard;

  /// What identifies the student in messages: masked ID or masked student number.
  std::string displayKey() const;
};

/// A problem with one field of one input row. `value` is masked when the column is sensitive.
struct Issue {
  int64_t line = 0;
  std::string column;  ///< the column's English name (resident_id); empty for the whole row
  std::string value;
  Message message;        ///< what is wrong and what to do (messages/roll.json, roster.json)
  bool warning = false;   ///< warnings are reported but do not reject the row
  std::string column_zh;  ///< the column's name as Chinese files head it (身份证号)

  /// The reason in `lang` (i18n::render of `message`).
  std::string text(Lang lang) const;
};

/// Import-wide settings.
struct ImportContext {
  int64_t run_id = 0;
  Date as_of;         ///< account changes take effect on it; claims from the first day of its term
  int academic_year;  ///< difficulty levels are recorded for this academic year
};

/// What applying a chunk of rows did.
struct ApplyCounts {
  int64_t persons_added = 0;
  int64_t persons_updated = 0;
  int64_t persons_unchanged = 0;
  int64_t enrollments_opened = 0;
  int64_t enrollments_updated = 0;
  int64_t transfers = 0;
  int64_t accounts_added = 0;
  int64_t accounts_replaced = 0;
  int64_t statuses_opened = 0;
  int64_t statuses_closed = 0;
  int64_t guardians_added = 0;

  ApplyCounts& operator+=(const ApplyCounts& o);
};

/// The lifelong record of one student, as stored (sensitive fields masked or encrypted).
struct StudentRecord {
  int64_t person_id = 0;
  std::string rid_mask;
  std::string rid_enc;
  std::string student_no;
  std::string name;
  std::string sex;
  std::string birth_date;
  std::string ethnicity;
  std::string hukou_region;
  struct Enrollment {
    std::string school_code, school_name, stage, class_name, major, status, enroll_date,
        status_date, end_date;
    int grade = 0;
    bool agri_major = false, boarding = false;
  };
  std::vector<Enrollment> enrollments;
  struct Household {
    std::string code;
    std::string hukou_region;
  };
  std::optional<Household> household;
  struct Status {
    std::string category, valid_from, valid_to, source, source_ref;
  };
  std::vector<Status> statuses;
  struct Difficulty {
    int academic_year = 0;
    std::string level;
  };
  std::vector<Difficulty> difficulty;
  struct Guardian {
    std::string name, rid_mask;
  };
  std::vector<Guardian> guardians;
  struct Account {
    std::string kind, owner, acct_mask, acct_enc, bank_code, holder_name, valid_from, valid_to;
    bool luhn_ok = true;
  };
  std::vector<Account> accounts;
  struct Change {
    std::string entity, field, old_value, new_value, changed_on;
  };
  std::vector<Change> changes;
};

struct RosterRow {
  int64_t line = 0;
  std::string rid_hash, rid_enc, rid_mask;
  std::string name;
  std::string sex;
  std::string birth_date;
  std::string household_code;
  std::string category;
  std::string valid_from, valid_to;
  std::string region;
};

struct RosterCounts {
  int64_t statuses_added = 0;
  int64_t statuses_changed = 0;
  int64_t statuses_unchanged = 0;
  int64_t households_added = 0;
  int64_t persons_added = 0;

  RosterCounts& operator+=(const RosterCounts& o) {
    statuses_added += o.statuses_added;
    statuses_changed += o.statuses_changed;
    statuses_unchanged += o.statuses_unchanged;
    households_added += o.households_added;
    persons_added += o.persons_added;
    return *this;
  }
};

/// What merging two records of one child moved.
struct MergeCounts {
  int64_t enrollments = 0, accounts = 0, entitlements_moved = 0, entitlements_superseded = 0;
  /// "programme term" pairs for which both records had a live payment: paid twice, to recover.
  std::vector<std::string> paid_twice;
};

/// A roster child of compulsory-school age with no enrollment open on the reference date.
struct MissingChild {
  std::string rid_mask, name, household_code, region, categories;
  std::string birth_date;
};

}  // namespace edupay::registry
