#pragma once
// Read-only listings that the console and the command line page through, so that no script and
// no person needs SQL to find what to act on: a batch's payees and schools, objections, schools
// with their enrolment, the money a term's entitlements need per funding source, and the held or
// excluded decisions of a county with their reasons. Personal data is returned masked only.
#include <cstdint>
#include <string>
#include <vector>

#include "common/Message.h"
#include "common/Money.h"
#include "store/Database.h"

namespace edupay::store {

class SqlListings {
 public:
  explicit SqlListings(Database& db) : db_(db) {}

  /// One payment line of a batch as the approver checks it (收款人名单). For a payment to a
  /// school, `name` is the school's name and `students` how many students it covers.
  struct Payee {
    int64_t payment_id = 0, seq = 0, students = 1;
    std::string reference;  ///< EndToEndId
    std::string payee;      ///< student_account | household_one_card | school
    std::string name;       ///< the student's name (a school payment: the school's name)
    std::string rid_mask;   ///< the student's masked resident ID (empty for a school payment)
    std::string holder, acct_mask, bank_code, school_code, school_name;
    std::string state;  ///< pending | sent | paid | returned | failed | removed (payment_states)
    std::string reason_code, reason_text;  ///< the bank's reason when not paid
    Money amount;
  };
  /// The payees of batch `batch_id` in file order after sequence number `after_seq`, at most
  /// `limit`. `search` (optional) keeps lines whose student name, holder, school code or name,
  /// or reference contains it.
  std::vector<Payee> batchPayees(int64_t batch_id, int64_t after_seq, size_t limit,
                                 const std::string& search);

  /// Codes of the schools whose students a batch pays or whose fee waivers it pays, sorted:
  /// the schools that must publish a notice before the batch is approved.
  std::vector<std::string> batchSchools(int64_t batch_id);

  /// An objection (异议) to a notice, with the student masked and the batch it holds.
  struct Objection {
    int64_t id = 0;
    int64_t batch_id = 0;  ///< the unexported batch whose payment it holds (0: none)
    std::string status;    ///< open | upheld | dismissed
    std::string student, rid_mask, programme, term, school_code, school_name, region;
    std::string raised_on, recorded_by, text, resolved_by, resolution, resolved_on;
  };
  /// Objections of students paid by counties under `region_prefix`, newest first; `status`
  /// (optional) open | upheld | dismissed.
  std::vector<Objection> objections(const std::string& region_prefix, const std::string& status);

  /// A school with its number of students actively enrolled today.
  struct School {
    std::string code, name, region, stages, ownership, bank_code;
    int64_t enrolled = 0;
  };
  /// Schools under `region_prefix` (a school code: that school), by code; `stage` (optional)
  /// keeps schools teaching that stage.
  std::vector<School> schools(const std::string& region_prefix, const std::string& stage);

  /// What a term's eligible entitlements of a county need from one funding source.
  struct Need {
    std::string programme, source;  ///< source: central | provincial | county
    Money amount;
    int64_t entitlements = 0;
  };
  /// By programme and funding source, sources with nothing to pay left out.
  std::vector<Need> entitledBySource(const std::string& term, const std::string& region);

  /// Held or excluded decisions of a term paid by counties under `region_prefix`, counted by
  /// programme and reason, most frequent first.
  struct DecisionCount {
    std::string programme, status, reason;  ///< reason: the hold reason, or the decision's reason
    int64_t count = 0;
    /// For an excluded decision, the first condition not met (rules::Check::code) and its fact
    /// as a sentence (a literal of the English fact for decisions stored without sentences).
    std::string check;
    Message fact;
  };
  /// `status`: held | excluded.
  std::vector<DecisionCount> decisions(const std::string& term, const std::string& region_prefix,
                                       const std::string& status);

 private:
  Database& db_;
};

}  // namespace edupay::store
