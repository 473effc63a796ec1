#pragma once

#include "common/Lease.h"

#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/Message.h"
#include "common/Money.h"
#include "common/StoreTransaction.h"
#include "common/Term.h"
#include "disburse/Notices.h"
#include "security/Users.h"

namespace edupay::disburse {

/// `draft -> submitted -> approved -> exported -> settled | partially_settled -> closed`, and
/// `submitted -> rejected -> draft` (DESIGN.md §4). The workflow cannot be switched off.
enum class BatchStatus {
  kDraft,
  kSubmitted,
  kApproved,
  kExported,
  kSettled,
  kPartiallySettled,
  kClosed,
  kRejected
};
std::string_view code(BatchStatus s);
std::optional<BatchStatus> parseBatchStatus(std::string_view s);

struct BatchAction {
  int cycle = 1;
  std::string user, action, reason, at;
};

struct Batch {
  int64_t id = 0;
  std::string programme, term, paying_region, bank_code;
  int part = 1;
  BatchStatus status = BatchStatus::kDraft;
  int64_t payment_count = 0;
  Money total, central, provincial, county;
  int required_approvals = 1;
  std::string prepared_by;
  int cycle = 1;    ///< submission round: a rejection starts the next one
  int version = 1;  ///< optimistic concurrency: every transition bumps it
  std::string created_on;
  std::vector<BatchAction> actions;  ///< of the current cycle
  int approvals() const;
  bool actedBy(const std::string& user) const;
};

/// An entitlement a payment covers, with its part of the payment's amount and funding split.
struct Covered {
  int64_t entitlement_id = 0;
  Money amount, central, provincial, county;
};

/// An eligible entitlement not yet in a live payment, with the payee snapshot a payment keeps;
/// or, for a school payee, one payment to the school covering every such entitlement of its
/// students (`covers`, in entitlement order; `entitlement_id` is the first, the amounts are the
/// sums).
struct Candidate {
  int64_t entitlement_id = 0;
  int64_t person_id = 0;
  Money amount, central, provincial, county;
  std::string paying_region;
  std::string payee;
  int64_t account_id = 0;
  std::string bank_code;  ///< the paying bank: first 3 digits of the CNAPS code
  std::string acct_enc, acct_mask, holder;
  int attempt = 1;  ///< 1, or one more than the entitlement's removed / returned / failed payments
  std::vector<Covered> covers;  ///< a school payment's students; empty for a student payment
  std::string school_code;      ///< a school payment's school
};

/// The entitlements `c` pays: its `covers`, or the one entitlement of a student payment.
std::vector<Covered> coveredBy(const Candidate& c);

/// Sums one school's candidates (each a student's entitlement paid to the school, all of one
/// school, county and bank) into the school's one payment: amount and every funding share summed
/// exactly, attempt the highest. REQUIRES: `students` is not empty.
Candidate schoolPayment(std::vector<Candidate> students);

/// A school whose students' fee waivers are paid to the school but which has no account on file:
/// an exception of `batch build`, never a payment.
struct SchoolWithoutAccount {
  std::string code, name, region;
  int64_t students = 0;
  Money amount;
};

struct Threshold {
  int64_t min_total_fen = 0;
  int approvers = 1;
};
/// Approvers a batch of `total` needs: the highest threshold it reaches (never fewer than one).
int requiredApprovals(Money total, const std::vector<Threshold>& thresholds);

/// A batch about to be created, with its payments in file order.
struct BatchPlan {
  Batch batch;
  std::vector<Candidate> payments;
};

/// Cuts a stream of candidates (grouped by paying county and bank) into batches of at most the
/// bank's maximum lines, keeping control totals. Pure; holds one batch at a time.
class BatchPlanner {
 public:
  BatchPlanner(std::string programme, const Term& term, std::string prepared_by,
               std::function<int(const std::string&)> max_lines, std::vector<Threshold> thresholds);
  /// Adds a candidate; returns the previous batch when this one starts a new batch.
  [[nodiscard]] std::optional<BatchPlan> add(Candidate c);
  /// The last batch, if any.
  [[nodiscard]] std::optional<BatchPlan> finish();

 private:
  std::optional<BatchPlan> close();
  std::string programme_, term_, prepared_by_;
  std::function<int(const std::string&)> max_lines_;
  std::vector<Threshold> thresholds_;
  std::optional<BatchPlan> current_;
};

/// Why `user` may not take the action now, in words the user sees (a catalogue message,
/// messages/batch.json); nullopt when allowed.
std::optional<Message> refuseSubmit(const Batch& b, const security::User& user);
std::optional<Message> refuseApprove(const Batch& b, const security::User& user);
std::optional<Message> refuseReject(const Batch& b, const security::User& user,
                                    const std::string& reason);
/// An approved batch that cannot be exported goes back to draft only by a bureau approver whose
/// scope covers its county, and only while it is approved (exported money is at the bank).
std::optional<Message> refuseReturnToDraft(const Batch& b, const security::User& user);

/// "batch 12 (programme term, county 430121, bank 102, part 1)", as refusals name a batch.
Message batchMessage(const Batch& b);
/// "no batch {id} in your scope": one answer for a batch that does not exist and one outside the
/// reader's scope (the API, the command line and the workflow's use cases).
Message batchNotInScope(const std::string& id);
/// "no flag {id} in your scope", likewise.
Message flagNotInScope(const std::string& id);
/// A batch status as a message argument: the code in English (`draft`), the word in Chinese.
MessageArg statusArg(std::string name, BatchStatus s);
/// A precision flag's kind (`shared_account`) as a message argument: the code in English, the
/// word in Chinese (账户共用), as the console names it.
MessageArg flagKindArg(std::string name, const std::string& kind);
/// A payment's status (pending, sent, paid, returned, failed, removed): 待发放, 已发送银行, 已到账,
/// 被银行退回, 发放失败, 已移除 in Chinese, the code in English.
MessageArg paymentStatusArg(std::string name, const std::string& status);
/// A flag's status (open, cleared, removed), likewise.
MessageArg flagStatusArg(std::string name, const std::string& status);
/// A step of a batch's approval round (submit, approve, reject, return_to_draft), likewise.
MessageArg batchActionArg(std::string name, const std::string& action);

/// A precision check that fired on a payment of a batch (DESIGN.md §5), with its evidence.
struct Flag {
  int64_t id = 0;
  int64_t batch_id = 0;
  int64_t payment_id = 0;
  std::string kind;  ///< multi_enrollment, shared_account, holder_mismatch, holder_not_encodable,
                     ///< holder_unsafe_text, implausible_age, possible_duplicate, ...
  std::string evidence;  ///< what was found, without resident IDs or account numbers
  std::string status;    ///< open, cleared, removed
  std::string cleared_by, reason;
  std::string evidence_message;  ///< the evidence as a stored message (storedForm); "" if none
  /// The evidence as a message for the reader: the stored sentence, or for a flag raised before
  /// sentences were stored the literal text, the same in both languages.
  Message evidenceMessage() const {
    return evidence_message.empty() ? Message::literal(evidence) : fromStoredForm(evidence_message);
  }
};

/// The characters of a holder name that a payee bank's payment file cannot write (each once,
/// UTF-8), with the file's encoding and the bank's layout.
struct Unencodable {
  std::string encoding, layout;
  std::vector<std::string> characters;
};
/// nullopt when the payment file of bank `bank_code` can carry `holder`. bankfiles supplies it
/// (bankfiles::holderEncodingCheck) with the export's own encoder over the bank's layout, so what
/// `batch build` lets through is what the export writes.
using EncodingCheck = std::function<std::optional<Unencodable>(const std::string& bank_code,
                                                               const std::string& holder)>;

/// Characters no bank file should carry in a holder name, each once: control characters anywhere
/// (U+0000..U+001F, U+007F..U+009F), and a leading `=`, `+`, `-` or `@` (a spreadsheet opening the
/// file reads the cell as a formula).
std::vector<std::string> unsafeHolderCharacters(std::string_view holder);

/// A precision check that fired, before it is stored.
struct Finding {
  std::string kind, evidence;  ///< evidence: the text batch_flags stores (Chinese / English)
  Message message;             ///< `flag.<kind>` with its arguments
};
/// The holder-name checks of one payment (pure): `holder_unsafe_text` for unsafe characters,
/// `holder_not_encodable` when the bank's file cannot write the name. `student` is the masked
/// resident ID; the evidence names the characters with their code points and says what to do.
/// `school` says the payee is a school (`student` is then the school's code and name).
std::vector<Finding> holderFindings(const std::string& student, const std::string& holder,
                                    const std::string& bank_code,
                                    const std::optional<Unencodable>& unencodable,
                                    bool school = false);

struct BudgetLine {
  std::string programme, region;
  int fiscal_year = 0;
  std::string source;  ///< central, provincial, county
  Money allocated, committed, paid, returned;
};

/// The refusals of a batch's budget lines (`source` central, provincial or county), as the
/// store's commitBudget and releaseBudget throw them (messages/batch.json).
Message budgetMissing(const Batch& b, const std::string& source, int fiscal_year);
/// A funding source (central, provincial, county) as a message argument: the code in English,
/// 中央 / 省级 / 县级 in Chinese.
MessageArg fundingSourceArg(std::string name, const std::string& source);
Message budgetShort(const Batch& b, const std::string& source, int fiscal_year, Money left,
                    Money needed);
Message budgetBooksDisagree(const Batch& b, const std::string& source, int fiscal_year,
                            Money amount);

/// Persistence of batches, payments, budgets, notices and objections (implemented in src/store).
class DisbursementStore : public NoticeStore {
 public:
  /// Leases for exclusive work (one build per programme, term and region; one export of a batch).
  virtual LeaseStore& leases() = 0;
  /// The (paying county, bank) groups of eligible entitlements of a programme and term that are
  /// not in a live payment nor under objection; entitlements without a known bank are counted in
  /// `unbankable` and left out.
  virtual std::vector<std::pair<std::string, std::string>> candidateGroups(
      const std::string& programme, const Term& term, const std::string& region_prefix,
      int64_t& unbankable) = 0;
  /// One page of a group's candidates in entitlement order after `after_id`, at most `limit`.
  /// (Entitlement order follows the (term, programme, status) index, so a page is a range scan.)
  /// (Payments to students only; those to a school come from `schoolCandidates`.)
  virtual std::vector<Candidate> candidates(const std::string& programme, const Term& term,
                                            const std::string& region, const std::string& bank,
                                            int64_t after_id, size_t limit) = 0;
  /// A group's entitlements paid to a school, one candidate per student (not yet summed), in
  /// school-code then entitlement order, with the school's open account as the payee snapshot.
  virtual std::vector<Candidate> schoolCandidates(const std::string& programme, const Term& term,
                                                  const std::string& region,
                                                  const std::string& bank) = 0;
  /// Schools of the region whose eligible, unpaid entitlements of the programme and term are paid
  /// to the school, but which have no open account (edupay school account set).
  virtual std::vector<SchoolWithoutAccount> schoolsWithoutAccount(
      const std::string& programme, const Term& term, const std::string& region_prefix) = 0;
  virtual int maxLines(const std::string& bank_code) = 0;
  virtual std::vector<Threshold> thresholds() = 0;
  /// Creates the batch and its payments with the entitlements each covers, locks the
  /// entitlements; returns the batch id.
  virtual int64_t createBatch(const BatchPlan& plan) = 0;
  virtual std::optional<Batch> loadBatch(int64_t id) = 0;
  virtual std::vector<Batch> listBatches(const std::string& term,
                                         const std::string& region_prefix) = 0;
  /// Moves the batch to `status` if it is still at `expected_version`; false when someone else
  /// changed it first.
  virtual bool transition(int64_t id, int expected_version, BatchStatus status, int cycle) = 0;
  /// Error(kConflict) when the user already acted in this cycle.
  virtual void addAction(int64_t batch_id, const BatchAction& action) = 0;
  /// Draws the batch's shares from its budget lines; Error(kConflict) naming the line when one
  /// is missing or would be overdrawn.
  virtual void commitBudget(const Batch& b, int fiscal_year) = 0;
  virtual void importBudget(const std::vector<BudgetLine>& lines) = 0;
  /// Runs the precision checks on a new batch and records what they find; returns the count.
  /// `shared_account_limit`: an account may receive for at most this many households.
  virtual int64_t flagBatch(const Batch& b, int shared_account_limit) = 0;
  virtual std::vector<Flag> flags(int64_t batch_id) = 0;
  virtual std::optional<Flag> flag(int64_t flag_id) = 0;
  /// Error(kConflict) when the flag is no longer open.
  virtual void clearFlag(int64_t flag_id, const std::string& user, const std::string& reason) = 0;
  /// The batch of a payment and what it carries; nullopt when unknown.
  struct PaymentRef {
    int64_t batch_id = 0;
    int64_t entitlement_id = 0;
    Money amount, central, provincial, county;
    std::string status;
  };
  virtual std::optional<PaymentRef> payment(int64_t payment_id) = 0;
  /// Takes a pending payment out of a draft batch at `expected_version`: the payment becomes
  /// `removed`, its entitlement is unlocked, its flags are closed, the batch's totals shrink.
  /// False when the batch changed meanwhile.
  virtual bool removePayment(int64_t payment_id, const PaymentRef& p, int expected_version,
                             int required_approvals, const std::string& user,
                             const std::string& reason) = 0;
  virtual std::vector<BudgetLine> budgets(const std::string& region_prefix, int fiscal_year) = 0;
  /// The masked resident ID (or masked national student number) of a person, for evidence.
  virtual std::string maskedStudent(int64_t person_id) = 0;
  /// Records an open flag on the payment at `seq` of a batch (evidence cut at 500 characters).
  virtual void addFlag(int64_t batch_id, int64_t seq, const Finding& finding) = 0;
  /// Gives back what `commitBudget` drew for the batch; Error(kConflict) naming the line when one
  /// holds less committed money than the batch's share (the books disagree; nothing is changed).
  virtual void releaseBudget(const Batch& b, int fiscal_year) = 0;
  /// Records that an approved batch went back to draft in `action.cycle`, by whom and why.
  virtual void recordReturn(int64_t batch_id, const BatchAction& action) = 0;
};

struct BuildResult {
  std::vector<int64_t> batch_ids;
  int64_t payments = 0;
  Money total;
  int64_t unbankable = 0;
  int64_t flags = 0;
  /// Schools left out because no account is on file: named, with what to do.
  std::vector<SchoolWithoutAccount> without_account;
};

/// The lines of a budget file (`programme,region,fiscal_year,source,allocated`), every one checked
/// against the user's scope and, when `programmes` is not empty, its programme against those codes
/// (the policy in force: a misspelt code would allocate money to nothing). Throws
/// Error(kInvalidInput) listing every bad line; no I/O but the file.
std::vector<BudgetLine> readBudgetFile(const security::User& user, const std::string& file,
                                       const std::set<std::string>& programmes = {});

/// `edupay budget import`: a bureau officer loads allocations from a CSV file
/// (programme,region,fiscal_year,source,allocated in yuan), every line within their scope and of
/// one of `programmes` (when given); all-or-nothing with every bad line named; audited. Returns
/// the number of lines.
size_t importBudgetFile(DisbursementStore& store, security::SecurityStore& audit,
                        const security::User& user, const std::string& file,
                        const std::set<std::string>& programmes = {});

/// Removes a payment from a draft batch (a bureau officer in scope, with a reason; audited). The
/// entitlement may be batched again later.
Batch removePayment(DisbursementStore& store, security::SecurityStore& audit,
                    const security::User& user, int64_t payment_id, const std::string& reason);

/// Clears a flag with a written reason (a bureau officer in scope; audited). Error(kForbidden)
/// for other roles; Error(kNotFound) for a flag of a county outside the officer's scope.
Flag clearFlag(DisbursementStore& store, security::SecurityStore& audit, const security::User& user,
               int64_t flag_id, const std::string& reason);
/// `edupay batch build`: a bureau officer whose scope covers the region gathers eligible,
/// not-yet-batched entitlements into draft batches and runs the precision checks on each, among
/// them whether `encodable` says each payee's bank file can carry the holder name. Each batch is
/// one transaction (payments, flags, audit event), so a build killed half-way keeps the batches it
/// finished and the same command again builds the rest, cut as an uninterrupted build would. One
/// build per programme, term and region at a time (a lease; Error(kConflict) while another runs).
BuildResult buildBatches(DisbursementStore& store, security::SecurityStore& audit,
                         const security::User& user, const std::string& programme, const Term& term,
                         const std::string& region, const EncodingCheck& encodable);

/// The workflow transitions: one transaction each, optimistic version check, audited. Throw
/// Error(kForbidden) with the refusal reason, or Error(kConflict) when the batch changed meanwhile.
Batch submitBatch(DisbursementStore& store, security::SecurityStore& audit,
                  const security::User& user, int64_t id);
Batch approveBatch(DisbursementStore& store, security::SecurityStore& audit,
                   const security::User& user, int64_t id);
Batch rejectBatch(DisbursementStore& store, security::SecurityStore& audit,
                  const security::User& user, int64_t id, const std::string& reason);
/// `edupay batch return-to-draft`: an approved batch that still cannot be exported (a layout
/// changed, a name the bank cannot take) goes back to draft, by a bureau approver in scope with a
/// written reason. The budget approval committed is released, the approval round ends (the next
/// one needs a new submit and approvals), and the draft's payments can be removed as in any
/// draft. Error(kInvalidInput) without a reason, Error(kForbidden) for another role, scope or
/// status (an exported batch never comes back). One transaction, audited.
Batch returnToDraft(DisbursementStore& store, security::SecurityStore& audit,
                    const security::User& user, int64_t id, const std::string& reason);

}  // namespace edupay::disburse
