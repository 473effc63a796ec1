#pragma once

#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/Message.h"
#include "common/Money.h"
#include "rules/Policy.h"

namespace edupay::rules {

/// What the registry knows about one student on a term's reference date. Built by the store;
/// the engine only reads it.
struct StudentFacts {
  int64_t person_id = 0;
  std::string display;  ///< masked resident ID or student number, for reports
  std::string name;
  Date birth_date;
  // The enrollment open on the reference date.
  int64_t enrollment_id = 0;
  int64_t school_id = 0;
  std::string school_code;
  std::string school_region;
  domain::Stage stage = domain::Stage::kPrimary;
  int grade = 1;
  domain::EnrollmentStatus status = domain::EnrollmentStatus::kActive;
  Date enroll_date;
  std::optional<Date> end_date;
  bool boarding = false;
  bool agri_major = false;
  std::string major;
  // Household and person.
  std::string hukou_region;         ///< the household's (or the person's) registered county
  std::optional<bool> rural_hukou;  ///< unknown when the roll did not say
  struct Status {
    domain::Category category;
    std::string source;      ///< claimed, poverty, civil_affairs, disabled, orphan
    std::string source_ref;  ///< the claiming school, or the roster's region
    std::string valid_from, valid_to;
  };
  std::vector<Status> statuses;  ///< household statuses valid on the reference date
  std::optional<domain::DifficultyLevel> difficulty;  ///< declared on the roll for the year
  /// The identification (资助对象认定) in force on the reference date, when the school identified
  /// the student; it decides the level, and the roll's `difficulty` is then not used.
  struct Identification {
    int64_t id = 0;  ///< the identification (case) id
    domain::DifficultyLevel level = domain::DifficultyLevel::kNone;
    std::string from;      ///< the date the level holds from
    std::string detail;    ///< date, score, panel decision, notice period, spot-check outcome
    bool blocked = false;  ///< an objection to it is open: the level is not used until resolved
  };
  std::optional<Identification> identification;
  /// The school filed an identification round for the academic year: a student it did not
  /// identify has no level, whatever the roll's column says.
  bool school_identified = false;
  struct Account {
    int64_t id = 0;
    domain::AccountKind kind = domain::AccountKind::kStudentCard;
    std::string owner;
  };
  std::vector<Account> accounts;      ///< open payee accounts
  std::set<std::string> nominations;  ///< programme codes nominated for the academic year
};

/// One condition checked, with the fact it used: the reason trace an auditor reads.
struct Check {
  std::string code;  ///< stable: stage, grade, status, boarding, category, roster, rate, ...
  bool ok = true;
  std::string fact;  ///< e.g. "primary", "dibao (civil_affairs)", "2019-autumn: 500.00/yr"
  /// The fact as a catalogue sentence (messages/rules.json), for the reader's language; `fact`
  /// is its English text, as stored in the reason.
  Message message;
};

enum class Status { kEligible, kHeld, kExcluded, kNotApplicable };
std::string_view code(Status s);

struct Decision {
  std::string programme;
  Status status = Status::kExcluded;
  Money amount;  ///< for this term; zero unless eligible or held
  Payee payee = Payee::kStudentAccount;
  int64_t account_id = 0;  ///< 0 when paid to the school or no account is on file
  std::string paying_region;
  Money central, provincial, county;  ///< sums exactly to amount
  std::vector<Check> trace;
  std::string hold_reason;
  Message hold_message;  ///< `hold_reason` as a catalogue sentence
  /// The trace in one line (`code=fact` joined by `; `, failing checks marked `!`), as stored.
  std::string reason() const;
  /// The trace's sentences as stored beside the reason (storedTrace); "" when they were not kept.
  std::string storedTrace() const;
};

/// A trace's sentences as the database keeps them beside the reason: a JSON array of
/// `{"check": code, "ok": bool, "message": storedForm}` in trace order; "" when any check's
/// sentence was not kept (kRun keeps none).
std::string storedTrace(const std::vector<Check>& trace);
/// The checks of a stored decision: from its stored sentences when it has them, otherwise from
/// the reason line (each fact then a literal of its English text, as written before sentences
/// were stored).
std::vector<Check> storedChecks(const std::string& reason, const std::string& stored_trace);

/// A student the engine could not evaluate for a programme (missing or conflicting data).
struct EvaluationProblem {
  std::string programme;
  std::string code;
  std::string message;  ///< English, for logs and the exceptions file
  Message text;         ///< the same sentence for the reader's language
};

/// The eligibility engine: pure, no I/O. Evaluates one student against every programme of the
/// policy for the term (facts as of the term's reference date) and applies exclusivity groups.
/// Programmes that do not concern the student's stage come back as kNotApplicable.
/// kExplain keeps the reason of every decision, with each fact's sentence; kRun (the bulk run)
/// leaves the reasons of not-applicable programmes out, as nothing stores them, and builds no
/// sentences (TraceSentences gives the stored ones, from one explanation per distinct reason).
enum class TraceMode { kExplain, kRun };
[[nodiscard]] std::vector<Decision> evaluate(const Policy& policy, const Term& term,
                                             const StudentFacts& facts,
                                             std::vector<EvaluationProblem>* problems = nullptr,
                                             TraceMode mode = TraceMode::kExplain);

/// The sentences of the bulk run's decisions, for storing beside their reasons: a decision's
/// sentences are those of its explanation (kExplain). Each check's sentence is made once per
/// distinct fact and reused, as a run's facts repeat across students (same rate, same status,
/// same missing condition); a student is explained only when one of their facts is new, and at
/// most once. Not thread-safe: one per run.
class TraceSentences {
 public:
  TraceSentences(const Policy& policy, const Term& term) : policy_(policy), term_(term) {}
  struct Kept {
    std::string json;    ///< storedTrace() of the decision; "" when it has none
    std::string sha256;  ///< hex SHA-256 of `json`, the key it is stored under; "" with it
  };
  /// storedTrace() of `d` as kExplain would give it, and its key; `d` is the kRun decision for
  /// `facts` and `reason` its reason(). Empty if the explanation disagrees with `d` (it never
  /// should). The reference is valid until the next call.
  const Kept& of(const StudentFacts& facts, const Decision& d, const std::string& reason);

 private:
  const Policy& policy_;
  Term term_;
  /// Each check's stored sentence by its code, outcome and English fact: a run's distinct facts
  /// are few ("active since 2024-09-01", the same rate), far fewer than its distinct reasons.
  std::unordered_map<std::string, std::string> checks_;
  /// A decision's stored sentences by the checks' sentences it is made of (their addresses in
  /// checks_), so each distinct combination is joined and hashed once.
  std::unordered_map<std::string, Kept> joined_;
  std::string key_;
  std::vector<const std::string*> pieces_;
  Kept direct_;
  // The last student explained: a student's decisions come one after another, so a student is
  // explained at most once however many of their reasons are new.
  int64_t explained_person_ = -1;
  std::vector<Decision> explained_;
};

/// Splits `amount` by percentage shares so that the parts sum exactly to it: central and
/// provincial are rounded down, the county share takes the remainder.
void splitFunding(Money amount, const Funding& f, Money& central, Money& provincial, Money& county);

/// Chinese and English labels of check codes, for `edupay explain`.
std::string checkLabel(const std::string& code, bool chinese);
/// The catalogue sentence of a stored hold reason (`Decision::hold_reason` as the engine writes
/// it); nullopt for a text the engine does not write.
std::optional<Message> holdMessageOf(const std::string& hold_reason);

}  // namespace edupay::rules
