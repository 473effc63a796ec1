#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/Money.h"
#include "common/StoreTransaction.h"
#include "common/Term.h"
#include "identify/Identification.h"
#include "security/FieldCipher.h"
#include "security/Users.h"

/// The identification of needy students (资助对象认定) as use cases: one school's round per
/// academic year, from the special groups on the official rosters through applications, class
/// panel, school decision (maker-checker), notice (公示), county review (复核) and spot checks
/// (抽查核实), and changes during the year (动态调整). Every function checks the actor's role and
/// scope (a round outside the scope is "not found"), runs one transaction and appends one audit
/// event. Roles: the school administrator enters; a school approver decides and resolves
/// objections; a bureau officer over the county reviews and spot-checks; auditors read.
namespace edupay::identify {

/// A school's identification for one academic year. Status: `open` (being prepared),
/// `submitted` (filed by the school after its notice, levels in force), `accepted` (filed by the
/// county), `sent_back` (the county returned it with a reason; levels not in force until
/// submitted again).
struct Round {
  int64_t id = 0;
  int64_t school_id = 0;
  std::string school_code, school_name, region;
  int academic_year = 0;
  std::string identification_date;  ///< YYYY-MM-DD: the rosters' date for special groups
  std::string status = "open";
  std::string opened_by, opened_on, submitted_by, submitted_on, reviewed_by, reviewed_on,
      review_reason;
  int version = 1;
};

/// One student's identification within a round. Kind: `special` (a special group from a roster,
/// no application), `application`, `change` (during the year, from `effective_from`). State:
/// `applied` -> `assessed` (class panel) -> `decided` (school approver) -> `noticed` (公示) ->
/// `filed` (level in force) -> possibly `revoked` (false information found by a spot check).
struct Case {
  int64_t id = 0;
  int64_t round_id = 0;
  int64_t person_id = 0;
  std::string student;  ///< masked resident ID or student number
  std::string name, class_name;
  std::string kind = "application";
  std::string state = "applied";
  std::string category;              ///< special: the household category
  std::string evidence;              ///< special: the roster row (category, source, dates)
  std::string items_enc, notes_enc;  ///< encrypted family situation and evidence notes
  bool commitment_signed = false;    ///< 承诺书 signed
  std::string commitment_date;
  std::string entered_by, entered_on;
  std::string effective_from;  ///< YYYY-MM-DD the level holds from
  int score = -1;              ///< -1 until assessed
  std::string score_level, proposed_level, panel_teacher, panel_representatives, panel_reason,
      assessed_by, assessed_on;
  std::string level;  ///< decided: none, generally, difficult, especially
  std::string decided_by, decided_on, decision_reason;
  int64_t notice_id = 0;
  int version = 1;
};

/// The family situation of an application (encrypted at rest as one JSON field; shown only to
/// the student's school, the county and auditors, never on a notice or in a log).
struct FamilySituation {
  int members = 0;                      ///< household members
  std::string income_band;              ///< e.g. "below_dibao_1.5x", as the school records it
  std::vector<std::string> indicators;  ///< indicator codes of the policy the family claims
  std::string details;                  ///< free text (illness, disaster, single parent, ...)
};
std::string toJson(const FamilySituation& f);
FamilySituation familyFromJson(const std::string& json);

struct Application {
  std::string rid_hash;  ///< blind index of the student's resident ID
  FamilySituation family;
  bool commitment_signed = false;
  std::string commitment_date;  ///< YYYY-MM-DD, required when signed
  std::string evidence_notes;
  std::string effective_from;  ///< changes only; defaults to the identification date
  std::string change_reason;   ///< changes only: sudden hardship, recovery, ...
};

struct Assessment {
  std::vector<std::string> indicators;  ///< those the panel confirms
  std::string class_teacher;
  std::vector<std::string> representatives;
  Level proposed = Level::kNone;
  std::string reason;  ///< required when departing from the score's level
};

struct Notice {
  int64_t id = 0;
  int64_t round_id = 0;
  std::string published_by, published_on, window_ends;
  int64_t entries = 0;
};
/// A line of the in-school notice: name, class and level, nothing else.
struct NoticeLine {
  std::string name, class_name, level;
};

struct Objection {
  int64_t id = 0;
  int64_t case_id = 0;
  std::string text, recorded_by, recorded_on;
  std::string status = "open";  ///< open, upheld, dismissed
  std::string new_level, resolution, resolved_by, resolved_on;
};

struct SpotCheck {
  int64_t id = 0, round_id = 0, case_id = 0;
  int64_t seed = 0;
  int percent = 10;
  std::string drawn_by, drawn_on;
  std::string outcome;  ///< empty until recorded: confirmed, level_changed, false_information
  std::string new_level, note, recorded_by, recorded_on;
};

/// Money already paid on a level revoked for false information: to be recovered (追回).
struct Recovery {
  int64_t spot_check_id = 0;
  int64_t payment_id = 0;
  std::string student, name, school_code, programme, term, end_to_end_ref;
  Money amount;
};

/// A student at the school on a date, with the household statuses of their household.
struct Enrolled {
  int64_t person_id = 0;
  std::string student, name, class_name;
  std::vector<RosterStatus> statuses;
};

struct SchoolRef {
  int64_t id = 0;
  std::string code, name, region;
};

/// A report row: identified students per school, level and group (special category or
/// `application`).
struct IdentifiedRow {
  std::string school_code, school_name, region, level, group;
  int64_t students = 0;
};

/// Persistence of identification (implemented in src/store).
class IdentificationStore {
 public:
  virtual ~IdentificationStore() = default;
  virtual std::unique_ptr<StoreTransaction> transaction() = 0;
  virtual std::optional<SchoolRef> school(const std::string& code) = 0;
  virtual std::optional<Round> round(int64_t id) = 0;
  virtual std::optional<Round> roundOf(int64_t school_id, int academic_year) = 0;
  /// Rounds of schools whose code (10 digits) or county starts with `prefix`; every year when
  /// `academic_year` is 0. Newest first.
  virtual std::vector<Round> rounds(const std::string& prefix, int academic_year) = 0;
  /// Error(kConflict) when the school already has a round for the year.
  virtual int64_t insertRound(const Round& r) = 0;
  /// False when the round is no longer at `r.version` (someone else changed it).
  virtual bool updateRound(const Round& r) = 0;
  /// Students with an enrollment at the school open on `on`, with their household statuses.
  virtual std::vector<Enrolled> enrolledAt(int64_t school_id, const Date& on) = 0;
  virtual std::optional<Enrolled> enrolledStudent(int64_t school_id, const std::string& rid_hash,
                                                  const Date& on) = 0;
  virtual int64_t insertCase(const Case& c) = 0;
  virtual std::optional<Case> loadCase(int64_t id) = 0;
  virtual std::vector<Case> cases(int64_t round_id) = 0;
  /// Saves `c` if still at `c.version` (bumping it); false otherwise.
  virtual bool updateCase(const Case& c) = 0;
  virtual int64_t insertNotice(const Notice& n) = 0;
  virtual std::vector<Notice> notices(int64_t round_id) = 0;
  virtual int64_t insertObjection(const Objection& o) = 0;
  virtual std::optional<Objection> objection(int64_t id) = 0;
  virtual std::vector<Objection> objections(int64_t round_id) = 0;
  /// Error(kConflict) when the objection is no longer open.
  virtual void resolveObjection(const Objection& o) = 0;
  /// The in-force periods of a student's level for the academic year.
  virtual std::vector<LevelPeriod> levels(int64_t person_id, int academic_year) = 0;
  /// Marks the in-force periods superseded (or revoked) and records `periods` in force.
  virtual void setLevels(int64_t person_id, int academic_year,
                         const std::vector<LevelPeriod>& periods,
                         const std::string& old_status) = 0;
  virtual int64_t insertSpotCheck(const SpotCheck& s) = 0;
  virtual std::optional<SpotCheck> spotCheck(int64_t id) = 0;
  virtual std::vector<SpotCheck> spotChecks(int64_t round_id) = 0;
  /// Error(kConflict) when an outcome is already recorded.
  virtual void recordSpotCheck(const SpotCheck& s) = 0;
  /// Puts the student's eligible, not yet locked entitlements of the academic year on hold;
  /// returns how many.
  virtual int64_t holdEntitlements(int64_t person_id, int academic_year,
                                   const std::string& reason) = 0;
  /// Payments already paid to the student for the academic year's terms.
  virtual std::vector<Recovery> paidFor(int64_t person_id, int academic_year) = 0;
  virtual void insertRecoveries(const std::vector<Recovery>& r) = 0;
  virtual std::vector<Recovery> recoveries(const std::string& region_prefix, int academic_year) = 0;
  /// Per school of the region: enrollment on the round's date and identified counts.
  virtual std::vector<SchoolOutcome> outcomes(const std::string& region_prefix,
                                              int academic_year) = 0;
  virtual std::vector<IdentifiedRow> identified(const std::string& region_prefix,
                                                int academic_year) = 0;
};

/// Opens a school's round for the academic year (school administrator of the school) and lists
/// the special groups: every student enrolled on `identification_date` whose household an
/// official roster reports in a special category then is identified at the policy's level,
/// with the roster row as evidence, without applying. Error(kConflict) when the round exists.
Round openRound(IdentificationStore& store, security::SecurityStore& audit,
                const security::User& user, const IdentificationPolicy& policy,
                const std::string& school_code, int academic_year,
                const std::string& identification_date);

/// Records a student's application (school administrator): the family situation and evidence
/// notes are encrypted with `cipher`; the commitment (承诺书) must be signed with its date.
/// A change during the year (动态调整) gives `effective_from` and a reason and may be added to a
/// filed round. Error(kInvalidInput) naming the field; kNotFound when the student is not enrolled
/// at the school then; kConflict when the student already has a live case of that kind.
Case addApplication(IdentificationStore& store, security::SecurityStore& audit,
                    const security::FieldCipher& cipher, const security::User& user,
                    const IdentificationPolicy& policy, int64_t round_id, const Application& a,
                    bool change = false);

/// The class panel's assessment (school administrator records it): scored against the policy's
/// indicators; refused (kInvalidInput) without the panel's names, or departing from the score
/// without a reason.
Case assessCase(IdentificationStore& store, security::SecurityStore& audit,
                const security::User& user, const IdentificationPolicy& policy, int64_t case_id,
                const Assessment& a);

/// The school working group's decision (a school approver, never the person who entered or
/// assessed the case): `level` confirms the panel's proposal when empty, otherwise replaces it
/// and then needs a reason.
Case decideCase(IdentificationStore& store, security::SecurityStore& audit,
                const security::User& user, int64_t case_id, const std::string& level,
                const std::string& reason);

/// Publishes the in-school notice of every decided case not yet noticed (school administrator):
/// name, class and level only; the window is `policy.notice_working_days` working days after
/// `today` on `calendar`. Returns the notice and its lines. Error(kConflict) when nothing waits.
std::pair<Notice, std::vector<NoticeLine>> publishNotice(
    IdentificationStore& store, security::SecurityStore& audit, const security::User& user,
    const IdentificationPolicy& policy, int64_t round_id, const HolidayCalendar& calendar,
    const Date& today);

/// An objection to a case (school administrator or approver): the student's level is blocked
/// until it is resolved.
Objection addObjection(IdentificationStore& store, security::SecurityStore& audit,
                       const security::User& user, int64_t case_id, const std::string& text);
/// Resolves it (school approver): `dismissed`, or `upheld` with the level the case takes
/// (`none` removes it), with a reason.
Objection resolveObjection(IdentificationStore& store, security::SecurityStore& audit,
                           const security::User& user, int64_t objection_id,
                           const std::string& decision, const std::string& new_level,
                           const std::string& reason);

/// Files the round's noticed cases (school administrator): refused while a case is undecided,
/// decided but not noticed, its notice window is open on `today`, or an objection is open. The
/// levels come in force (effective-dated) and the round becomes `submitted` for county review.
Round fileRound(IdentificationStore& store, security::SecurityStore& audit,
                const security::User& user, int64_t round_id, const Date& today);

/// County review (bureau officer over the school's county): `accept` or `send_back` with a reason.
Round reviewRound(IdentificationStore& store, security::SecurityStore& audit,
                  const security::User& user, int64_t round_id, const std::string& decision,
                  const std::string& reason);

/// Draws the spot-check sample of a filed round (bureau officer): `percent` (0 = the policy's)
/// of its non-special-group identifications, seeded by `seed` (recorded); once per round.
std::vector<SpotCheck> drawSpotChecks(IdentificationStore& store, security::SecurityStore& audit,
                                      const security::User& user,
                                      const IdentificationPolicy& policy, int64_t round_id,
                                      int64_t seed, int percent);

/// Records a spot check's outcome (bureau officer): `confirmed`; `level_changed` with the new
/// level from `on`; `false_information`: the level is revoked, the student's open entitlements
/// of the year are held and money already paid is listed for recovery (追回).
SpotCheck recordSpotCheck(IdentificationStore& store, security::SecurityStore& audit,
                          const security::User& user, int64_t spot_check_id,
                          const std::string& outcome, const std::string& new_level,
                          const std::string& note, const Date& on);

/// Read access: the round if `user` may see it (school roles of the school, bureau roles and
/// auditors over its county); Error(kNotFound) otherwise.
Round visibleRound(IdentificationStore& store, const security::User& user, int64_t round_id);
/// The rounds `user` sees (school roles: their school's; bureau roles and auditors: their
/// region's, optionally narrowed to `school`), for `academic_year` (0: all).
std::vector<Round> visibleRounds(IdentificationStore& store, const security::User& user,
                                 const std::string& school, int academic_year);
/// The family situation of a case, decrypted, for the school, the county and auditors only.
FamilySituation revealFamily(IdentificationStore& store, const security::FieldCipher& cipher,
                             const security::User& user, int64_t case_id);

/// The county's view (bureau officer, approver or auditor): each school's outcome and outliers.
struct CountyRow {
  SchoolOutcome outcome;
  std::vector<std::string> outliers;      ///< stable codes with the figure (English)
  std::vector<Message> outlier_messages;  ///< the same, for the reader's language
};
std::vector<CountyRow> countyReview(IdentificationStore& store, const security::User& user,
                                    const std::string& region, int academic_year);

/// The words of an identification state, round status, case kind or outcome code for a message
/// argument (`words(name, "公示中", "noticed")`); the code itself when it has none.
MessageArg stateWordsOf(std::string name, const std::string& code);

}  // namespace edupay::identify
