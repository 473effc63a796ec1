#pragma once
// Families can see and report (互联网+监督): the public aid look-up a family makes with the
// student's name, identifier and birth date, and the complaint channel (投诉/举报) that county
// officers investigate and close. The rules are pure functions here; the use cases take the
// stores, the actor and plain values, open one transaction and append one audit event.

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/Date.h"
#include "common/Money.h"
#include "common/StoreTransaction.h"
#include "common/Term.h"
#include "security/FieldCipher.h"
#include "security/Users.h"

namespace edupay::disburse {

/// The audit actor of everything the public does (look-ups, filings): nobody logs in.
inline constexpr const char* kPublicActor = "public:family";

/// What a family typed, reduced to what the store compares: the blind index of the resident ID
/// (also of the ID inside a `G` student number) or the student number, the name (normalised) and
/// the birth date (YYYY-MM-DD). `key_hash` is the one value that stands for the entered
/// identifier in audit events and rate limits: never the identifier itself.
struct LookupKey {
  std::string rid_hash;    ///< "" when a J/L student number was entered
  std::string student_no;  ///< "" when a resident ID was entered
  std::string name, birth_date;
  std::string key_hash;
};

/// Builds the key from what was typed; nullopt when the identifier is neither a valid resident
/// ID nor a valid student number, or the date is not a date (the caller answers "no record",
/// exactly as for a mismatch).
std::optional<LookupKey> lookupKey(const security::FieldCipher& cipher, const std::string& name,
                                   const std::string& identifier, const std::string& birth_date);

/// One programme decided for the child in one term, as the store holds it (codes, fen).
struct AidFact {
  int64_t entitlement_id = 0;
  std::string term, programme, status, hold_reason, reason, payee;
  Money amount;
  std::string payment_state;  ///< "" (no payment yet), pending, sent, paid, returned, failed
  std::string paid_on, bank_name, acct_mask;
  bool under_objection = false, held_by_complaint = false;
};

/// One line of what the family reads: plain Chinese, no identifier, no full account number.
struct AidLine {
  std::string term, programme, programme_name;
  std::string decision;   ///< eligible, held, not_eligible
  std::string reason_zh;  ///< why held / the main reason not eligible ("" when eligible)
  Money amount;           ///< zero when not eligible
  bool paid = false;
  std::string payment_zh;  ///< 尚未发放, 银行处理中, 已到账, ...
  std::string paid_on;     ///< YYYY-MM-DD when paid
  std::string bank_name;   ///< "" when paid to the school (fee waivers) or not yet paid
  std::string account_last4;
};

/// What a successful look-up shows: the child's lines and whom to contact.
struct AidRecord {
  int64_t person_id = 0;
  std::string region, region_name, school_name;
  std::vector<AidLine> lines;
};

/// The family's words for a stored decision (pure). `programme_names` maps codes to Chinese
/// names. Held: the hold reason in plain Chinese; not eligible: the first condition not met.
AidLine aidLine(const AidFact& f, const std::map<std::string, std::string>& programme_names);

enum class ComplaintCategory {
  kNotPaid,
  kWrongAccount,
  kAmountWrong,
  kIneligiblePaid,
  kSchoolCharged,
  kOther
};
std::optional<ComplaintCategory> parseComplaintCategory(const std::string& s);
std::string complaintCategoryCode(ComplaintCategory c);
std::string complaintCategoryZh(const std::string& code);
/// A complaint's status (open, assigned, closed) as a message argument: 待处理, 核查中, 已办结 in
/// Chinese, the code in English.
MessageArg complaintStatusArg(std::string name, const std::string& status);
/// A closed complaint's outcome (confirmed, not_confirmed, referred): 属实, 不属实, 已转办 in
/// Chinese, the code in English.
MessageArg complaintOutcomeArg(std::string name, const std::string& outcome);

inline constexpr size_t kComplaintMaxChars = 1000;  ///< the complainant's text
inline constexpr size_t kNoteMaxChars = 2000;       ///< an officer's note or outcome text

struct ComplaintNote {
  int64_t id = 0;
  std::string author, at, body;
};
struct ComplaintLink {
  int64_t id = 0, complaint_id = 0, entitlement_id = 0, flag_id = 0, objection_id = 0;
  std::string kind;  ///< hold, flag, objection
  std::string status = "open", created_by, created_on;
  std::string term, programme;  ///< of the entitlement (read back)
};

struct Complaint {
  int64_t id = 0;
  std::string tracking_hash, category, body, contact_enc, contact_mask;
  int64_t person_id = 0;  ///< 0 when not filed from a look-up
  std::string region, status = "open", assigned_to, filed_at, filed_on, due_on;
  std::string outcome, outcome_text, closed_by, closed_on;
  int version = 1;
  std::string student_mask, school_name;  ///< read back for officers (masked)
  /// Overdue on `today`: still open after its due date.
  bool overdue(const Date& today) const;
};

/// Persistence of look-ups and complaints (implemented in src/store).
class FamilyStore {
 public:
  virtual ~FamilyStore() = default;
  virtual std::unique_ptr<StoreTransaction> transaction() = 0;
  /// The person (the record kept, after a merge) whose identifier, name and birth date all
  /// match; nullopt otherwise. Runs the same statements whether or not anything matches.
  virtual std::optional<int64_t> matchPerson(const LookupKey& key) = 0;
  /// Every stored decision of the person, by term then programme, with its latest payment.
  virtual std::vector<AidFact> aidFacts(int64_t person_id) = 0;
  /// The county and school of the person's latest enrollment ("" when none).
  virtual std::pair<std::string, std::string> personPlace(int64_t person_id) = 0;
  /// The region's name; "" when the code is unknown.
  virtual std::string regionName(const std::string& code) = 0;
  /// The masked resident ID or student number of a person (for officers).
  virtual std::string personMask(int64_t person_id) = 0;

  virtual int64_t addComplaint(const Complaint& c) = 0;
  virtual std::optional<Complaint> complaint(int64_t id) = 0;
  virtual std::optional<Complaint> complaintByTracking(const std::string& tracking_hash) = 0;
  /// Complaints whose county starts with `region_prefix`; `status` filters when not empty.
  virtual std::vector<Complaint> complaints(const std::string& region_prefix,
                                            const std::string& status) = 0;
  /// Writes status, assignee and outcome fields if the row is still at `expected_version`.
  virtual bool updateComplaint(const Complaint& c, int expected_version) = 0;
  virtual void addNote(int64_t complaint_id, const ComplaintNote& n) = 0;
  virtual std::vector<ComplaintNote> notes(int64_t complaint_id) = 0;
  virtual std::vector<ComplaintLink> links(int64_t complaint_id) = 0;
  virtual int64_t addLink(const ComplaintLink& l) = 0;
  /// Eligible entitlements of the person covered by no live payment and not already held by a
  /// complaint.
  virtual std::vector<int64_t> holdableEntitlements(int64_t person_id) = 0;
  virtual std::optional<int64_t> entitlementOf(int64_t person_id, const std::string& programme,
                                               const std::string& term) = 0;
  /// Records an open `complaint` flag on the latest live payment of the entitlement, its evidence
  /// as text (cut at 500 characters) and as a sentence; nullopt when no live payment covers it.
  virtual std::optional<int64_t> flagPayment(int64_t entitlement_id, const std::string& evidence,
                                             const Message& sentence) = 0;
  virtual int64_t addObjection(int64_t entitlement_id, const std::string& user,
                               const std::string& text) = 0;
  /// Releases the complaint's open holds; returns how many.
  virtual int64_t releaseHolds(int64_t complaint_id, const std::string& user,
                               const std::string& on) = 0;
};

/// `POST /api/v1/public/lookup`: what a family may see of the child whose identifier, name and
/// birth date all match, or nullopt ("no record"), after the same work either way. Audited as
/// kPublicActor with the blind index only.
std::optional<AidRecord> lookupAid(FamilyStore& store, security::SecurityStore& audit,
                                   const std::optional<LookupKey>& key,
                                   const std::map<std::string, std::string>& programme_names);

/// What someone typed to file a complaint. `person_id` is set when it comes from a successful
/// look-up (then the county is the child's), else `region` names the county chosen.
struct ComplaintInput {
  std::string category, body, contact_name, contact_phone, region;
  int64_t person_id = 0;
};
struct FiledComplaint {
  int64_t id = 0;
  std::string tracking_code, region, due_on;
};
/// A random, unguessable tracking code: 16 characters of an alphabet without look-alikes
/// (80 bits), grouped `XXXX-XXXX-XXXX-XXXX`.
std::string newTrackingCode();
/// The stored form of a tracking code (upper-cased, dashes and spaces dropped, SHA-256).
std::string trackingHash(const std::string& code);

/// Files a complaint: category one of the six, text 5..1,000 characters without control
/// characters, optional contact (name <= 30 characters, phone of digits, `+`, `-`, spaces),
/// encrypted at rest; the county must be known. Due `working_days` working days after `today`
/// on `calendar`. Error(kInvalidInput) naming the field, in Chinese and English. Audited as
/// kPublicActor.
FiledComplaint fileComplaint(FamilyStore& store, security::SecurityStore& audit,
                             const security::FieldCipher& cipher, const ComplaintInput& in,
                             const HolidayCalendar& calendar, const Date& today, int working_days);

/// What the complainant reads by tracking code: status and outcome only.
std::optional<Complaint> complaintByCode(FamilyStore& store, const std::string& code);

/// Complaints a bureau officer, approver or auditor sees (their region), overdue ones first, then
/// by due date; `status` filters ("" for all, "open" for open and assigned).
std::vector<Complaint> listComplaints(FamilyStore& store, const security::User& user,
                                      const std::string& status, const Date& today);
/// One complaint in the user's scope with its notes and links; Error(kNotFound) otherwise.
struct ComplaintDetail {
  Complaint complaint;
  std::vector<ComplaintNote> notes;
  std::vector<ComplaintLink> links;
  std::string contact;  ///< decrypted for bureau officers in scope, masked for others
};
ComplaintDetail showComplaint(FamilyStore& store, const security::FieldCipher* cipher,
                              const security::User& user, int64_t id);

/// A bureau officer of the county gives the complaint to `assignee`, a bureau officer whose
/// scope covers the complaint's county. Audited.
Complaint assignComplaint(FamilyStore& store, security::SecurityStore& audit,
                          const security::User& user, int64_t id, const std::string& assignee);
/// A bureau officer of the county records what the investigation found. Audited.
ComplaintNote noteComplaint(FamilyStore& store, security::SecurityStore& audit,
                            const security::User& user, int64_t id, const std::string& body);
/// Closes with `outcome` (confirmed, not_confirmed, referred) and the words the complainant
/// reads (5..2,000 characters). Audited.
Complaint closeComplaint(FamilyStore& store, security::SecurityStore& audit,
                         const security::User& user, int64_t id, const std::string& outcome,
                         const std::string& text, const Date& today);

/// What a confirmed complaint about a looked-up child does: `hold` every open entitlement of the
/// child (no batch takes them until released), `flag` the live payment of `programme`/`term`
/// (a precision flag the approver must clear), or open an `objection` against that entitlement.
/// Each is linked to the complaint both ways. Error(kConflict) unless the complaint is closed as
/// confirmed and names a child; Error(kNotFound) when there is nothing to act on. Audited.
struct ComplaintAction {
  std::string kind;  ///< hold, flag, objection
  std::vector<ComplaintLink> links;
};
ComplaintAction actOnComplaint(FamilyStore& store, security::SecurityStore& audit,
                               const security::User& user, int64_t id, const std::string& kind,
                               const std::string& programme, const std::string& term);
/// Releases the complaint's holds (the entitlements go to the next batch again). Audited.
int64_t releaseComplaintHolds(FamilyStore& store, security::SecurityStore& audit,
                              const security::User& user, int64_t id, const std::string& reason);

/// Counts for the report: by category, county, outcome, and days from filing to closing.
struct ComplaintReport {
  std::map<std::string, int64_t> by_category, by_county, by_outcome;
  int64_t total = 0, open = 0, overdue = 0, closed = 0;
  double mean_days_to_close = 0;
  int64_t max_days_to_close = 0;
  std::map<std::string, int64_t> days_to_close;  ///< buckets: 0-5, 6-15, 16-30, 31+
};
ComplaintReport complaintReport(const std::vector<Complaint>& complaints, const Date& today);

}  // namespace edupay::disburse
