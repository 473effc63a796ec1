#pragma once

// The precision checks (精准资助核查) raised on the payments of a batch when it is built: the
// rules, as a pure function of what the store loaded. The store loads the facts of a whole batch
// set-based (a handful of queries, never one per payment), calls decide() and writes the flags
// (batch_flags; evidence cut to 500 characters there). DESIGN.md §5 (precision checks).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/Date.h"
#include "common/Message.h"
#include "domain/Codes.h"

namespace edupay::disburse {

/// Another record that may be the same child: same name and birth date, entitled to the same
/// programme and term, and what links the two records.
struct DuplicateCandidate {
  std::string record;           ///< the other record's masked resident ID or student number
  bool same_household = false;  ///< both members of one household (户编号)
  bool same_guardian = false;   ///< one guardian (监护人) registered for both
  bool same_account = false;    ///< an account of each with the same account hash (银行账号)
};

/// What the checks read of one payment to a student or guardian account.
struct PaymentFacts {
  int64_t payment_id = 0;
  /// Distinct schools with an enrolment overlapping the term (first to last day).
  int64_t schools_in_term = 0;
  /// Batches holding a live (pending, sent or paid) payment of another entitlement of the same
  /// student, programme and term; one entry per such payment.
  std::vector<int64_t> other_batches;
  /// Households (a student without one counts alone) whose students receive through current
  /// accounts with this payment's account hash; nullopt when the payment names no account.
  std::optional<int64_t> account_households;
  std::string acct_mask;                    ///< masked account number, as on the payment
  std::string holder;                       ///< the account holder's name on the payment
  std::string student_name;                 ///< the student's name on record
  std::vector<std::string> guardian_names;  ///< the student's registered guardians
  std::vector<DuplicateCandidate> duplicates;
  std::optional<Date> birth_date;             ///< nullopt when the record carries none
  std::vector<domain::Stage> current_stages;  ///< the stages of the student's open enrolments
  /// The entitlement's difficulty level comes from the roll's column only, not from the school's
  /// identification (资助对象认定) for the academic year.
  bool level_declared_only = false;
};

/// One student listed on a payment to a school (fee waivers paid to the school).
struct ListedStudent {
  std::string record;                ///< masked resident ID or student number ("?" if none)
  bool active_on_reference = false;  ///< enrolled and active at that school on the reference date
};

/// What the checks read of one payment to a school's account.
struct SchoolPaymentFacts {
  int64_t payment_id = 0;
  std::string school_code, school_name;
  std::vector<ListedStudent> students;  ///< in entitlement order
  /// Distinct students under live payments to the school for the programme and term (all batches).
  int64_t waived = 0;
  /// Distinct students active at the school on the reference date in the stages of the list.
  int64_t on_roll = 0;
  /// The school's current account is also a current account of persons: its mask and how many
  /// students' (or guardians') accounts share it; nullopt when none does.
  std::optional<std::pair<std::string, int64_t>> shared_account;
};

/// The batch the checks run for and the limits they apply.
struct CheckLimits {
  std::string programme, term;   ///< as stored (`compulsory_nonboarding_allowance`, `2026-autumn`)
  Date reference;                ///< the term's reference date (ages, school rolls)
  int shared_account_limit = 2;  ///< households one account may receive for
};

/// A flag to raise: its kind (batch_flags.kind) and its evidence, without resident IDs or
/// account numbers (masks only).
struct FlagDecision {
  int64_t payment_id = 0;
  std::string kind;
  std::string evidence;  ///< as batch_flags.evidence stores it (the text of before the catalogue)
  Message message;       ///< `flag.<kind>` with the evidence as arguments (messages/batch.json)
};

/// A term as a message argument: `2026-autumn` in English, 2026年秋季学期 in Chinese (the stored
/// text as it is when it is not a term).
MessageArg termWords(std::string name, const std::string& term);

/// The flags of a batch, kind by kind in this order, each kind in the order of `payments` /
/// `school_payments`: multi_enrollment (more than one school in the term), paid_elsewhere (one
/// per other live payment), shared_account (more households than the limit), holder_mismatch
/// (holder neither the student nor a guardian, names compared exactly), possible_duplicate (the
/// first linked candidate; household before guardian before account), implausible_age (one per
/// open enrolment whose stage's plausible ages exclude the age on the reference date),
/// level_not_identified; then per school payment school_student_inactive (at most five records
/// listed), school_over_roll (waived > on roll), school_account_shared.
[[nodiscard]] std::vector<FlagDecision> decide(
    const std::vector<PaymentFacts>& payments,
    const std::vector<SchoolPaymentFacts>& school_payments, const CheckLimits& limits);

}  // namespace edupay::disburse
